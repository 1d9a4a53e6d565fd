export { usageReportRoutes } from "./usage-report-routes.js";
export { integerParameter, resolveUsageScope, timeBound } from "./usage-query.js";
