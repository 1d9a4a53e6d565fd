/**
 * A native engine worker never outlives aiplus: after `kill -9` of the API server its llama-server workers are gone too
 * (no orphan keeps the model's memory), and a restarted server serves again. Fails (never skips) without the native build.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, describe, expect, it } from "vitest";
import { useNativeEngine } from "../support/engine.js";
import { spawnServer, type ServerProcess } from "../support/spawn-server.js";
import { testModelPath } from "../support/test-models.js";

useNativeEngine();

const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-native-orphans-"));
const adminKey = "aip_native_orphans_admin_key_0123456789";
const environment = { AIPLUS_HOME: home, AIPLUS_ADMIN_KEY: adminKey, AIPLUS_THREADS: "1", AIPLUS_GPU: "cpu", AIPLUS_LOG_LEVEL: "warn", AIPLUS_ENGINE: "native" };
const servers: ServerProcess[] = [];
afterAll(async () => {
  for (const server of servers) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    await server.exited;
  }
  fs.rmSync(home, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("native workers and the API server's life", () => {
  it("kill -9 of the API server takes its workers with it; the next server serves again", async () => {
    const first = await spawnServer(environment);
    servers.push(first);
    const client = new OpenAI({ apiKey: adminKey, baseURL: `${first.url}/v1`, maxRetries: 0 });
    await client.post("/admin/models", { body: { path: await testModelPath("stories260K.gguf"), name: "stories" } });
    const completion = await client.chat.completions.create({ model: "stories", messages: [{ role: "user", content: "Hi" }], max_tokens: 3 });
    expect(completion.usage?.completion_tokens).toBe(3);
    const runtime = await client.get<{ workers: { model: string; pid: number }[] }>("/admin/runtime");
    const workerPid = runtime.workers.find((worker) => worker.model === "stories")!.pid;
    expect(alive(workerPid)).toBe(true);

    first.child.kill("SIGKILL");
    await first.exited;
    for (let attempt = 0; attempt < 100 && alive(workerPid); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive(workerPid)).toBe(false);

    const second = await spawnServer(environment);
    servers.push(second);
    const again = new OpenAI({ apiKey: adminKey, baseURL: `${second.url}/v1`, maxRetries: 0 });
    const next = await again.chat.completions.create({ model: "stories", messages: [{ role: "user", content: "Hi" }], max_tokens: 3 });
    expect(next.usage?.completion_tokens).toBe(3);
  });
});
