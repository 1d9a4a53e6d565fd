import type { Writable } from "node:stream";

type RunEvent = { type: string; delta?: string; item?: { type: string; name?: string; arguments?: string; output?: string | null; error?: string | null; content?: string; revision?: number }; response?: ResponseSummary };
/** What `aiplus run` reads of a Response object. */
export type ResponseSummary = {
  status: string;
  output: Array<{ type: string; content?: Array<{ text?: string }> | string }>;
  error?: { message: string } | null;
  incomplete_details?: { reason: string } | null;
};

/**
 * Prints a run's SSE events as they come: text deltas to `output`; plans, tool calls and their results to `log`.
 * Resolves with the final response (from the last `response.*` event).
 */
export async function printRunEvents(body: ReadableStream<Uint8Array>, output: Writable, log: Writable): Promise<ResponseSummary | undefined> {
  let final: ResponseSummary | undefined;
  let buffer = "";
  const decoder = new TextDecoder();
  const handle = (event: RunEvent) => {
    if (event.response && event.type !== "response.output_item.added") final = event.response;
    if (event.type === "response.output_text.delta" && event.delta) output.write(event.delta);
    if (event.type === "response.output_text.done") output.write("\n");
    if (event.type !== "response.output_item.done" || !event.item) return;
    const { item } = event;
    if (item.type === "plan") log.write(`[plan ${item.revision ?? 1}]\n${item.content ?? ""}\n`);
    else if (item.type === "mcp_call") log.write(`[tool] ${item.name}(${item.arguments ?? ""}) ${item.error ? `failed: ${item.error}` : `→ ${item.output ?? ""}`}\n`);
    else if (item.type === "function_call") log.write(`[function call for the client] ${item.name}(${item.arguments ?? ""})\n`);
    else if (item.type === "mcp_approval_request") log.write(`[waiting for approval] ${item.name}(${item.arguments ?? ""})\n`);
  };
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").find((line) => line.startsWith("data: "));
      if (data) handle(JSON.parse(data.slice(6)) as RunEvent);
    }
  }
  return final;
}

/** The text of a response's assistant messages. */
export function outputText(response: ResponseSummary): string {
  return response.output
    .filter((item) => item.type === "message")
    .flatMap((item) => (Array.isArray(item.content) ? item.content.map((part) => part.text ?? "") : []))
    .join("");
}
