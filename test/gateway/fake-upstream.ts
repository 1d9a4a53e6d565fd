import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ProviderId } from "../../src/spec/index.js";
import type { ProviderRecord } from "../../src/store/records.js";

/** One request the fake upstream received. */
export type UpstreamHit = { path: string; authorization: string | undefined; body: Record<string, unknown> };

/** How the fake upstream answers one request. */
export type UpstreamScript = (response: http.ServerResponse, request: http.IncomingMessage) => void | Promise<void>;

/**
 * An OpenAI-compatible upstream on 127.0.0.1 whose answers are scripted per request, in order. Once the
 * script queue is empty it repeats the `fallback` (default: HTTP 500). Records every request.
 */
export class FakeUpstream {
  readonly hits: UpstreamHit[] = [];
  /** Resolves the n-th (0-based) request's "connection closed by the client" promise. */
  readonly closed: Promise<void>[] = [];
  private readonly scripts: UpstreamScript[] = [];
  private readonly server: http.Server;
  fallback: UpstreamScript = noScriptLeft;

  private constructor() {
    this.server = http.createServer((request, response) => {
      let text = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => (text += chunk));
      request.on("end", () => {
        this.hits.push({ path: request.url ?? "", authorization: request.headers.authorization, body: JSON.parse(text || "{}") as Record<string, unknown> });
        this.closed.push(new Promise((resolve) => response.on("close", () => resolve())));
        const script = this.scripts.shift() ?? this.fallback;
        void script(response, request);
      });
    });
  }

  static async start(): Promise<FakeUpstream> {
    const upstream = new FakeUpstream();
    await new Promise<void>((resolve) => upstream.server.listen(0, "127.0.0.1", resolve));
    return upstream;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Resolves once the upstream has received `count` requests in total. */
  async waitForHits(count: number): Promise<void> {
    while (this.hits.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Forgets recorded requests and unused scripts, and restores the default fallback. */
  reset(): void {
    this.hits.length = 0;
    this.closed.length = 0;
    this.scripts.length = 0;
    this.fallback = noScriptLeft;
  }

  /** Queues answers for the next requests. */
  script(...scripts: UpstreamScript[]): this {
    this.scripts.push(...scripts);
    return this;
  }

  provider(overrides: Partial<ProviderRecord> = {}): ProviderRecord {
    return {
      id: (overrides.name ?? "fake") as ProviderId,
      name: "fake",
      baseUrl: this.baseUrl,
      apiKey: "sk-upstream",
      models: ["remote-model"],
      priority: 100,
      timeoutMs: 5000,
      createdAt: 1_700_000_000_000,
      ...overrides,
    };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A JSON answer; `headers` adds e.g. `retry-after`. */
export function respondJson(status: number, body: unknown, headers: Record<string, string> = {}): UpstreamScript {
  return (response) => {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify(body));
  };
}

const noScriptLeft = respondJson(500, { error: { message: "no script left" } });

/** SSE frames for the given chunks, optionally followed by `data: [DONE]`. */
export function sseFrames(chunks: readonly unknown[], done = true): string {
  return chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join("") + (done ? "data: [DONE]\n\n" : "");
}

/** A complete SSE stream, written as the given raw pieces (to split lines across TCP writes). */
export function respondSseRaw(pieces: readonly string[]): UpstreamScript {
  return async (response) => {
    response.writeHead(200, { "content-type": "text/event-stream" });
    for (const piece of pieces) {
      response.write(piece);
      await new Promise((resolve) => setImmediate(resolve));
    }
    response.end();
  };
}

export function respondSse(chunks: readonly unknown[]): UpstreamScript {
  return respondSseRaw([sseFrames(chunks)]);
}

/** Sends the chunks, then destroys the connection without finishing the response. */
export function respondSseThenCut(chunks: readonly unknown[]): UpstreamScript {
  return (response) => {
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.write(sseFrames(chunks, false), () => setTimeout(() => response.destroy(), 20));
  };
}

/** Sends `count` content deltas ("0 ", "1 ", …) without a finish, then destroys the connection. */
export function respondSseCutAfter(count: number): UpstreamScript {
  return respondSseThenCut(Array.from({ length: count }, (_, index) => chatDelta(`${index} `)));
}

/** Sends the chunks and keeps the connection open until the client closes it. */
export function respondSseThenHold(chunks: readonly unknown[]): UpstreamScript {
  return (response) => {
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.write(sseFrames(chunks, false));
  };
}

/** Never sends headers (the client times out); the connection closes when the client gives up. */
export const respondNever: UpstreamScript = () => {};

/** A `chat.completion.chunk` with a content delta. */
export function chatDelta(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: "chatcmpl-1", object: "chat.completion.chunk", model: "remote-model", choices: [{ index: 0, delta: { content }, finish_reason: null, ...extra }] };
}

export function chatFinish(finishReason: string): Record<string, unknown> {
  return { id: "chatcmpl-1", object: "chat.completion.chunk", model: "remote-model", choices: [{ index: 0, delta: {}, finish_reason: finishReason }] };
}

export function usageChunk(usage: Record<string, unknown>): Record<string, unknown> {
  return { id: "chatcmpl-1", object: "chat.completion.chunk", model: "remote-model", choices: [], usage };
}
