import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { toRegisteredModelView } from "../../src/api/admin/model-view.js";
import type { toRowView } from "../../src/api/admin/usage-routes.js";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const aiplusBin = path.join(repositoryRoot, "bin", "aiplus.js");

export type AiplusRun = { code: number | null; stdout: string; stderr: string };

/** A usage row as `aiplus usage --json` prints it: the `/v1/admin/usage` view. */
export type UsageRowJson = ReturnType<typeof toRowView>;
/** A model as `aiplus models … --json` prints it: the `/v1/admin/models` view without the runtime's state. */
export type ModelJson = ReturnType<typeof toRegisteredModelView>;

/** A fresh state folder for one test file. */
export function temporaryHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-cli-"));
}

/** Environment of a CLI run: only the state folder and one llama.cpp thread from aiplus's own settings. */
export function cliEnvironment(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, AIPLUS_HOME: home, AIPLUS_THREADS: "1", ...extra };
  for (const name of ["AIPLUS_DATABASE_URL", "AIPLUS_MODELS_DIR", "AIPLUS_CONFIG", "AIPLUS_ADMIN_KEY", "AIPLUS_DEBUG"]) {
    if (!(name in extra)) delete environment[name];
  }
  return environment;
}

/** Runs `node bin/aiplus.js …` to completion, optionally feeding `input` on stdin. */
export function runAiplus(args: string[], options: { home: string; input?: string; env?: Record<string, string> }): Promise<AiplusRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [aiplusBin, ...args], {
      cwd: repositoryRoot,
      env: cliEnvironment(options.home, options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** Parses the stdout of a `--json` run, failing with the run's stderr when it is not JSON. */
export function jsonOf<Value = unknown>(run: AiplusRun): Value {
  try {
    return JSON.parse(run.stdout) as Value;
  } catch {
    throw new Error(`expected JSON on stdout (exit ${run.code}); stdout: ${run.stdout}; stderr: ${run.stderr}`);
  }
}

/** Asserts the shape of a failed run: exactly one `aiplus: …` line on stderr and no stack trace. */
export function oneLineError(run: AiplusRun): string {
  const lines = run.stderr.split("\n").filter((line) => line !== "");
  if (lines.length !== 1 || !lines[0]?.startsWith("aiplus: ") || /\n\s+at /.test(run.stderr)) {
    throw new Error(`expected one "aiplus: …" line on stderr, got: ${JSON.stringify(run.stderr)}`);
  }
  return lines[0];
}

export type RunningServe = {
  /** Base URL of the OpenAI-compatible API (ends in `/v1`). */
  apiUrl: string;
  stdout: () => string;
  /** What the server wrote to stderr so far. */
  stderr: () => string;
  /** Sends `signal` without waiting. */
  signal: (signal: NodeJS.Signals) => void;
  /** Resolves once the process has exited. */
  exited: Promise<AiplusRun>;
  /** Sends `signal` and waits for the exit. */
  stop: (signal?: NodeJS.Signals) => Promise<AiplusRun>;
};

/** Starts `aiplus serve --port 0` and waits until it prints its URL. */
export function startAiplusServe(options: { home: string; env?: Record<string, string>; cwd?: string }): Promise<RunningServe> {
  const child = spawn(process.execPath, [aiplusBin, "serve", "--port", "0"], {
    cwd: options.cwd ?? repositoryRoot,
    env: cliEnvironment(options.home, { AIPLUS_LOG_LEVEL: "warn", ...options.env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<AiplusRun>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const match = /serving the OpenAI-compatible API at (http:\/\/\S+\/v1)/.exec(stdout);
      if (match?.[1] && stdout.endsWith("\n")) {
        resolve({
          apiUrl: match[1],
          stdout: () => stdout,
          stderr: () => stderr,
          signal: (signal) => void child.kill(signal),
          exited,
          stop: (signal = "SIGTERM") => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((run) => reject(new Error(`aiplus serve exited early (${run.code}): ${run.stderr}`)));
  });
}
