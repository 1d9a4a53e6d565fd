export type { ExposedTool, ExposedToolProvider } from "./exposed-tool.js";
export { handleMcpRequest, type McpEndpointOptions } from "./handle-mcp-request.js";
export { knowledgeSearchTool } from "./knowledge-search-tool.js";
