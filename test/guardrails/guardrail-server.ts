import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type http from "node:http";
import OpenAI from "openai";
import { pino } from "pino";
import { loadConfig } from "../../src/config/index.js";
import type { PiiScanner, ScannerOptions } from "../../src/guardrails/index.js";
import { createPlatform, type Platform } from "../../src/platform/index.js";
import { FakeUpstream, sseFrames, type UpstreamHit } from "../gateway/fake-upstream.js";

/** A real aiplus server with guardrails, over a temp home, plus a fake upstream provider `upstream` serving `remote-model`. */
export type GuardrailServer = {
  platform: Platform;
  /** The state folder (database, secret): the CLI can read it while the server runs. */
  home: string;
  url: string;
  adminKey: string;
  admin: OpenAI;
  upstream: FakeUpstream;
  client(apiKey: string): OpenAI;
  createKey(body: Record<string, unknown> & { name: string }): Promise<{ id: string; key: string }>;
  /** Sets a policy through the admin API (YAML/JSON text or an object). */
  setPolicy(name: string, policy: unknown): Promise<{ version: number }>;
  close(): Promise<void>;
};

/**
 * Starts the platform in-process (1 thread, CPU, silent) with `createGuardrailScanner` (detector fault injection
 * wraps the real detectors) and registers the fake upstream.
 */
export async function startGuardrailServer(options: { createGuardrailScanner?: (options: ScannerOptions) => PiiScanner } = {}): Promise<GuardrailServer> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-guard-"));
  const adminKey = `aip_test_admin_${Math.random().toString(36).slice(2)}_0123456789`;
  const config = loadConfig({ environment: {}, flags: { home, port: 0, threads: 1, gpu: "cpu", logLevel: "silent", adminKey, drainSeconds: 1, retryAttempts: 0 } });
  const platform = await createPlatform({ config, logger: pino({ level: "silent" }), createGuardrailScanner: options.createGuardrailScanner });
  const { url } = await platform.start();
  const upstream = await FakeUpstream.start();
  const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${url}/v1`, maxRetries: 0, timeout: 60_000 });
  const admin = client(adminKey);
  await admin.post("/admin/providers", { body: { name: "upstream", base_url: upstream.baseUrl, api_key: "sk-upstream", models: ["remote-model", "remote-embed"] } });
  return {
    platform,
    home,
    url,
    adminKey,
    admin,
    upstream,
    client,
    createKey: (body) => admin.post<{ id: string; key: string }>("/admin/keys", { body }),
    setPolicy: (name, policy) => admin.post<{ version: number }>("/admin/policies", { body: { name, policy } }),
    async close() {
      await platform.dispose();
      await upstream.stop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Every text the upstream received in a request body (message contents, tool arguments, prompts, inputs). */
export function receivedText(hit: UpstreamHit): string {
  return JSON.stringify(hit.body);
}

/** The last user message of a chat request the upstream received. */
export function lastUserMessage(hit: UpstreamHit): string {
  const messages = (hit.body.messages ?? []) as Array<{ role: string; content: string }>;
  return [...messages].reverse().find((message) => message.role === "user")?.content ?? "";
}

/** Answers a chat request over SSE with `reply(request)` cut into `chunks` (default: pieces of 3 characters). */
export function respondWith(upstream: FakeUpstream, reply: (hit: UpstreamHit) => string, chunks: (text: string) => string[] = (text) => text.match(/[\s\S]{1,3}/g) ?? []) {
  return (response: http.ServerResponse): void => {
    const hit = upstream.hits.at(-1)!;
    const text = reply(hit);
    const frames = [
      ...chunks(text).map((piece) => ({ id: "c", object: "chat.completion.chunk", model: "remote-model", choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })),
      { id: "c", object: "chat.completion.chunk", model: "remote-model", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
      { id: "c", object: "chat.completion.chunk", model: "remote-model", choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } },
    ];
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.end(sseFrames(frames));
  };
}
