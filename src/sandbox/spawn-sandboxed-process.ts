import { spawn } from "node:child_process";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { InvalidRequestError } from "../spec/index.js";
import { BoundedOutput } from "./bounded-output.js";
import { processBubblewrapArguments, sandboxDescriptors, sandboxUserId } from "./bubblewrap-arguments.js";
import { resolveSandboxLimits } from "./resolve-sandbox-limits.js";
import { assertSandboxAvailable, defaultBubblewrapPath } from "./sandbox-availability.js";
import { buildSeccompFilter } from "./seccomp-filter.js";
import type { SandboxLimits } from "./types.js";

/** A long-lived process to start in the sandbox (e.g. a stdio MCP server). */
export type SandboxedProcessRequest = {
  /** Absolute path of the program (under /usr, or inside one of `binds`). */
  command: string;
  args?: readonly string[] | undefined;
  /** Set on top of the sandbox's fixed environment (PATH, HOME=/tmp, TMPDIR, LANG). */
  env?: Readonly<Record<string, string>> | undefined;
  /** Absolute host folders bound read-only at the same path (the command's own folder is added when outside /usr). */
  binds?: readonly string[] | undefined;
  /** Limits; the wall-time limit does not apply (the owner disposes of the process), CPU seconds default to 600. */
  limits?: Omit<SandboxLimits, "wallTimeMilliseconds" | "outputLimitBytes"> | undefined;
  /** Killed after this long without `touch()` (default: never). */
  idleMilliseconds?: number | undefined;
  bubblewrap?: string | undefined;
};

/** A running sandboxed process: its stdin and stdout, the tail of its stderr, and how to end it. */
export type SandboxedProcess = {
  stdin: Writable;
  stdout: Readable;
  /** The last bytes it wrote to stderr. */
  stderrTail(): string;
  /** Resolves once bwrap (and with it every process of the sandbox) is gone. */
  exited: Promise<void>;
  /** Restarts the idle timer. */
  touch(): void;
  /** Kills the whole sandbox; resolves once it is gone. */
  dispose(): Promise<void>;
};

/**
 * Starts a long-lived process in the same bubblewrap sandbox `runSandboxed` uses (every namespace unshared, so no
 * network; read-only /usr plus read-only `binds`; a private /tmp; seccomp; rlimits), with stdin and stdout on pipes.
 * Throws SandboxUnavailableError (503 `sandbox_unavailable`) where the sandbox cannot run: never runs it unsandboxed.
 */
export async function spawnSandboxedProcess(request: SandboxedProcessRequest): Promise<SandboxedProcess> {
  for (const file of [request.command, ...(request.binds ?? [])]) {
    if (!path.isAbsolute(file) || file.includes("\0")) throw new InvalidRequestError({ message: `sandboxed paths must be absolute: ${JSON.stringify(file)}`, param: "command" });
  }
  const limits = resolveSandboxLimits({ memoryMegabytes: 2048, cpuSeconds: 600, processes: 64, ...request.limits, wallTimeMilliseconds: 600_000 });
  const bubblewrap = request.bubblewrap ?? defaultBubblewrapPath();
  await assertSandboxAvailable(bubblewrap);
  const folder = path.dirname(request.command);
  const binds = [...new Set([...(request.binds ?? []), ...(folder === "/usr" || folder.startsWith("/usr/") ? [] : [folder])])];
  const runAsNobody = process.getuid?.() === 0;
  const child = spawn(bubblewrap, processBubblewrapArguments(limits, { command: request.command, args: request.args ?? [], env: request.env ?? {}, binds }), {
    env: {},
    cwd: "/",
    detached: true,
    stdio: ["pipe", "pipe", "pipe", "pipe", "pipe", "pipe"],
    ...(runAsNobody ? { uid: sandboxUserId, gid: sandboxUserId } : {}),
  });
  const pipe = (index: number) => (child.stdio as readonly unknown[])[index] as Writable & Readable;
  pipe(sandboxDescriptors.program).on("error", () => undefined).end();
  pipe(sandboxDescriptors.seccomp).on("error", () => undefined).end(buildSeccompFilter());
  pipe(sandboxDescriptors.status).on("error", () => undefined).resume();
  const stderr = new BoundedOutput(limits.keptOutputBytes);
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on("error", () => undefined);

  let gone = false;
  const exited = new Promise<void>((resolve) => {
    child.on("close", () => {
      gone = true;
      clearTimeout(idleTimer);
      resolve();
    });
    child.on("error", () => {
      gone = true;
      resolve();
    });
  });
  const kill = () => {
    if (gone || child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  let idleTimer: NodeJS.Timeout | undefined;
  const touch = () => {
    if (request.idleMilliseconds === undefined || gone) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(kill, request.idleMilliseconds);
    idleTimer.unref();
  };
  touch();
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderrTail: () => stderr.text(),
    exited,
    touch,
    async dispose() {
      kill();
      await exited;
    },
  };
}
