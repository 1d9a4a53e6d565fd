export { mcpAdminRoutes } from "./mcp-admin-routes.js";
export { mcpEndpointRoute } from "./mcp-endpoint-route.js";
export { mcpToolsRoutes } from "./mcp-tools-routes.js";
