import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { ServiceUnavailableError } from "../../spec/index.js";
import type { RuntimeLogger } from "../runtime-options.js";

/** How one worker runs: its model file and llama-server's settings. */
export type WorkerSettings = {
  serverPath: string;
  modelPath: string;
  /** The model's name, for logs and errors. */
  modelName: string;
  threads: number;
  /** Parallel sequences (llama-server `--parallel`). */
  slots: number;
  /** Layers offloaded to the GPU (`--n-gpu-layers`): 0 on a CPU build or with AIPLUS_GPU=cpu. */
  gpuLayers?: number | undefined;
  /** Tokens per slot (the worker gets `slots × contextSize`). */
  contextSize: number;
  /** An embedding worker (`--embedding`, one slot per input batch). */
  embedding: boolean;
  /** A multimodal projector (`--mmproj`): the worker then takes images, placed at {@link workerMediaMarker}. */
  projectorPath?: string | undefined;
  logger: RuntimeLogger;
  /** Milliseconds to wait for `/health` after a start. Defaults to 120 000. */
  startTimeoutMs?: number | undefined;
};

/** Where a worker is in its life. */
export type WorkerState = "stopped" | "starting" | "ready" | "crashed" | "stopping";

/** What `GET /v1/admin/runtime` shows of a worker. */
export type WorkerSnapshot = {
  state: WorkerState;
  pid: number | undefined;
  slotsBusy: number;
  slotsTotal: number;
  /** Resident memory of the worker process (VmRSS), when running. */
  residentBytes: number | undefined;
  restarts: number;
};

const stderrTailLength = 4096;

/**
 * Where an image goes in a multimodal prompt string: every worker gets it as `LLAMA_MEDIA_MARKER` (llama-server would
 * pick a random one otherwise), so prompts are rendered without asking the worker first.
 */
export const workerMediaMarker = "<__aiplus_media_e3b1c4__>";
const firstBackoffMs = 250;
const maximumBackoffMs = 10_000;
/** A worker that ran this long before it crashed starts again without waiting. */
const stableAfterMs = 30_000;

function delay(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, milliseconds);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** VmRSS of a process in bytes (Linux), else undefined. */
function residentBytesOf(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Worker processes still running, killed when this process exits (a normal exit, or one after an uncaught error). */
const liveWorkers = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of liveWorkers) child.kill("SIGKILL");
});

let setprivPath: string | null | undefined;

/**
 * `setpriv --pdeathsig SIGKILL --` where util-linux has it (Linux): the worker gets SIGKILL when aiplus dies, even by
 * `kill -9`, so no orphaned llama-server outlives the API server. It execs the server: the pid is the server's.
 */
function deathSignalPrefix(): string[] {
  if (setprivPath === undefined) {
    setprivPath = process.platform === "linux" ? (["/usr/bin/setpriv", "/bin/setpriv"].find((candidate) => fs.existsSync(candidate)) ?? null) : null;
  }
  return setprivPath ? [setprivPath, "--pdeathsig", "SIGKILL", "--"] : [];
}

/**
 * One managed `llama-server` process serving one model on a unix socket in a private temporary folder (never a
 * network port). Started on first use; after a crash the next request starts it again, waiting out a backoff that
 * doubles with each crash in a row; stopped on idle or eviction by the pool.
 */
export class LlamaServerWorker {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private currentState: WorkerState = "stopped";
  private stderrTail = "";
  private startedAt = 0;
  private crashesInRow = 0;
  private lastCrashAt = 0;
  private restartCount = 0;
  private everStarted = false;
  private inFlight = 0;
  private readonly folder: string;
  private readonly agent: http.Agent;
  /** Called with the exit of a worker that was not being stopped. */
  onCrash: ((description: string) => void) | undefined;

  constructor(readonly settings: WorkerSettings) {
    this.folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-worker-"));
    this.agent = new http.Agent({ keepAlive: true, maxSockets: settings.slots * 4 + 8 });
  }

  get socketPath(): string {
    return path.join(this.folder, "llama-server.sock");
  }

  get state(): WorkerState {
    return this.currentState;
  }

