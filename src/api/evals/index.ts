export { evalRoutes, type EvalRouteDependencies } from "./eval-routes.js";
export { arenaRoutes, type ArenaRouteDependencies } from "./arena-routes.js";
