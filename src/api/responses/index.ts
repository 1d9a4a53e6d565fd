export { responsesRoutes } from "./responses-routes.js";
export type { ResponsesRouteDependencies } from "./create-response.js";
export { approvalsRoutes } from "./approvals-routes.js";
export { approvalsInbox, type ApprovalView, type InboxDecided, type InboxDecision } from "./approvals-inbox.js";
export { createResponseRunService, responseRunJobKind, type ResponseRunService, type ResponseRunServiceOptions } from "./runs/response-run-service.js";
