export { runsRoutes, type RunsRouteDependencies } from "./runs-routes.js";
export { toRunStepView, toRunView, toTraceView } from "./run-wire.js";
