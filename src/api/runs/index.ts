export { runsRoutes, type RunsRouteDependencies } from "./runs-routes.js";
export { toRunView, toTraceView } from "./run-wire.js";
