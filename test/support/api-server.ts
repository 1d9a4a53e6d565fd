import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { pino } from "pino";
import { loadConfig, type ConfigInput } from "../../src/config/index.js";
import { createPlatform, type Platform } from "../../src/platform/index.js";
import { testEngine } from "./engine.js";
import { testModelPath, type TestModelFile } from "./test-models.js";

/** A real aiplus server on a random port over a temporary AIPLUS_HOME. */
export type TestServer = {
  platform: Platform;
  url: string;
  home: string;
  adminKey: string;
  /** An openai client with the admin key. */
  admin: OpenAI;
  /** An openai client for `apiKey`. */
  client(apiKey: string, options?: { maxRetries?: number }): OpenAI;
  /** Registers a test model under `name` through the admin API. */
  addModel(file: TestModelFile, name: string): Promise<void>;
  /** Creates an API key through the admin API; returns the secret. */
  createKey(options: Record<string, unknown> & { name: string }): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
};

/** Starts createPlatform in this process with 1 thread, CPU only, silent logs, a 2 s drain on dispose (overridable). */
export async function startTestServer(settings: Partial<Record<keyof ConfigInput, string | number>> = {}): Promise<TestServer> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-api-"));
  const adminKey = `aip_test_admin_${Math.random().toString(36).slice(2)}_0123456789`;
  const config = loadConfig({
    environment: {},
    flags: { home, port: 0, threads: 1, gpu: "cpu", logLevel: "silent", adminKey, drainSeconds: 2, engine: testEngine(), nativeDir: process.env.AIPLUS_NATIVE_DIR, ...settings },
  });
  const platform = await createPlatform({ config, logger: pino({ level: config.logLevel }) });
  const { url } = await platform.start();
  const client = (apiKey: string, options: { maxRetries?: number } = {}) =>
    new OpenAI({ apiKey, baseURL: `${url}/v1`, maxRetries: options.maxRetries ?? 0, timeout: 120_000 });
  const admin = client(adminKey);
  return {
    platform,
    url,
    home,
    adminKey,
    admin,
    client,
    async addModel(file, name) {
      await admin.post("/admin/models", { body: { path: await testModelPath(file), name } });
    },
    async createKey(options) {
      return admin.post<{ id: string; key: string }>("/admin/keys", { body: options });
    },
    async close() {
      await platform.dispose();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
