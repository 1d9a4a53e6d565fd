export { calculatorTool, evaluateExpression } from "./calculator-tool.js";
export type { ServerTool, ServerToolCallResult, ServerToolContext } from "./server-tool.js";
export { createServerToolRegistry, type ServerToolRegistry } from "./server-tool-registry.js";
export { fileCitations, fileSearchCallItem, fileSearchTool } from "./file-search-tool.js";
export { httpFetchTool, type HttpFetchToolOptions } from "./http-fetch-tool.js";
export { knowledgeSearchTool } from "./knowledge-search-tool.js";
export { listMcpRequestTools, mcpRequestTools } from "./mcp-request-tools.js";
export { pythonTool, type PythonToolOptions } from "./python-tool.js";
export { passagesText, searchKnowledge, type KnowledgeSearch } from "./search-knowledge.js";
