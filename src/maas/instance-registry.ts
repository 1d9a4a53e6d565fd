import { randomUUID } from "node:crypto";
import os from "node:os";
import { createInstanceRepository, type Database } from "../store/index.js";

export type RegisterInstanceOptions = {
  database: Database;
  kind: "server" | "cli";
  /** Clock. Defaults to `Date.now`. */
  now?: () => number;
  /** Instance id generator. Defaults to `crypto.randomUUID`. */
  generateId?: () => string;
  /** How often the heartbeat is written. Defaults to 5000 ms. */
  heartbeatIntervalMs?: number;
  /** Called when a heartbeat write fails (the next one retries). Defaults to ignoring it. */
  onError?: (error: unknown) => void;
};

/** This process as a ledger writer: its id, and a heartbeat that tells others it is alive. */
export type RegisteredInstance = {
  readonly id: string;
  /** Writes a heartbeat now (re-registering if another process removed the row). */
  heartbeat(): Promise<void>;
  /** Stops the heartbeat and removes the instance row (call after settling every open request). */
  stop(): Promise<void>;
};

/** Inserts this process's instances row and keeps its heartbeat fresh on an unref'd timer. */
export async function registerInstance(options: RegisterInstanceOptions): Promise<RegisteredInstance> {
  const now = options.now ?? Date.now;
  const instances = createInstanceRepository(options.database);
  const startedAt = now();
  const record = {
    id: (options.generateId ?? randomUUID)(),
    kind: options.kind,
    pid: process.pid,
    hostname: os.hostname(),
    startedAt,
    heartbeatAt: startedAt,
  };
  await instances.insert(record);
  let stopped = false;
  /** The heartbeat being written, so `stop()` can wait for it instead of racing its re-insert. */
  let inFlight: Promise<void> = Promise.resolve();

  async function beat(): Promise<void> {
    const at = now();
    if (!(await instances.heartbeat(record.id, at)) && !stopped) await instances.insert({ ...record, heartbeatAt: at });
  }

  function heartbeat(): Promise<void> {
    if (stopped) return Promise.resolve();
    const write = inFlight.then(beat);
    inFlight = write.catch(() => undefined);
    return write;
  }

  const timer = setInterval(() => {
    heartbeat().catch((error: unknown) => options.onError?.(error));
  }, options.heartbeatIntervalMs ?? 5000);
  timer.unref();

  return {
    id: record.id,
    heartbeat,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await inFlight;
      await instances.remove(record.id);
    },
  };
}
