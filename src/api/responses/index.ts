export { responsesRoutes } from "./responses-routes.js";
export type { ResponsesRouteDependencies } from "./create-response.js";
