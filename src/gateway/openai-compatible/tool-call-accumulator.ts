import { randomUUID } from "node:crypto";
import type { LanguageModelStreamPart } from "../../spec/index.js";
import type { ToolCallDelta } from "./chunk-schemas.js";

type PendingToolCall = { id: string | undefined; name: string; arguments: string };

/**
 * Collects streamed `tool_calls` deltas by index (the first delta of a call carries its id and name,
 * later ones append to `arguments`) and yields the complete calls at the end of the stream.
 */
export class ToolCallAccumulator {
  private readonly calls = new Map<number, PendingToolCall>();

  add(deltas: readonly ToolCallDelta[]): void {
    deltas.forEach((delta, position) => {
      const index = delta.index ?? position;
      const call = this.calls.get(index) ?? { id: undefined, name: "", arguments: "" };
      if (delta.id) call.id = delta.id;
      if (delta.function?.name && call.name === "") call.name = delta.function.name;
      if (delta.function?.arguments) call.arguments += delta.function.arguments;
      this.calls.set(index, call);
    });
  }

  get size(): number {
    return this.calls.size;
  }

  /** The complete calls as `tool-call` parts, ordered by index and renumbered from 0. */
  parts(): Extract<LanguageModelStreamPart, { type: "tool-call" }>[] {
    return [...this.calls.entries()]
      .sort(([left], [right]) => left - right)
      .map(([, call], index) => ({
        type: "tool-call",
        index,
        toolCallId: call.id ?? `call_${randomUUID()}`,
        toolName: call.name,
        input: call.arguments,
      }));
  }
}
