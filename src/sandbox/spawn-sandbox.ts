import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { z } from "zod";
import { SandboxUnavailableError } from "../spec/index.js";
import { BoundedOutput } from "./bounded-output.js";
import { bubblewrapArguments, sandboxDescriptors, sandboxUserId } from "./bubblewrap-arguments.js";
import type { ResolvedSandboxLimits } from "./resolve-sandbox-limits.js";
import { buildSeccompFilter } from "./seccomp-filter.js";
import type { SandboxLanguage } from "./types.js";

export type SpawnSandboxOptions = {
  bubblewrap: string;
  language: SandboxLanguage;
  program: string;
  stdin: string;
  limits: ResolvedSandboxLimits;
  signal: AbortSignal | undefined;
};

/** What happened to one bwrap process, before it is read as a `SandboxResult`. */
export type SandboxOutcome = {
  /** Whether bwrap finished its setup and started the program (it reported the child's pid). */
  started: boolean;
  /** The program's exit code as bwrap reported it (128 + N for signal N); undefined when it was killed or never ran. */
  exitCode: number | undefined;
  /** Set when the sandbox was killed by us. */
  killedFor: "wall time limit" | "output limit" | undefined;
  stdout: BoundedOutput;
  stderr: BoundedOutput;
  durationMilliseconds: number;
};

const statusSchema = z.looseObject({ "child-pid": z.number().optional(), "exit-code": z.number().optional() });

/**
 * Starts bwrap with the program, the seccomp filter and stdin on pipes; enforces the wall-clock and output limits
 * by killing bwrap, whose death takes the sandbox's PID namespace (every process in it) along (`--die-with-parent`).
 * When this server runs as root, bwrap itself runs as `nobody`: then nothing in the sandbox maps to the host's root,
 * and the kernel enforces RLIMIT_NPROC (which never binds a process whose real user is root).
 * Aborting kills the sandbox and rejects with the signal's reason.
 */
export function spawnSandbox(options: SpawnSandboxOptions): Promise<SandboxOutcome> {
  const { limits, signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const startedAt = performance.now();
  const runAsNobody = process.getuid?.() === 0;
  return new Promise<SandboxOutcome>((resolve, reject) => {
    const child = spawn(options.bubblewrap, bubblewrapArguments(options.language, limits), {
      env: {},
      cwd: "/",
      detached: true,
      stdio: ["pipe", "pipe", "pipe", "pipe", "pipe", "pipe"],
      ...(runAsNobody ? { uid: sandboxUserId, gid: sandboxUserId } : {}),
    });
    const stdout = new BoundedOutput(limits.keptOutputBytes);
    const stderr = new BoundedOutput(limits.keptOutputBytes);
    let statusText = "";
    let killedFor: SandboxOutcome["killedFor"];
    let settled = false;

    let exited = false;
    child.on("exit", () => (exited = true));
    // Only while bwrap has not exited: afterwards its process group id may belong to someone else.
    const kill = () => {
      if (exited || child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const killFor = (reason: NonNullable<SandboxOutcome["killedFor"]>) => {
      killedFor ??= reason;
      kill();
    };
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      action();
    };

    const onOutput = (output: BoundedOutput) => (chunk: Buffer) => {
      output.push(chunk);
      if (stdout.total + stderr.total > limits.outputLimitBytes) killFor("output limit");
    };
    child.stdout.on("data", onOutput(stdout));
    child.stderr.on("data", onOutput(stderr));
    const pipe = (index: number) => (child.stdio as readonly unknown[])[index];
    const status = pipe(sandboxDescriptors.status) as Readable;
    status.on("data", (chunk: Buffer) => {
      if (statusText.length < 64 * 1024) statusText += chunk.toString("utf8");
    });
    status.on("error", () => undefined);

    // Inputs go through pipes: bwrap copies the program into the sandbox and loads the filter from them.
    const send = (index: number, data: string | Buffer) => {
      const stream = pipe(index) as Writable;
      stream.on("error", () => undefined); // bwrap or the program may exit without reading everything
      stream.end(data);
    };
    send(0, options.stdin);
    send(sandboxDescriptors.program, options.program);
    send(sandboxDescriptors.seccomp, buildSeccompFilter());

    const timer = setTimeout(() => killFor("wall time limit"), limits.wallTimeMilliseconds);
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      kill(); // rejected on "close", once every process of the sandbox is gone
    };
    signal?.addEventListener("abort", onAbort, { once: true });

    child.on("error", (error: NodeJS.ErrnoException) => {
      kill();
      finish(() =>
        reject(
          error.code === "ENOENT" || error.code === "EACCES"
            ? new SandboxUnavailableError({ message: `cannot start ${options.bubblewrap} (${error.code}): install bubblewrap (apt-get install bubblewrap)`, cause: error })
            : error,
        ),
      );
    });
    child.on("close", () => {
      // bwrap has exited: with it went the sandbox's PID namespace (its init dies with it, and every process with that)
      const reports = statusText
        .split("\n")
        .filter((line) => line.trim().length > 0)
        .map((line) => {
          try {
            return statusSchema.safeParse(JSON.parse(line)).data;
          } catch {
            return undefined;
          }
        });
      const started = reports.some((report) => report?.["child-pid"] !== undefined);
      const exitCode = reports.find((report) => report?.["exit-code"] !== undefined)?.["exit-code"];
      if (aborted) {
        finish(() => reject(signal!.reason));
        return;
      }
      finish(() =>
        resolve({
          started,
          exitCode: killedFor === undefined ? exitCode : undefined,
          killedFor,
          stdout,
          stderr,
          durationMilliseconds: Math.round(performance.now() - startedAt),
        }),
      );
    });
  });
}
