import { chatDelta, chatFinish, FakeUpstream, respondJson, respondSse, usageChunk, type UpstreamScript } from "./fake-upstream.js";

/** Holds answers until opened (so calls stay in flight while a test looks at them). */
export class Gate {
  private release: () => void = () => {};
  private readonly opened = new Promise<void>((resolve) => (this.release = resolve));

  wait(): Promise<void> {
    return this.opened;
  }

  open(): void {
    this.release();
  }
}

/** A chat answer naming the member that served it. */
export function answerFrom(name: string): UpstreamScript {
  return respondSse([chatDelta(`from ${name}`), chatFinish("stop"), usageChunk({ prompt_tokens: 3, completion_tokens: 2 })]);
}

/** Answers after the gate opens. */
export function afterGate(gate: Gate, script: UpstreamScript): UpstreamScript {
  return async (response, request) => {
    await gate.wait();
    await script(response, request);
  };
}

export const upstreamFailure = respondJson(500, { error: { message: "engine crashed" } });

/**
 * One engine of a pool: a fake OpenAI-compatible upstream whose `GET /models` answers a model list while `healthy`
 * (503 otherwise) and whose chat completions follow `chat` (default: an answer naming the member).
 */
export class PoolMember {
  healthy = true;
  chat: UpstreamScript;

  private constructor(
    readonly name: string,
    readonly upstream: FakeUpstream,
  ) {
    this.chat = answerFrom(name);
    upstream.fallback = (response, request) => {
      if (request.method === "GET" && request.url?.endsWith("/models")) {
        if (this.healthy) void respondJson(200, { object: "list", data: [{ id: "pooled-model", object: "model" }] })(response, request);
        else void respondJson(503, { error: { message: `${name} is restarting` } })(response, request);
        return;
      }
      return this.chat(response, request);
    };
  }

  static async start(name: string): Promise<PoolMember> {
    return new PoolMember(name, await FakeUpstream.start());
  }

  get baseUrl(): string {
    return this.upstream.baseUrl;
  }

  /** Chat completions received so far (health checks left out). */
  get chatHits(): number {
    return this.upstream.hits.filter((hit) => hit.path.endsWith("/chat/completions")).length;
  }

  /** Health checks received so far. */
  get modelListHits(): number {
    return this.upstream.hits.filter((hit) => hit.path.endsWith("/models")).length;
  }

  stop(): Promise<void> {
    return this.upstream.stop();
  }
}

/** Resolves once the members together received `count` chat completions. */
export async function waitForChatHits(members: readonly PoolMember[], count: number): Promise<void> {
  while (members.reduce((sum, member) => sum + member.chatHits, 0) < count) await new Promise((resolve) => setTimeout(resolve, 5));
}
