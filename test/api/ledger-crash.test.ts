import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer, type ServerProcess } from "../support/spawn-server.js";
import { testModelPath } from "../support/test-models.js";

/**
 * Write-ahead tolerance: the server checkpoints the ledger before a chunk goes out, `writeAheadTokens` (16) output
 * tokens ahead of the engine's last progress report. After kill -9 the record therefore bills at least every token
 * the client received, and at most one window more, plus the few chunks that were in the server's pipeline (encoded
 * but not yet on the socket) when it died: up to 8 in the stream stages and up to `maximumCoalescedEvents` (8) held
 * back by write coalescing (AIPLUS_STREAM_COALESCE_MS).
 */
const writeAheadTokens = 16;
const pipelineSlackTokens = 8 + 8;

const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-crash-"));
const adminKey = "aip_crash_test_admin_key_0123456789";
const environment = { AIPLUS_HOME: home, AIPLUS_ADMIN_KEY: adminKey, AIPLUS_THREADS: "1", AIPLUS_GPU: "cpu", AIPLUS_LOG_LEVEL: "warn", AIPLUS_SEQUENCES: "4" };
const children: ServerProcess[] = [];

afterAll(async () => {
  for (const server of children) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    await server.exited;
  }
  fs.rmSync(home, { recursive: true, force: true });
});

type UsageRecordView = { id: string; status: string; key_id: string; input_tokens: number | null; output_tokens: number | null };

describe("ledger crash safety", () => {
  it("after kill -9 mid-stream and a restart, every request has exactly one settled record covering what the client received", async () => {
    const first = await spawnServer(environment);
    children.push(first);
    const admin = new OpenAI({ apiKey: adminKey, baseURL: `${first.url}/v1`, maxRetries: 0 });
    await admin.post("/admin/models", { body: { path: await testModelPath("stories260K.gguf"), name: "stories" } });
    await admin.put("/admin/prices/stories", { body: { input_per_million: 1, output_per_million: 2 } });
    const { id: keyId, key } = await admin.post<{ id: string; key: string }>("/admin/keys", { body: { name: "crash", budget: 100 } });
    const client = new OpenAI({ apiKey: key, baseURL: `${first.url}/v1`, maxRetries: 0 });

    const finished = await client.chat.completions.create({ model: "stories", messages: [{ role: "user", content: "Hello" }], max_tokens: 8 });
    const streams = Array.from({ length: 3 }, () => ({ id: "", received: 0 }));
    let killed = false;
    const readers = streams.map(async (state, index) => {
      try {
        const stream = await client.chat.completions.create({
          model: "stories",
          messages: [{ role: "user", content: `Story ${index}` }],
          max_tokens: 1800,
          logit_bias: { "2": -100 },
          logprobs: true,
          stream: true,
        });
        for await (const chunk of stream) {
          state.id = chunk.id;
          state.received += chunk.choices[0]?.logprobs?.content?.length ?? 0;
          if (!killed && streams.every((other) => other.received >= 40)) {
            killed = true;
            first.child.kill("SIGKILL");
          }
        }
      } catch {
        // the connection dies with the server
      }
    });
    await Promise.all(readers);
    expect(killed).toBe(true);
    expect(await first.exited).toBe("SIGKILL");

    const second = await spawnServer(environment);
    children.push(second);
    const restarted = new OpenAI({ apiKey: adminKey, baseURL: `${second.url}/v1`, maxRetries: 0 });
    const records = (await restarted.get<{ data: UsageRecordView[] }>("/admin/usage/records", { query: { key_id: keyId } })).data;

    expect(records).toHaveLength(4);
    expect(records.filter((record) => record.status === "pending")).toEqual([]);
    const done = records.find((record) => `chatcmpl-${record.id}` === finished.id);
    expect(done).toMatchObject({ status: "ok", input_tokens: finished.usage!.prompt_tokens, output_tokens: finished.usage!.completion_tokens });
    for (const stream of streams) {
      const matching = records.filter((record) => `chatcmpl-${record.id}` === stream.id);
      expect(matching).toHaveLength(1);
      const record = matching[0]!;
      expect(record.status).toBe("interrupted");
      expect(record.input_tokens).toBeGreaterThan(0);
      expect(record.output_tokens).toBeGreaterThanOrEqual(stream.received);
      expect(record.output_tokens).toBeLessThanOrEqual(stream.received + writeAheadTokens + pipelineSlackTokens);
    }
    const keyView = await restarted.get<{ reserved: number; spent: number }>(`/admin/keys/${keyId}`);
    expect(keyView.reserved).toBe(0);
    const billed = records.reduce((sum, record) => sum + (record.input_tokens ?? 0) * 1 + (record.output_tokens ?? 0) * 2, 0) / 1e6;
    expect(keyView.spent).toBeCloseTo(billed, 9);

    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
