import http from "node:http";
import type { AddressInfo } from "node:net";

/** A text prompt's answer: a text, or `hold` (the stream's headers are sent, then nothing until the client goes). */
export type CompletionReply = { text: string } | { hold: true };

/**
 * An OpenAI-compatible `/v1/completions` upstream on 127.0.0.1 (streamed, as the gateway asks) whose answers are keyed
 * by a word the prompt contains, so that a job resumed by another server process gets the same answers. Records every
 * prompt. Usage: 10 prompt tokens and 2 completion tokens per answer.
 */
export class CompletionUpstream {
  readonly prompts: string[] = [];
  private readonly replies = new Map<string, CompletionReply>();
  private readonly server: http.Server;

  private constructor() {
    this.server = http.createServer((request, response) => {
      let text = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => (text += chunk));
      request.on("end", () => this.answer(request.url ?? "", JSON.parse(text || "{}") as { model?: string; prompt?: string }, response));
    });
  }

  static async start(): Promise<CompletionUpstream> {
    const upstream = new CompletionUpstream();
    await new Promise<void>((resolve) => upstream.server.listen(0, "127.0.0.1", resolve));
    return upstream;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Answers prompts that contain `word` (a later call for the same word replaces the reply). */
  on(word: string, reply: CompletionReply): this {
    this.replies.set(word, reply);
    return this;
  }

  /** Prompts received that contain `word`. */
  promptsWith(word: string): number {
    return this.prompts.filter((prompt) => prompt.includes(word)).length;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(url: string, body: { model?: string; prompt?: string }, response: http.ServerResponse): void {
    const prompt = String(body.prompt ?? "");
    const reply = [...this.replies].find(([word]) => prompt.includes(word))?.[1];
    if (!url.endsWith("/completions") || url.endsWith("/chat/completions") || reply === undefined) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: `no scripted completion for ${url} ${JSON.stringify(prompt)}` } }));
      return;
    }
    this.prompts.push(prompt);
    response.writeHead(200, { "content-type": "text/event-stream" });
    if ("hold" in reply) {
      response.write(": holding\n\n");
      return;
    }
    const chunk = (text: string, finishReason: string | null) => ({ id: "cmpl-s", object: "text_completion", model: body.model, choices: [{ index: 0, text, finish_reason: finishReason, logprobs: null }] });
    const usage = { id: "cmpl-s", object: "text_completion", model: body.model, choices: [], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } };
    response.end([chunk(reply.text, null), chunk("", "stop"), usage].map((value) => `data: ${JSON.stringify(value)}\n\n`).join("") + "data: [DONE]\n\n");
  }
}
