import { z } from "zod";
import type { ServerTool } from "../../server-tools/index.js";
import { InvalidRequestError } from "../../spec/index.js";
import type { MemoryBlockDefinition } from "../agent-definition-schema.js";
import type { AgentMemory, MemoryScope } from "./agent-memory.js";

const replaceArguments = z.strictObject({ label: z.string(), old: z.string(), new: z.string() });
const appendArguments = z.strictObject({ label: z.string(), text: z.string() });

/**
 * `memory_replace(label, old, new)` and `memory_append(label, text)` over the agent's writable blocks in `scope`;
 * both write through `AgentMemory.write` (limits and read-only enforced; a rejected write rejects the call, so the
 * model sees why). Neither is idempotent (an append run twice appends twice). No tools when no block is writable.
 */
export function createMemoryTools(options: {
  memory: AgentMemory;
  scope: MemoryScope;
  blocks: readonly MemoryBlockDefinition[];
  /** Whether a call of this tool waits for approval (the agent's approval policy). Defaults to never. */
  requiresApproval?: ((toolName: string) => boolean) | undefined;
}): ServerTool[] {
  const { memory, scope, blocks } = options;
  const requiresApproval = options.requiresApproval ?? (() => false);
  const writable = blocks.filter((block) => !block.read_only).map((block) => block.label);
  if (writable.length === 0) return [];
  const label = { type: "string", enum: writable, description: "the memory block's label" };
  const describe = (view: { label: string; chars: number; limitChars: number }) => `memory block '${view.label}' now holds ${view.chars} of ${view.limitChars} characters`;
  return [
    {
      name: "memory_replace",
      idempotent: false,
      requiresApproval: requiresApproval("memory_replace"),
      description: "Replace the first occurrence of exact text in one of your memory blocks (new may be empty to delete it).",
      parameters: { type: "object", properties: { label, old: { type: "string" }, new: { type: "string" } }, required: ["label", "old", "new"], additionalProperties: false },
      async execute(input) {
        const call = parseArguments(replaceArguments, input);
        return describe(await memory.write({ scope, blocks, label: call.label, change: { kind: "replace", old: call.old, new: call.new }, writer: "agent", param: "new" }));
      },
    },
    {
      name: "memory_append",
      idempotent: false,
      requiresApproval: requiresApproval("memory_append"),
      description: "Append a line of text to one of your memory blocks.",
      parameters: { type: "object", properties: { label, text: { type: "string" } }, required: ["label", "text"], additionalProperties: false },
      async execute(input) {
        const call = parseArguments(appendArguments, input);
        return describe(await memory.write({ scope, blocks, label: call.label, change: { kind: "append", text: call.text }, writer: "agent", param: "text" }));
      },
    },
  ];
}

/**
 * A search tool over past conversations (`memory.recall`), an archival knowledge base
 * (`memory.archival_knowledge_base`) or the knowledge bases of a `knowledge_search` built-in: the run loop supplies `search`, which must stay within the agent's scope
 * (its key, user and agent).
 */
export function createSearchTool(options: {
  name: "conversation_search" | "archival_search" | "knowledge_search";
  description: string;
  search: (query: string, limit: number, signal: AbortSignal) => Promise<string[]>;
  /** Whether a call waits for approval. Defaults to false. */
  requiresApproval?: boolean | undefined;
}): ServerTool {
  const searchArguments = z.strictObject({ query: z.string().min(1), limit: z.number().int().min(1).max(20).default(5) });
  return {
    name: options.name,
    description: options.description,
    idempotent: true,
    requiresApproval: options.requiresApproval ?? false,
    parameters: { type: "object", properties: { query: { type: "string" }, limit: { type: "integer", minimum: 1, maximum: 20 } }, required: ["query"], additionalProperties: false },
    async execute(input, context) {
      const call = parseArguments(searchArguments, input);
      const results = await options.search(call.query, call.limit, context.signal);
      return results.length === 0 ? "no results" : results.map((result, index) => `[${index + 1}] ${result}`).join("\n\n");
    },
  };
}

/** The call's arguments: parsed JSON (as the run loop passes them) or, leniently, a JSON string. */
function parseArguments<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  let value: unknown = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input) as unknown;
    } catch (error) {
      throw new InvalidRequestError({ message: "the tool arguments are not JSON", param: "arguments", cause: error });
    }
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidRequestError({ message: `invalid tool arguments: ${issue?.path.join(".") || "arguments"}: ${issue?.message ?? "invalid"}`, param: "arguments" });
}
