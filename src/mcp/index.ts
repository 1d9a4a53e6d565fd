export type { McpCaller, McpGrant, McpServerRecord, McpToolApproval, McpToolResult, McpToolStatus, McpToolView, McpTransport } from "./types.js";
export { AddressPolicy, type LookupAll } from "./address-policy.js";
export { guardedFetch } from "./guarded-fetch.js";
export { canonicalJson, toolHash, type HashedToolFields } from "./tool-hash.js";
export { namespacedToolName, namespaceSeparator, splitNamespacedToolName } from "./namespaced-tool-name.js";
export { createMcpRegistry, type McpRegistry, type McpRegistryOptions, type NewMcpServer } from "./mcp-registry.js";
export { openMcpSession, type McpSession, type McpSessionOptions } from "./mcp-client.js";
export { McpService, type AddMcpServerInput, type McpServiceOptions } from "./mcp-service.js";
export * from "./server/index.js";
