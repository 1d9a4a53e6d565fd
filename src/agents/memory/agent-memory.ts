import { InvalidRequestError, NotFoundError } from "../../spec/index.js";
import { affectedRows, type DatabaseExecutor, isUniqueViolation } from "../../store/index.js";
import type { MemoryBlockDefinition } from "../agent-definition-schema.js";
import { characterCount } from "./character-count.js";
import { memoryLimitProblem } from "./memory-limit-problem.js";

/**
 * Whose memory: one agent, one API key (`local` for the CLI) and one end user (`''` when the caller names none).
 * Memory is never shared across keys: an admin reading another key's agent sees its own scope.
 */
export type MemoryScope = { agentId: string; keyId: string; userId: string };

/** A change to a block's value. */
export type MemoryChange =
  | { kind: "set"; value: string }
  | { kind: "append"; text: string }
  | { kind: "replace"; old: string; new: string };

/** Who writes: the API (the key's owner; may write read-only blocks) or the agent through its memory tools (may not). */
export type MemoryWriter = "api" | "agent";

/** A block as the agent and the API see it: its definition and its value in one scope. */
export type MemoryBlockView = {
  label: string;
  description: string | undefined;
  value: string;
  /** Characters (code points) in `value`. */
  chars: number;
  limitChars: number;
  readOnly: boolean;
  /** Epoch milliseconds of the last write; undefined while the block holds its initial value. */
  updatedAt: number | undefined;
};

export type MemoryWrite = {
  scope: MemoryScope;
  /** The blocks of the agent version in use (their limits and read-only flags are enforced). */
  blocks: readonly MemoryBlockDefinition[];
  label: string;
  change: MemoryChange;
  writer: MemoryWriter;
  /** The request field errors name (`value`, `text`). Defaults to `value`. */
  param?: string | undefined;
};

export type AgentMemoryOptions = {
  /** Clock in milliseconds. Defaults to `Date.now`. */
  now?: (() => number) | undefined;
};

/** Long-term memory blocks: reads, and the one write path that every writer (API, memory tools) goes through. */
export type AgentMemory = ReturnType<typeof createAgentMemory>;

export function createAgentMemory(database: DatabaseExecutor, options: AgentMemoryOptions = {}) {
  const now = options.now ?? Date.now;
  const rowsOf = (scope: MemoryScope) =>
    database.db.selectFrom("memory_blocks").select(["label", "value", "updated_at"]).where("agent_id", "=", scope.agentId).where("key_id", "=", scope.keyId).where("user_id", "=", scope.userId);

  return {
    /** Every block of the definition with its value in `scope` (the initial value until first written). */
    async read(scope: MemoryScope, blocks: readonly MemoryBlockDefinition[]): Promise<MemoryBlockView[]> {
      const rows = new Map((await rowsOf(scope).execute()).map((row) => [row.label, row]));
      return blocks.map((block) => {
        const row = rows.get(block.label);
        return toView(block, row?.value ?? block.initial_value, row ? Number(row.updated_at) : undefined);
      });
    },

    /**
     * THE write path of memory blocks. Applies `change` to the block's current value and stores it only when the
     * result fits `limit_chars` (400 `memory_limit_exceeded` naming the block otherwise) and, for the agent, the block
     * is not read-only (400 `memory_block_read_only`). Concurrent writers never lose each other's changes
     * (compare-and-set on the old value, retried).
     */
    async write(write: MemoryWrite): Promise<MemoryBlockView> {
      const param = write.param ?? "value";
      const block = write.blocks.find((candidate) => candidate.label === write.label);
      if (!block) {
        const labels = write.blocks.map((candidate) => candidate.label).join(", ") || "none";
        throw new NotFoundError({ message: `the agent has no memory block '${write.label}' (its blocks: ${labels})`, param: "label", code: "memory_block_not_found" });
      }
      if (write.writer === "agent" && block.read_only) {
        throw new InvalidRequestError({ message: `memory block '${block.label}' is read-only`, param: "label", code: "memory_block_read_only" });
      }
      const { scope } = write;
      for (;;) {
        const row = await rowsOf(scope).where("label", "=", block.label).executeTakeFirst();
        const current = row?.value ?? block.initial_value;
        const next = applyChange(current, write.change, block.label, param);
        const problem = memoryLimitProblem(block, next);
        if (problem !== undefined) throw new InvalidRequestError({ message: `${problem} (${characterCount(current)} used now)`, param, code: "memory_limit_exceeded" });
        const at = now();
        if (row) {
          const result = await database.db
            .updateTable("memory_blocks")
            .set({ value: next, limit_chars: block.limit_chars, updated_at: at })
            .where("agent_id", "=", scope.agentId)
            .where("key_id", "=", scope.keyId)
            .where("user_id", "=", scope.userId)
            .where("label", "=", block.label)
            .where("value", "=", current)
            .executeTakeFirst();
          if (affectedRows(result) > 0) return toView(block, next, at);
          continue;
        }
        try {
          await database.db.insertInto("memory_blocks").values({ agent_id: scope.agentId, key_id: scope.keyId, user_id: scope.userId, label: block.label, value: next, limit_chars: block.limit_chars, updated_at: at }).execute();
          return toView(block, next, at);
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
        }
      }
    },
  };
}

function applyChange(current: string, change: MemoryChange, label: string, param: string): string {
  switch (change.kind) {
    case "set":
      return change.value;
    case "append":
      return current === "" ? change.text : `${current}\n${change.text}`;
    case "replace": {
      if (change.old === "") throw new InvalidRequestError({ message: "old must not be empty: give the exact text to replace", param: "old" });
      const at = current.indexOf(change.old);
      if (at < 0) throw new InvalidRequestError({ message: `memory block '${label}' does not contain the text to replace`, param: param === "value" ? "old" : param, code: "memory_text_not_found" });
      return current.slice(0, at) + change.new + current.slice(at + change.old.length);
    }
    default:
      return change satisfies never;
  }
}

function toView(block: MemoryBlockDefinition, value: string, updatedAt: number | undefined): MemoryBlockView {
  return { label: block.label, description: block.description, value, chars: characterCount(value), limitChars: block.limit_chars, readOnly: block.read_only, updatedAt };
}
