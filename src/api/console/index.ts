export { consoleSessionRoutes, type ConsoleSessionRoutesOptions } from "./console-session-routes.js";
export { consoleStaticRoutes } from "./console-static-routes.js";
export { defaultConsoleDirectory } from "./console-directory.js";
export { budgetView } from "./key-view.js";
export { meRoutes } from "./me-routes.js";
export { usageSummaryRoutes } from "./usage-summary-routes.js";
