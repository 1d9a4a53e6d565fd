import { characterCount } from "./character-count.js";

/**
 * THE limit rule of memory blocks, shared by every write path (`AgentMemory.write` for the API and the agent's tools,
 * and the definition schema for `initial_value` on create, update and import): why `value` does not fit the block, or
 * undefined when it does. Characters are Unicode code points.
 */
export function memoryLimitProblem(block: { label: string; limit_chars: number }, value: string): string | undefined {
  const chars = characterCount(value);
  if (chars <= block.limit_chars) return undefined;
  return `memory block '${block.label}' would hold ${chars} characters; its limit_chars is ${block.limit_chars}`;
}
