/**
 * The native engine's own behaviour: managed llama-server workers listed by `/v1/admin/runtime`, crash isolation
 * (kill -9 of a worker mid-stream), and bad input refused like on the in-process engine. Fails (never skips) when the
 * native build is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { useNativeEngine } from "../support/engine.js";

useNativeEngine();

type Worker = { model: string; engine: string; pid: number | null; state: string; slots_busy: number; slots_total: number; memory_bytes: number | null; restarts: number };
type RuntimeView = { engine: { active: string; requested: string; reason: string; native_built: boolean }; loaded: { name: string; engine: string }[]; workers: Worker[] };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ sequences: 4 });
  await server.addModel("stories260K.gguf", "stories");
  await server.addModel("llama-2-tiny-random.gguf", "tiny");
});
afterAll(async () => server?.close());

async function runtimeView(): Promise<RuntimeView> {
  return server.admin.get<RuntimeView>("/admin/runtime");
}

async function workerOf(model: string): Promise<Worker | undefined> {
  return (await runtimeView()).workers.find((worker) => worker.model === model);
}

/** Polls `read` until `done` holds. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await read();
    if (done(value) || attempt >= 200) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}/v1${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("native engine workers", () => {
  it("serves a model from a llama-server worker that /v1/admin/runtime lists with its pid, slots and memory", async () => {
    const completion = await server.admin.chat.completions.create({ model: "stories", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 8, temperature: 0 });
    expect(completion.usage?.completion_tokens).toBe(8);
    const view = await runtimeView();
    expect(view.engine).toMatchObject({ active: "native", requested: "native", native_built: true });
    expect(view.loaded.find((model) => model.name === "stories")?.engine).toBe("native");
    const worker = view.workers.find((entry) => entry.model === "stories");
    expect(worker).toMatchObject({ engine: "native", state: "ready", slots_busy: 0, slots_total: 4, restarts: 0 });
    expect(Number.isInteger(worker?.pid)).toBe(true);
    expect(worker!.memory_bytes).toBeGreaterThan(0);
  });

  it("kill -9 of a worker mid-stream ends that stream with an error settled as interrupted; other models serve and the next request restarts it", async () => {
    await server.admin.chat.completions.create({ model: "tiny", messages: [{ role: "user", content: "Hi" }], max_tokens: 2 });
    const tinyPid = (await workerOf("tiny"))?.pid;
    const response = await post("/chat/completions", {
      model: "stories",
      messages: [{ role: "user", content: "Tell a very long story" }],
      max_tokens: 1500,
      logit_bias: { "2": -100 }, // never end of text
      stream: true,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    let killedPid: number | null | undefined;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
      if (killedPid === undefined && text.split("\n\n").length > 6) {
        killedPid = (await workerOf("stories"))?.pid;
        expect(Number.isInteger(killedPid)).toBe(true);
        process.kill(killedPid!, "SIGKILL");
      }
    }
    const events = text.split("\n\n").filter(Boolean).map((event) => event.replace(/^data: /, ""));
    expect(events.at(-1)).not.toBe("[DONE]");
    const last = JSON.parse(events.at(-1)!) as { error?: { code?: string; message?: string } };
    expect(last.error?.code).toBe("worker_crashed");
    const id = (JSON.parse(events[0]!) as { id: string }).id.replace(/^chatcmpl-/, "");
    const record = await eventually(
      async () => (await server.platform.maas.usage.list({ limit: 10_000 })).find((entry) => entry.id === id),
      (value) => value?.status !== "pending",
    );
    expect(record?.status).toBe("interrupted");
    expect(record?.outputTokens).toBeGreaterThan(0);

    // The other model's worker was untouched and serves on.
    const other = await server.admin.chat.completions.create({ model: "tiny", messages: [{ role: "user", content: "Hi" }], max_tokens: 3 });
    expect(other.usage?.completion_tokens).toBe(3);
    expect((await workerOf("tiny"))?.pid).toBe(tinyPid);

    // The next request to the crashed model starts its worker again.
    const next = await server.admin.chat.completions.create({ model: "stories", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 5, temperature: 0 });
    expect(next.usage?.completion_tokens).toBe(5);
    const restarted = await workerOf("stories");
    expect(restarted).toMatchObject({ state: "ready", restarts: 1 });
    expect(restarted?.pid).not.toBe(killedPid);
  });

  it("a cancelled stream frees its slot at once", async () => {
    const controller = new AbortController();
    const stream = await server.admin.chat.completions.create(
      { model: "stories", messages: [{ role: "user", content: "Tell a very long story" }], max_tokens: 1500, logit_bias: { "2": -100 }, stream: true },
      { signal: controller.signal },
    );
    let chunks = 0;
    try {
      for await (const chunk of stream) {
        chunks += chunk.choices[0]?.delta.content ? 1 : 0;
        if (chunks === 3) {
          expect((await workerOf("stories"))?.slots_busy).toBe(1);
          controller.abort();
        }
      }
    } catch (error) {
      expect((error as Error).name).toMatch(/Abort/);
    }
    const worker = await eventually(() => workerOf("stories"), (value) => value?.slots_busy === 0);
    expect(worker?.slots_busy).toBe(0);
  });

  it("unloading a model stops its worker process and frees its memory in the pool", async () => {
    await server.admin.chat.completions.create({ model: "tiny", messages: [{ role: "user", content: "Hi" }], max_tokens: 2 });
    const pid = (await workerOf("tiny"))?.pid;
    expect(Number.isInteger(pid)).toBe(true);
    await server.admin.post("/admin/models/tiny/unload");
    expect(await workerOf("tiny")).toBeUndefined();
    expect((await runtimeView()).loaded.map((model) => model.name)).not.toContain("tiny");
    expect(() => process.kill(pid!, 0)).toThrow(/ESRCH/);
    const again = await server.admin.chat.completions.create({ model: "tiny", messages: [{ role: "user", content: "Hi" }], max_tokens: 2 });
    expect(again.usage?.completion_tokens).toBe(2);
    expect((await workerOf("tiny"))?.restarts).toBe(0); // a new worker, not a restart
  });

  it("refuses bad input with OpenAI errors naming the parameter", async () => {
    const messages = [{ role: "user", content: "Hi" }];
    const cases: { body: Record<string, unknown>; param: string; code?: string }[] = [
      { body: { model: "stories", messages, max_tokens: 5, logprobs: true, top_logprobs: 21 }, param: "top_logprobs" },
      { body: { model: "stories", messages: [{ role: "user", content: "word ".repeat(4000) }], max_tokens: 5 }, param: "messages", code: "context_length_exceeded" },
      { body: { model: "stories", messages, max_tokens: 100_000 }, param: "max_tokens", code: "context_length_exceeded" },
      { body: { model: "stories", messages, tools: [{ type: "function", function: { name: "a", parameters: { type: "object" } } }], tool_choice: { type: "function", function: { name: "b" } } }, param: "tool_choice" },
    ];
    for (const { body, param, code } of cases) {
      const response = await post("/chat/completions", body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const error = ((await response.json()) as { error: { param: string; code: string | null } }).error;
      expect(error.param).toBe(param);
      if (code) expect(error.code).toBe(code);
    }
    const next = await server.admin.chat.completions.create({ model: "stories", messages: [{ role: "user", content: "Hi" }], max_tokens: 2 });
    expect(next.usage?.completion_tokens).toBe(2);
  });
});
