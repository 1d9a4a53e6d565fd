export { agentsRoutes } from "./agents-routes.js";
