export { calculatorTool, evaluateExpression } from "./calculator-tool.js";
export type { ServerTool, ServerToolContext } from "./server-tool.js";
export { createServerToolRegistry, type ServerToolRegistry } from "./server-tool-registry.js";
