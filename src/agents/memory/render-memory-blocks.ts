import type { MemoryBlockView } from "./agent-memory.js";

/**
 * The memory blocks as a section of the system prompt (Letta-style): each block with its label, description, size and
 * value, so the agent knows what it remembers and how much room is left.
 */
export function renderMemoryBlocks(blocks: readonly MemoryBlockView[]): string {
  if (blocks.length === 0) return "";
  const sections = blocks.map((block) => {
    const attributes = [`label="${block.label}"`, `chars="${block.chars}/${block.limitChars}"`, ...(block.readOnly ? ['read_only="true"'] : [])].join(" ");
    const description = block.description ? `<description>${block.description}</description>\n` : "";
    return `<memory_block ${attributes}>\n${description}<value>\n${block.value}\n</value>\n</memory_block>`;
  });
  return `<memory_blocks>\nThese are your long-term memory blocks; edit the writable ones with memory_replace and memory_append.\n${sections.join("\n")}\n</memory_blocks>`;
}
