import type { CallWarning, FinishReason, LanguageModelStreamPart, Usage } from "../spec/index.js";
import type { ResponseIdGenerator } from "./response-ids.js";
import type { FunctionCallItem, MessageItem, OutputItem, ResponseStreamEventBody } from "./types.js";

/** What a model call produced, as output items. */
export type CollectedOutput = {
  output: OutputItem[];
  /** Undefined when the stream ended without a finish part (then `error` is set). */
  finishReason: FinishReason | undefined;
  usage: Usage | undefined;
  /** The error part's error (or the stream's failure); undefined when the call finished. */
  error: unknown;
  /** Calls of server tools (see `isServerTool`): not output items; the run executes them. */
  serverCalls: ServerCall[];
};

/** A model's call of a server tool, as the run logs and executes it. */
export type ServerCall = { callId: string; name: string; arguments: string };

export type CollectOutputOptions = {
  newId: ResponseIdGenerator;
  /** Receives every semantic event as the output is built (awaited: a slow reader holds the model back). */
  emit: (event: ResponseStreamEventBody) => Promise<unknown> | void;
  onWarnings: (warnings: CallWarning[]) => void;
  /** The `output_index` of the first item (a run's later model calls append to its output). Defaults to 0. */
  firstOutputIndex?: number | undefined;
  /** Whether a called name is a server tool: such calls go to `serverCalls`, with no item or event. Defaults to none. */
  isServerTool?: ((name: string) => boolean) | undefined;
  /** The annotations of a finished message's text (e.g. `file_citation`s of a run's knowledge searches). Defaults to none. */
  annotate?: ((text: string) => unknown[]) | undefined;
};

type AssistantMessage = MessageItem & { role: "assistant" };

/**
 * Reads a model's parts into output items and their events: text opens an assistant message (`output_item.added`,
 * `content_part.added`, then `output_text.delta`s) that a tool call or the end closes (`output_text.done`,
 * `content_part.done`, `output_item.done`); each tool call is a `function_call` item with its arguments in one delta.
 * A message cut by the token limit, a cancel or an error is `incomplete`.
 */
export async function collectOutput(parts: ReadableStream<LanguageModelStreamPart>, options: CollectOutputOptions): Promise<CollectedOutput> {
  const { emit } = options;
  const output: OutputItem[] = [];
  let message: { item: AssistantMessage; outputIndex: number; text: string } | undefined;
  const result: CollectedOutput = { output, finishReason: undefined, usage: undefined, error: undefined, serverCalls: [] };
  const firstIndex = options.firstOutputIndex ?? 0;

  const openMessage = async () => {
    const item: AssistantMessage = { id: options.newId("msg"), type: "message", role: "assistant", status: "in_progress", content: [] };
    message = { item, outputIndex: firstIndex + output.length, text: "" };
    output.push(item);
    await emit({ type: "response.output_item.added", output_index: message.outputIndex, item: structuredClone(item) });
    const part = { type: "output_text" as const, text: "", annotations: [] };
    await emit({ type: "response.content_part.added", item_id: item.id, output_index: message.outputIndex, content_index: 0, part });
    return message;
  };
  const closeMessage = async (status: "completed" | "incomplete") => {
    if (!message) return;
    const { item, outputIndex, text } = message;
    message = undefined;
    const part = { type: "output_text" as const, text, annotations: options.annotate?.(text) ?? [] };
    item.status = status;
    item.content = [part];
    await emit({ type: "response.output_text.done", item_id: item.id, output_index: outputIndex, content_index: 0, text, logprobs: [] });
    await emit({ type: "response.content_part.done", item_id: item.id, output_index: outputIndex, content_index: 0, part: structuredClone(part) });
    await emit({ type: "response.output_item.done", output_index: outputIndex, item: structuredClone(item) });
  };
  const addFunctionCall = async (part: Extract<LanguageModelStreamPart, { type: "tool-call" }>) => {
    await closeMessage("completed");
    if (options.isServerTool?.(part.toolName)) {
      result.serverCalls.push({ callId: part.toolCallId, name: part.toolName, arguments: part.input });
      return;
    }
    const item: FunctionCallItem = { id: options.newId("fc"), type: "function_call", call_id: part.toolCallId, name: part.toolName, arguments: "", status: "in_progress" };
    const outputIndex = firstIndex + output.length;
    output.push(item);
    await emit({ type: "response.output_item.added", output_index: outputIndex, item: structuredClone(item) });
    await emit({ type: "response.function_call_arguments.delta", item_id: item.id, output_index: outputIndex, delta: part.input });
    item.arguments = part.input;
    item.status = "completed";
    await emit({ type: "response.function_call_arguments.done", item_id: item.id, output_index: outputIndex, name: item.name, arguments: item.arguments });
    await emit({ type: "response.output_item.done", output_index: outputIndex, item: structuredClone(item) });
  };

  const reader = parts.getReader();
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      const part = next.value;
      switch (part.type) {
        case "stream-start":
          if (part.warnings.length > 0) options.onWarnings(part.warnings);
          break;
        case "text-delta": {
          if (part.delta === "") break;
          const open = message ?? (await openMessage());
          open.text += part.delta;
          await emit({ type: "response.output_text.delta", item_id: open.item.id, output_index: open.outputIndex, content_index: 0, delta: part.delta, logprobs: [] });
          break;
        }
        case "tool-call":
          await addFunctionCall(part);
          break;
        case "finish":
          result.finishReason = part.finishReason;
          result.usage = part.usage;
          await closeMessage(part.finishReason.unified === "stop" || part.finishReason.unified === "tool-calls" ? "completed" : "incomplete");
          break;
        case "error":
          result.error = part.error;
          await closeMessage("incomplete");
          break;
        case "response-metadata":
        case "prompt-echo":
        case "progress":
          break;
        default:
          part satisfies never;
      }
    }
  } catch (error) {
    result.error ??= error;
    await reader.cancel(error).catch(() => undefined);
  } finally {
    reader.releaseLock();
  }
  if (result.error === undefined && result.finishReason === undefined) result.error = new Error("the model stream ended without a finish part");
  if (message) await closeMessage("incomplete");
  return result;
}
