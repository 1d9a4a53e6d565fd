import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKeyRepository, createUsageRecordRepository, openDatabase, type UsageRecord } from "../../src/store/index.js";
import { testModelPath } from "../support/test-models.js";
import { type RunningServe, runAiplus, startAiplusServe, temporaryHome } from "./run-aiplus.js";

// Graceful shutdown of a real `aiplus serve` process: running requests get the drain time to finish; the ones still
// running after it end with a 503 / an SSE error event (never a normal finish), and their ledger rows are settled.
const adminKey = "aip_shutdown_test_admin_key_0123456789";
let home: string;
let serve: RunningServe | undefined;

beforeAll(async () => {
  home = temporaryHome();
  expect((await runAiplus(["models", "add", await testModelPath("stories260K.gguf"), "--name", "stories"], { home })).code).toBe(0);
  expect((await runAiplus(["prices", "set", "stories", "--input", "1000", "--output", "2000"], { home })).code).toBe(0);
});

afterAll(async () => {
  await serve?.stop("SIGKILL");
  fs.rmSync(home, { recursive: true, force: true });
});

/** A streamed request read event by event. */
type StreamedRequest = { id: string; events: string[]; contentChunks: number; ended: Promise<void> };

function post(apiUrl: string, key: string, path: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${apiUrl}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** A long story: 2500 tokens with the end-of-sequence token (2) banned. */
function longStory(stream: boolean): Record<string, unknown> {
  return { model: "stories", messages: [{ role: "user", content: "Tell a long story" }], max_tokens: 2500, logit_bias: { "2": -100 }, stream };
}

async function startStream(apiUrl: string, key: string, body: Record<string, unknown>): Promise<StreamedRequest> {
  const response = await post(apiUrl, key, "/chat/completions", { ...body, stream: true });
  expect(response.status).toBe(200);
  const state: StreamedRequest = { id: "", events: [], contentChunks: 0, ended: Promise.resolve() };
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  state.ended = (async () => {
    let buffer = "";
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      buffer += next.value;
      const frames = buffer.split("\n\n");
      buffer = frames.pop() ?? "";
      for (const frame of frames) {
        const data = frame.replace(/^data: /, "");
        state.events.push(data);
        if (data === "[DONE]") continue;
        const event = JSON.parse(data) as { id?: string; choices?: { delta?: { content?: string } }[] };
        if (event.id) state.id = event.id;
        if (event.choices?.[0]?.delta?.content) state.contentChunks++;
      }
    }
  })();
  state.ended.catch(() => undefined); // awaited by the test; a connection that dies with the server is not unhandled
  return state;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function ledger(): Promise<{ records: UsageRecord[]; reservedNanos: number; spentNanos: number }> {
  const database = await openDatabase(`sqlite:${home}/aiplus.db`);
  try {
    const records = await createUsageRecordRepository(database).list({ limit: 1000 });
    const keys = (await createApiKeyRepository(database).list()).filter((key) => key.name === "shutdown");
    return { records, reservedNanos: keys.reduce((sum, key) => sum + key.reservedNanos, 0), spentNanos: keys.reduce((sum, key) => sum + key.spentNanos, 0) };
  } finally {
    await database.dispose();
  }
}

const recordOf = (records: UsageRecord[], responseId: string) => records.find((record) => responseId.endsWith(record.id));

describe("aiplus serve: graceful shutdown", () => {
  it("lets requests finish within the drain time, ends the rest with an error (never a normal finish) and settles them", async () => {
    serve = await startAiplusServe({ home, env: { AIPLUS_ADMIN_KEY: adminKey, AIPLUS_DRAIN_SECONDS: "1", AIPLUS_CONTEXT_SIZE: "4096", AIPLUS_SEQUENCES: "4" } });
    const { apiUrl } = serve;
    const created = await post(apiUrl, adminKey, "/admin/keys", { name: "shutdown", budget: 100 });
    const { key } = (await created.json()) as { key: string };
    // Loads the model, so that the short request below only generates.
    expect((await post(apiUrl, key, "/chat/completions", { model: "stories", messages: [{ role: "user", content: "Hi" }], max_tokens: 2 })).status).toBe(200);

    const streamed = await startStream(apiUrl, key, longStory(true));
    const whole = post(apiUrl, key, "/chat/completions", longStory(false));
    await until(() => streamed.contentChunks >= 20);
    const short = await startStream(apiUrl, key, { model: "stories", messages: [{ role: "user", content: "Once" }], max_tokens: 24, logit_bias: { "2": -100 } });
    await until(() => short.contentChunks >= 1);
    serve.signal("SIGTERM");
    await until(() => serve!.stderr().includes("aiplus: SIGTERM: shutting down"));

    // New requests are refused: 503 on an open connection, or no connection once the listener is closed.
    const late = await post(apiUrl, key, "/chat/completions", { model: "stories", messages: [{ role: "user", content: "Hi" }], max_tokens: 2 }).catch((error: unknown) => error);
    if (late instanceof Response) {
      expect(late.status).toBe(503);
      expect(late.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(((await late.json()) as { error: { code: string } }).error.code).toBe("server_shutting_down");
    } else {
      expect(late).toBeInstanceOf(TypeError); // fetch failed: connection refused
    }

    // The short request finishes inside the drain time: a normal end.
    await short.ended;
    expect(short.events.at(-1)).toBe("[DONE]");
    expect(short.events.some((event) => /"finish_reason":"(length|stop)"/.test(event))).toBe(true);

    // The long stream is cut: one error event, no finish reason, no [DONE].
    await streamed.ended;
    const last = JSON.parse(streamed.events.at(-1)!) as { error?: { code: string; type: string } };
    expect(last.error).toMatchObject({ code: "server_shutting_down", type: "server_error" });
    expect(streamed.events).not.toContain("[DONE]");
    expect(streamed.events.some((event) => /"finish_reason":"\w+"/.test(event))).toBe(false);

    // The long non-streamed request gets a 503, not a truncated 200.
    const wholeResponse = await whole;
    expect(wholeResponse.status).toBe(503);
    expect(wholeResponse.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await wholeResponse.json()) as { error: { code: string } }).error.code).toBe("server_shutting_down");

    const stopped = await serve.exited;
    serve = undefined;
    expect(stopped.code).toBe(0);

    const { records, reservedNanos, spentNanos } = await ledger();
    expect(records.filter((record) => record.status === "pending")).toEqual([]);
    expect(recordOf(records, short.id)).toMatchObject({ status: "ok" });
    // The cut stream is billed for what the client received.
    const streamedRecord = recordOf(records, streamed.id)!;
    expect(streamedRecord.status).toBe("interrupted");
    expect(streamedRecord.outputTokens).toBeGreaterThanOrEqual(streamed.contentChunks);
    expect(streamedRecord.outputTokens).toBeLessThan(2500);
    expect(streamedRecord.costNanos).toBeGreaterThan(0);
    expect(streamedRecord.costNanos).toBe(streamedRecord.providerCostNanos);
    // The non-streamed one answered 503: the key pays nothing, the provider cost of its tokens is kept.
    const wholeRecord = records.find((record) => record.id !== streamedRecord.id && record.status === "interrupted")!;
    expect(wholeRecord.outputTokens).toBeGreaterThan(0);
    expect(wholeRecord.costNanos).toBe(0);
    expect(wholeRecord.providerCostNanos).toBeGreaterThan(0);
    expect(records.filter((record) => record.status === "interrupted")).toHaveLength(2);
    expect(reservedNanos).toBe(0);
    expect(spentNanos).toBe(records.reduce((sum, record) => sum + (record.keyId === undefined ? 0 : record.costNanos), 0));
  }, 240_000);

  it("a second signal exits at once; the next start settles the request left open as interrupted", async () => {
    serve = await startAiplusServe({ home, env: { AIPLUS_ADMIN_KEY: adminKey, AIPLUS_CONTEXT_SIZE: "4096" } });
    const { apiUrl } = serve;
    const created = await post(apiUrl, adminKey, "/admin/keys", { name: "forced" });
    const { key } = (await created.json()) as { key: string };
    const streamed = await startStream(apiUrl, key, longStory(true));
    await until(() => streamed.contentChunks >= 5);
    serve.signal("SIGTERM");
    await until(() => serve!.stderr().includes("aiplus: SIGTERM: shutting down"));
    serve.signal("SIGTERM");
    const forced = await serve.exited;
    serve = undefined;
    expect(forced.code).toBe(1);
    expect(forced.stderr).toContain("aiplus: SIGTERM again: exiting now");
    await streamed.ended.catch(() => undefined); // the connection dies with the process
    expect(streamed.events).not.toContain("[DONE]");

    serve = await startAiplusServe({ home, env: { AIPLUS_ADMIN_KEY: adminKey } });
    const record = recordOf((await ledger()).records, streamed.id);
    expect(record).toMatchObject({ status: "interrupted" });
    expect(record!.outputTokens).toBeGreaterThanOrEqual(streamed.contentChunks);
    expect((await serve.stop("SIGTERM")).code).toBe(0);
    serve = undefined;
  }, 240_000);
});
