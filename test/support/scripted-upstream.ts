import http from "node:http";
import type { AddressInfo } from "node:net";

type ChatMessage = { role: string; content?: string | null; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; tool_call_id?: string };
export type ScriptedRequest = { model: string; messages: ChatMessage[]; tools?: Array<{ function: { name: string } }>; max_tokens?: number; [key: string]: unknown };

/**
 * How the upstream answers: text, one tool call, or nothing at all (the connection stays open until the client goes):
 * `hold` sends the stream's headers, `stall` not even those, `partialText` streams that text's start and then holds.
 */
export type ScriptedReply =
  | { text: string }
  | { toolCall: { name: string; arguments: unknown; id?: string } }
  | { hold: true }
  | { stall: true }
  | { partialText: string };

/** Picks a reply for a request: a rule's key is compared with the request's last message (`role: content`). */
type Rule = { key: string | ((request: ScriptedRequest) => boolean); reply: ScriptedReply };

/**
 * An OpenAI-compatible chat upstream on 127.0.0.1 whose replies are keyed by request content (the last message,
 * `user: …` or `tool: …`), so a run resumed in another server process gets the same answers. It rejects with 400 any
 * request with an assistant tool call that has no tool message answering it (a dangling call), as OpenAI does.
 * Records every request. Usage: 10 prompt tokens and 5 completion tokens per reply.
 */
export class ScriptedUpstream {
  readonly requests: ScriptedRequest[] = [];
  /** Requests rejected for a dangling tool call. */
  readonly rejected: ScriptedRequest[] = [];
  private readonly rules: Rule[] = [];
  private readonly server: http.Server;
  private counter = 0;

  private constructor() {
    this.server = http.createServer((request, response) => {
      let text = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => (text += chunk));
      request.on("end", () => this.answer(JSON.parse(text || "{}") as ScriptedRequest, response));
    });
  }

  static async start(): Promise<ScriptedUpstream> {
    const upstream = new ScriptedUpstream();
    await new Promise<void>((resolve) => upstream.server.listen(0, "127.0.0.1", resolve));
    return upstream;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Answers requests whose last message is `key` (`"user: Hello"`, `"tool: 42"`) or that `key` matches. */
  on(key: Rule["key"], reply: ScriptedReply): this {
    this.rules.unshift({ key, reply });
    return this;
  }

  /** Forgets rules and recorded requests. */
  reset(): void {
    this.rules.length = 0;
    this.requests.length = 0;
    this.rejected.length = 0;
  }

  async waitForRequests(count: number): Promise<void> {
    while (this.requests.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(body: ScriptedRequest, response: http.ServerResponse): void {
    this.requests.push(body);
    const dangling = danglingToolCall(body.messages ?? []);
    if (dangling) {
      this.rejected.push(body);
      response.writeHead(400, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: `No tool output found for function call ${dangling}.`, type: "invalid_request_error", param: "messages" } }));
      return;
    }
    const last = body.messages?.at(-1);
    const key = `${last?.role ?? ""}: ${last?.content ?? ""}`;
    const rule = this.rules.find((candidate) => (typeof candidate.key === "string" ? candidate.key === key : candidate.key(body)));
    if (!rule) {
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: `no scripted reply for ${JSON.stringify(key)}` } }));
      return;
    }
    const reply = rule.reply;
    if ("stall" in reply) return;
    const chunk = (delta: unknown, finishReason: string | null = null) => ({ id: "chatcmpl-s", object: "chat.completion.chunk", model: body.model, choices: [{ index: 0, delta, finish_reason: finishReason }] });
    if ("hold" in reply || "partialText" in reply) {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("partialText" in reply ? `data: ${JSON.stringify(chunk({ role: "assistant", content: reply.partialText }))}\n\n` : ": holding\n\n");
      return;
    }
    const chunks =
      "text" in reply
        ? [chunk({ role: "assistant", content: reply.text }), chunk({}, "stop")]
        : [
            chunk({ role: "assistant", tool_calls: [{ index: 0, id: reply.toolCall.id ?? `call_${++this.counter}`, type: "function", function: { name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.arguments) } }] }),
            chunk({}, "tool_calls"),
          ];
    chunks.push({ id: "chatcmpl-s", object: "chat.completion.chunk", model: body.model, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } } as never);
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.end(chunks.map((value) => `data: ${JSON.stringify(value)}\n\n`).join("") + "data: [DONE]\n\n");
  }
}

/** The id of an assistant tool call that no later tool message answers, if any. */
export function danglingToolCall(messages: ChatMessage[]): string | undefined {
  const answered = new Set(messages.filter((message) => message.role === "tool").map((message) => message.tool_call_id));
  for (const message of messages) {
    for (const call of message.tool_calls ?? []) if (!answered.has(call.id)) return call.id;
  }
  return undefined;
}
