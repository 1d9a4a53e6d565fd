export {
  type AgentMemory,
  type AgentMemoryOptions,
  createAgentMemory,
  type MemoryBlockView,
  type MemoryChange,
  type MemoryScope,
  type MemoryWrite,
  type MemoryWriter,
} from "./agent-memory.js";
export { characterCount } from "./character-count.js";
export { memoryLimitProblem } from "./memory-limit-problem.js";
export { createMemoryTools, createSearchTool } from "./memory-tools.js";
export { renderMemoryBlocks } from "./render-memory-blocks.js";
