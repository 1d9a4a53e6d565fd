import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { ServiceUnavailableError } from "../../spec/index.js";
import { decodeInfo, decodeReply, type NativeScorerInfo } from "./score-protocol.js";

/** How to start one `aiplus-score` process. */
export type ScoreWorkerSettings = {
  binaryPath: string;
  modelPath: string;
  /** Label in error messages (the model's name). */
  modelName: string;
  threads: number;
  /** Tokens of the tool's (unified) context: the sequences of one batch share it. */
  contextSize: number;
  sequences: number;
  /** Tokens the tool packs into one batch (it always takes at least one group); undefined: the tool's default (one group per batch). */
  batchTokens?: number | undefined;
  /** Layers offloaded to the GPU (a GPU build); undefined: none. */
  gpuLayers?: number | undefined;
};

type Pending = { resolve: (body: Buffer) => void; reject: (error: unknown) => void };

const stderrTailBytes = 2000;

/**
 * One `aiplus-score` helper process over one model. Requests are written to its stdin and answered in order on its
 * stdout; each reply resolves the request with the same id. When the process exits (a crash, a kill, a failed load),
 * every request in flight rejects with a ServiceUnavailableError that names the model, the exit and the tool's last
 * words; the worker is then `exited` and its owner starts a new one for the next request.
 */
export class ScoreWorker {
  private readonly process: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private stderrTail = "";
  private exitError: Error | undefined;
  private stopping = false;
  readonly ready: Promise<NativeScorerInfo>;
  private readyHandlers!: { resolve: (info: NativeScorerInfo) => void; reject: (error: unknown) => void };
  /** Settles once the process has exited. */
  readonly exited: Promise<void>;

  constructor(private readonly settings: ScoreWorkerSettings) {
    this.ready = new Promise((resolve, reject) => {
      this.readyHandlers = { resolve, reject };
    });
    this.ready.catch(() => undefined);
    const args = ["--model", settings.modelPath, "--threads", String(settings.threads), "--context", String(settings.contextSize), "--sequences", String(settings.sequences)];
    if (settings.batchTokens !== undefined) args.push("--batch-tokens", String(settings.batchTokens));
    if (settings.gpuLayers !== undefined && settings.gpuLayers > 0) args.push("--gpu-layers", String(settings.gpuLayers));
    this.process = spawn(settings.binaryPath, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => {
      this.process.once("close", (code, signal) => {
        this.onExit(code, signal);
        resolve();
      });
    });
    this.process.once("error", (error) => this.onExit(null, null, error));
    this.process.stdout.on("data", (chunk: Buffer) => this.onData(chunk));
    this.process.stderr.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-stderrTailBytes);
    });
    this.process.stdin.on("error", () => undefined); // a write after the exit: the exit handler reports it
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Whether the process has exited (or failed to start). */
  get dead(): boolean {
    return this.exitError !== undefined;
  }

  /** Requests written and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends one request built by `encode` (given its id) and resolves with the reply body. */
  async request(encode: (id: number) => Buffer): Promise<Buffer> {
    await this.ready;
    if (this.exitError) throw this.exitError;
    const id = this.nextId++;
    if (this.nextId > 0xffff_fff0) this.nextId = 1;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.process.stdin.write(encode(id));
    });
  }

  /** Closes stdin (the tool exits when it reads the end) and waits; kills it after `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    this.stopping = true;
    if (!this.dead) {
      this.process.stdin.end();
      const timer = setTimeout(() => this.process.kill("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
  }

  private onData(chunk: Buffer): void {
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    while (this.bufferedBytes >= 4) {
      const head = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered, this.bufferedBytes);
      const length = head.readUInt32LE(0);
      if (head.length < 4 + length) {
        this.buffered = [head];
        return;
      }
      const payload = head.subarray(4, 4 + length);
      const rest = head.subarray(4 + length);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
      this.onMessage(payload);
    }
  }

  private onMessage(payload: Buffer): void {
    let reply;
    try {
      reply = decodeReply(payload);
    } catch (error) {
      this.process.kill("SIGKILL");
      this.exitError ??= this.failure(`sent a malformed reply (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    if (reply.id === 0) {
      if (reply.ok) {
        try {
          this.readyHandlers.resolve(decodeInfo(reply.body));
        } catch (error) {
          this.readyHandlers.reject(error);
        }
        return;
      }
      // A protocol error the tool cannot recover from; it exits next and every pending request fails then.
      this.stderrTail = `${this.stderrTail}\n${reply.message}`.slice(-stderrTailBytes);
      return;
    }
    const pending = this.pending.get(reply.id);
    if (!pending) return; // cancelled meanwhile
    this.pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.body);
    else pending.reject(new Error(`aiplus-score (model ${this.settings.modelName}): ${reply.message}`));
  }

  private failure(what: string): ServiceUnavailableError {
    const tail = this.stderrTail.trim().split("\n").slice(-3).join(" | ");
    return new ServiceUnavailableError({
      message: `the native scorer of model ${this.settings.modelName} ${what}${tail ? `: ${tail}` : ""}; the next request starts a new one`,
      code: "native_scorer_failed",
      retryAfterSeconds: 1,
    });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void {
    const what = spawnError
      ? `could not start (${spawnError.message})`
      : this.stopping && code === 0
        ? "was stopped"
        : `exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`;
    this.exitError ??= this.failure(what);
    this.readyHandlers.reject(this.exitError);
    this.rejectAll(this.exitError);
  }

  private rejectAll(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const entry of pending) entry.reject(error);
  }
}
