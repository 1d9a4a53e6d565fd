export { adminGuard } from "./admin-guard.js";
export { bearerAuth, type BearerAuthOptions } from "./bearer-auth.js";
export { bodyLimit } from "./body-limit.js";
export { requestId, type RequestIdOptions } from "./request-id.js";
export { requestRateLimit } from "./request-rate-limit.js";
export { shutdownGate, type ShutdownGateOptions } from "./shutdown-gate.js";
export { assertSameOrigin, consoleSessionCookie, isHttps, isStateChanging, readConsoleSessionCookie } from "./console-session-cookie.js";
