export { agentTools, type AgentToolRunner } from "./agent-tools.js";
export type { ExposedTool, ExposedToolProvider } from "./exposed-tool.js";
export { handleMcpRequest, type McpEndpointOptions } from "./handle-mcp-request.js";
export { knowledgeSearchTool } from "./knowledge-search-tool.js";
export { workflowTools } from "./workflow-tools.js";
