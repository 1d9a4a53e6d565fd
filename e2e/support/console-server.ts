import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The tiny models from `AIPLUS_TEST_MODELS`, else `../shared/models` (see ../shared/models/README.md). */
export function testModelPath(file: string): string {
  const folders = [process.env.AIPLUS_TEST_MODELS, path.resolve(repositoryRoot, "../shared/models")].filter((folder): folder is string => Boolean(folder));
  for (const folder of folders) {
    const candidate = path.join(folder, file);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`test model ${file} not found in ${folders.join(", ")}: set AIPLUS_TEST_MODELS`);
}

/** A real `aiplus serve` (test/support/server-process.ts) in a child process with its own state folder. */
export type ConsoleServer = {
  url: string;
  adminKey: string;
  home: string;
  child: ChildProcess;
  /** A JSON request with the admin key (or `key`); throws on an error answer. */
  request<T = unknown>(method: string, route: string, body?: unknown, key?: string): Promise<T>;
  stop(): Promise<void>;
};

export async function startConsoleServer(environment: Record<string, string> = {}): Promise<ConsoleServer> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-console-"));
  const adminKey = `aip_console_admin_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const child = spawn(process.execPath, ["--import", pathToFileURL(path.join(repositoryRoot, "node_modules/tsx/dist/loader.mjs")).href, path.join(repositoryRoot, "test/support/server-process.ts")], {
    cwd: os.tmpdir(), // the console must load whatever the working directory
    env: {
      ...process.env,
      AIPLUS_HOME: home,
      AIPLUS_ADMIN_KEY: adminKey,
      AIPLUS_THREADS: process.env.AIPLUS_THREADS ?? "1",
      AIPLUS_CONTEXT_SIZE: "512",
      // The console's tests exercise the screens, on the zero-build engine unless told otherwise; the engine suites
      // (test/api/native-*.test.ts) run the API on the native engine.
      AIPLUS_ENGINE: process.env.AIPLUS_ENGINE ?? "node-llama-cpp",
      AIPLUS_LOG_LEVEL: "warn",
      AIPLUS_CONSOLE_DIR: process.env.AIPLUS_CONSOLE_DIR ?? path.join(repositoryRoot, "web", "dist"),
      ...environment,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = readline.createInterface({ input: child.stdout });
  const first = await Promise.race([
    new Promise<string>((resolve) => lines.once("line", resolve)),
    exited.then(() => Promise.reject(new Error("the aiplus server exited before it listened"))),
  ]);
  lines.close();
  const { url } = JSON.parse(first) as { url: string };

  async function request<T>(method: string, route: string, body?: unknown, key = adminKey): Promise<T> {
    const response = await fetch(new URL(route, url), {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  return {
    url,
    adminKey,
    home,
    child,
    request,
    async stop() {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