  get busy(): boolean {
    return this.inFlight > 0;
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  snapshot(): WorkerSnapshot {
    const pid = this.currentState === "ready" || this.currentState === "starting" ? this.child?.pid : undefined;
    return {
      state: this.currentState,
      pid,
      slotsBusy: Math.min(this.inFlight, this.settings.slots),
      slotsTotal: this.settings.slots,
      residentBytes: pid !== undefined ? residentBytesOf(pid) : undefined,
      restarts: this.restartCount,
    };
  }

  /** The worker's process id while it runs (tests kill it to check isolation). */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** Starts the worker when it is not running and waits until `/health` answers 200. */
  async ensureReady(signal?: AbortSignal | undefined): Promise<void> {
    if (this.currentState === "stopping") throw new ServiceUnavailableError({ message: `the worker of model ${this.settings.modelName} is stopping`, code: "worker_stopping" });
    // One start at a time: `start` leaves crashed/stopped synchronously, so concurrent callers share it.
    if (this.currentState === "crashed" || this.currentState === "stopped" || this.ready === undefined) this.ready = this.start();
    if (!signal) return this.ready;
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      this.ready!.then(
        () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
        (error: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      );
    });
  }

  /** Counts a request against the worker (busy slots, eviction) until the returned function is called. */
  track(): () => void {
    this.inFlight++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight--;
    };
  }

  /** A POST of JSON to the worker; resolves with the response (headers received). `signal` destroys the request. */
  post(pathName: string, body: unknown, signal?: AbortSignal | undefined): Promise<http.IncomingMessage> {
    return this.postPayload(pathName, JSON.stringify(body), signal, true);
  }

  /**
   * Sends one request. A kept-alive connection that the worker closed meanwhile fails before the request reached it:
   * that one is sent again once on a new connection.
   */
  private postPayload(pathName: string, payload: string, signal: AbortSignal | undefined, mayRetry: boolean): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const request = http.request({
        socketPath: this.socketPath,
        path: pathName,
        method: "POST",
        agent: this.agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
        ...(signal ? { signal } : {}),
      });
      request.once("response", resolve);
      request.once("error", (error: NodeJS.ErrnoException) => {
        if (mayRetry && request.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE") && !signal?.aborted) {
          resolve(this.postPayload(pathName, payload, signal, false));
          return;
        }
        reject(this.describeFailure(error));
      });
      request.end(payload);
    });
  }

  /** The error of a request that failed at the transport: the worker crashed, or another fault. */
  describeFailure(cause: unknown): unknown {
    if ((cause as Error | undefined)?.name === "AbortError") return cause;
    const state = this.currentState;
    if (state === "crashed" || this.child?.exitCode !== null || this.child?.signalCode !== null) {
      return new ServiceUnavailableError({ message: `the worker of model ${this.settings.modelName} crashed; the next request starts it again`, code: "worker_crashed", cause });
    }
    return new ServiceUnavailableError({ message: `the worker of model ${this.settings.modelName} failed: ${(cause as Error).message}`, code: "worker_failed", cause });
  }

  /** Stops the worker (SIGTERM, then SIGKILL after 5 s). */
  async stop(): Promise<void> {
    const child = this.child;
    this.currentState = "stopping";
    this.agent.destroy();
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    this.currentState = "stopped";
    this.child = undefined;
    fs.rmSync(this.folder, { recursive: true, force: true });
  }

  private arguments(): string[] {
    const { modelPath, threads, slots, contextSize, embedding } = this.settings;
    const common = [
      "--model", modelPath,
      "--host", this.socketPath,
      "--threads", String(threads),
      "--threads-batch", String(threads),
      "--n-gpu-layers", String(this.settings.gpuLayers ?? 0),
      "--no-webui",
      "--log-verbosity", "2",
    ];
    if (this.settings.projectorPath !== undefined) common.push("--mmproj", this.settings.projectorPath);
    if (embedding) return [...common, "--embedding", "--parallel", "1", "--ctx-size", String(contextSize), "--batch-size", String(contextSize), "--ubatch-size", String(contextSize)];
    return [...common, "--parallel", String(slots), "--ctx-size", String(contextSize * slots), "--no-context-shift", "--cont-batching", "--no-kv-unified"];
  }

  private async start(): Promise<void> {
    const afterCrash = this.currentState === "crashed";
    this.currentState = "starting";
    if (afterCrash) {
      const ranFor = this.lastCrashAt - this.startedAt;
      if (ranFor >= stableAfterMs) this.crashesInRow = 1;
      const wait = Math.min(maximumBackoffMs, firstBackoffMs * 2 ** (this.crashesInRow - 1)) - (Date.now() - this.lastCrashAt);
      if (wait > 0) await delay(wait, undefined);
    }
    if (this.everStarted) this.restartCount++;
    this.everStarted = true;
    fs.rmSync(this.socketPath, { force: true });
    this.stderrTail = "";
    this.startedAt = Date.now();
    const [command, ...commandArguments] = [...deathSignalPrefix(), this.settings.serverPath, ...this.arguments()];
    const child = spawn(command!, commandArguments, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LLAMA_MEDIA_MARKER: workerMediaMarker } });
    this.child = child;
    liveWorkers.add(child);
    child.once("exit", () => liveWorkers.delete(child));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-stderrTailLength);
    });
    const exited = new Promise<string>((resolve) => {
      child.once("error", (error) => resolve(`could not start ${this.settings.serverPath}: ${error.message}`));
      child.once("exit", (code, signal) => resolve(signal ? `killed by ${signal}` : `exited with status ${code}`));
    });
    void exited.then((description) => this.exited(child, description));
    this.settings.logger.info({ model: this.settings.modelName, pid: child.pid }, "starting llama-server worker");
    const deadline = Date.now() + (this.settings.startTimeoutMs ?? 120_000);
    /** "ready", or why the start failed; empty while waiting. */
    let outcome = "";
    while (!outcome) {
      outcome = await Promise.race([exited, this.healthy().then((ok) => (ok ? "ready" : ""))]);
      if (!outcome && Date.now() > deadline) outcome = "did not become healthy in time";
      if (!outcome) await delay(25, undefined);
    }
    // `stop` may have run during the awaits above (TypeScript keeps the narrowing from the start of the method).
    const state = this.currentState as WorkerState;
    if (state === "stopping" || state === "stopped") {
      throw new ServiceUnavailableError({ message: `the worker of model ${this.settings.modelName} was stopped while starting`, code: "worker_stopping" });
    }
    if (outcome !== "ready" || this.child !== child) {
      child.kill("SIGKILL");
      this.currentState = "crashed";
      this.lastCrashAt = Date.now();
      this.crashesInRow++;
      const lastLines = this.stderrTail.trim().split("\n").slice(-3).join(" | ");
      throw new ServiceUnavailableError({
        message: `the llama-server worker of model ${this.settings.modelName} failed to start: ${outcome}${lastLines ? ` (${lastLines})` : ""}`,
        code: "worker_start_failed",
      });
    }
    this.currentState = "ready";
    this.settings.logger.info({ model: this.settings.modelName, pid: child.pid, startMs: Date.now() - this.startedAt }, "llama-server worker ready");
  }

  private exited(child: ChildProcess, description: string): void {
    if (this.child !== child) return;
    if (this.currentState === "stopping" || this.currentState === "stopped") return;
    const wasReady = this.currentState === "ready";
    this.currentState = "crashed";
    this.lastCrashAt = Date.now();
    if (wasReady) this.crashesInRow++;
    this.settings.logger.error({ model: this.settings.modelName, pid: child.pid, exit: description }, "llama-server worker crashed");
    this.onCrash?.(description);
  }

  /** Whether `GET /health` answers 200 now. */
  private healthy(): Promise<boolean> {
    return new Promise((resolve) => {
      const request = http.get({ socketPath: this.socketPath, path: "/health", timeout: 2000 }, (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      });
      request.once("error", () => resolve(false));
      request.once("timeout", () => {
        request.destroy();
        resolve(false);
      });
    });
  }
}
