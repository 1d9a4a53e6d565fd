import fs from "node:fs";
import type { Llama } from "node-llama-cpp";
import { ConflictError, InvalidRequestError, OverloadedError } from "../spec/index.js";
import { AsyncLock } from "./async-lock.js";
import type { LlamaInstance } from "./llama-instance.js";
import { estimateMemoryBytes, LoadedEmbeddingModel, LoadedLanguageModel, type LoadedModel } from "./loaded-model.js";
import { LoadedWorkerModel } from "./native/loaded-worker-model.js";
import type { ResolvedRuntimeOptions } from "./runtime-options.js";
import type { RegisteredModel, RuntimeStats } from "./types.js";

/** Which engine holds a pool entry: in-process (node-llama-cpp) or a llama-server worker (native). */
type PoolEngine = "node-llama-cpp" | "native";

type PoolEntry = {
  registered: RegisteredModel;
  engine: PoolEngine;
  loaded: LoadedModel | LoadedWorkerModel;
  /** Calls between acquire and their end (covers the time before a job reaches the scheduler). */
  leases: number;
  lastUsedAt: number;
  idleTimer: NodeJS.Timeout | undefined;
};

/** A model checked out of the pool; `release` once the call is over. */
export type PoolLease<T extends LoadedModel | LoadedWorkerModel> = { loaded: T; llama: Llama; release: () => void };

/** The key of an entry: a model may be loaded by both engines (the native one borrows in-process scoring). */
function entryKey(name: string, engine: PoolEngine): string {
  return engine === "native" ? `native\u0000${name}` : name;
}

/**
 * Loaded models by name. Loads on first use, one at a time; keeps the sum of estimated memory within
 * the budget by evicting least-recently-used models that have no work; unloads idle models.
 */
export class ModelPool {
  private readonly entries = new Map<string, PoolEntry>();
  private readonly loadLock = new AsyncLock();
  private budgetBytes: number | undefined;
  private disposed = false;
  /** Memory held outside the pool's entries in the same budget: the native scorer's helper processes, by holder. */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly llama: LlamaInstance,
    private readonly options: ResolvedRuntimeOptions,
    /** `bin/llama-server` of the native build; required by {@link acquireWorker}. */
    private readonly nativeServerPath?: string | undefined,
    /** Layers the native workers offload to the GPU: all of them on a GPU build (unless AIPLUS_GPU=cpu), else 0. */
    private readonly nativeGpuLayers = 0,
  ) {}

  /**
   * Leases the model, loading it first when needed. When `signal` aborts before the lease is ready (waiting for another
   * load, or while this model loads), the call rejects at once with the abort reason; the load goes on for the next
   * caller and the lease it would have given is released.
   */
  acquireLanguageModel(registered: RegisteredModel, signal?: AbortSignal | undefined): Promise<PoolLease<LoadedLanguageModel>> {
    return this.acquire(registered, "llm", signal) as Promise<PoolLease<LoadedLanguageModel>>;
  }

  /** Like {@link acquireLanguageModel}, for an embedding model. */
  acquireEmbeddingModel(registered: RegisteredModel, signal?: AbortSignal | undefined): Promise<PoolLease<LoadedEmbeddingModel>> {
    return this.acquire(registered, "embedding", signal) as Promise<PoolLease<LoadedEmbeddingModel>>;
  }

  /** Like {@link acquireLanguageModel}, for the model's llama-server worker (native engine; either kind of model). */
  acquireWorker(registered: RegisteredModel, signal?: AbortSignal | undefined): Promise<PoolLease<LoadedWorkerModel>> {
    return this.acquire(registered, registered.kind, signal, "native") as Promise<PoolLease<LoadedWorkerModel>>;
  }

  stats(): RuntimeStats {
    return {
      loaded: [...this.entries.values()].map((entry) => ({
        name: entry.registered.name,
        engine: entry.engine,
        memoryBytes: entry.loaded.memoryBytes,
        ...this.activity(entry.loaded),
        lastUsedAt: entry.lastUsedAt,
      })),
      memoryBudgetBytes: this.budgetBytes ?? this.options.memoryBudgetBytes ?? 0,
      heldBytes: [...this.held.values()].reduce((sum, bytes) => sum + bytes, 0),
    };
  }

  private activity(loaded: LoadedModel | LoadedWorkerModel): { activeSequences: number; queued: number; worker?: ReturnType<LoadedWorkerModel["worker"]["snapshot"]> } {
    switch (loaded.kind) {
      case "llm":
        return { activeSequences: loaded.scheduler.activeSequences, queued: loaded.scheduler.queued };
      case "embedding":
        return { activeSequences: Number(loaded.busy), queued: 0 };
      case "worker": {
        const worker = loaded.worker.snapshot();
        return { activeSequences: worker.slotsBusy, queued: loaded.worker.requestsInFlight - worker.slotsBusy, worker };
      }
      default:
        return loaded satisfies never;
    }
  }

  /** Loads a model now (as its first call would) and leaves it loaded: idle-unload and LRU eviction still apply. */
  async preload(registered: RegisteredModel): Promise<void> {
    const lease = await this.acquire(registered, registered.kind, undefined, this.nativeServerPath === undefined ? "node-llama-cpp" : "native");
    lease.release();
  }

  /**
   * Counts a helper process that loads `registered` (the native scorer's, with `contextSize` tokens of context) in the
   * pool's memory budget, evicting idle models first when it does not fit; returns the function that gives the memory
   * back. Refused like a load: `model_exceeds_memory_budget`, or 503 `memory_budget_busy` when busy models hold it.
   */
  async hold(holder: string, registered: RegisteredModel, contextSize: number): Promise<() => void> {
    // Estimated from the GGUF alone: a helper process must not load the in-process binding.
    const bytes = await estimateMemoryBytes(undefined, registered, { sequences: 1, contextSize });
    await this.loadLock.run(async () => {
      if (this.disposed) throw new OverloadedError({ message: "the runtime is shutting down", code: "runtime_disposed" });
      this.held.delete(holder);
      await this.makeRoom(registered.name, bytes);
      this.held.set(holder, bytes);
    });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (this.held.get(holder) === bytes) this.held.delete(holder);
    };
  }

  async unload(name: string): Promise<void> {
    await this.loadLock.run(async () => {
      for (const engine of ["node-llama-cpp", "native"] as const) {
        const entry = this.entries.get(entryKey(name, engine));
        if (entry) await this.remove(entry);
      }
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.loadLock.run(async () => {
      for (const entry of [...this.entries.values()]) await this.remove(entry);
    });
  }

  private async acquire(registered: RegisteredModel, kind: "llm" | "embedding", signal: AbortSignal | undefined, engine: PoolEngine = "node-llama-cpp"): Promise<PoolLease<LoadedModel | LoadedWorkerModel>> {
    signal?.throwIfAborted();
    const leasing = this.acquireNow(registered, kind, engine);
    if (!signal) return leasing;
    return new Promise<PoolLease<LoadedModel | LoadedWorkerModel>>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      leasing.then(
        (lease) => {
          signal.removeEventListener("abort", onAbort);
          if (!signal.aborted) return resolve(lease);
          lease.release(); // the caller is gone (it was told of the abort already)
          reject(signal.reason);
        },
        (error: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      );
    });
  }

  private async acquireNow(registered: RegisteredModel, kind: "llm" | "embedding", engine: PoolEngine): Promise<PoolLease<LoadedModel | LoadedWorkerModel>> {
    if (registered.kind !== kind) {
      throw new InvalidRequestError({ message: `model ${registered.name} is an ${registered.kind} model, not ${kind === "llm" ? "a language" : "an embedding"} model`, param: "model" });
    }
    const llama = await this.llama.get();
    const entry = this.lease(registered, engine) ?? (await this.loadLock.run(() => this.load(registered, engine)));
    let released = false;
    return {
      loaded: entry.loaded,
      llama,
      release: () => {
        if (released) return;
        released = true;
        entry.leases--;
        this.touch(entry);
      },
    };
  }

  /** Leases an already loaded entry (same file), or returns undefined. */
  private lease(registered: RegisteredModel, engine: PoolEngine): PoolEntry | undefined {
    const entry = this.entries.get(entryKey(registered.name, engine));
    if (!entry || entry.registered.path !== registered.path) return undefined;
    entry.leases++;
    this.touch(entry);
    return entry;
  }

  private async load(registered: RegisteredModel, engine: PoolEngine): Promise<PoolEntry> {
    if (this.disposed) throw new OverloadedError({ message: "the runtime is shutting down", code: "runtime_disposed" });
    const existing = this.entries.get(entryKey(registered.name, engine));
    if (existing && existing.registered.path === registered.path) return this.lease(registered, engine)!;
    if (existing) await this.remove(existing); // re-registered under the same name with another file
    if (!fs.existsSync(registered.path)) {
      throw new ConflictError({
        message: `the file of model ${registered.name} is gone: ${registered.path}; register the model again from where its file is now, or delete it`,
        param: "model",
        code: "model_file_missing",
      });
    }
    const llama = await this.llama.get();
    const settings = {
      threads: await this.llama.threads(),
      sequences: this.options.sequences,
      contextSize: this.options.contextSize,
      maxQueue: this.options.maxQueue,
    };
    // A native worker also loads the model's vision projector (`--mmproj`): counted at its file size.
    const projectorBytes = engine === "native" ? (registered.metadata.projector?.fileSizeBytes ?? 0) : 0;
    const needed = (await estimateMemoryBytes(llama, registered, settings)) + projectorBytes;
    await this.makeRoom(registered.name, needed);
    const entry: PoolEntry = { registered, engine, loaded: undefined as unknown as LoadedModel, leases: 1, lastUsedAt: this.options.now(), idleTimer: undefined };
    const loadSettings = { ...settings, onActivity: () => this.touch(entry) };
    this.options.logger.info({ model: registered.name, engine, estimatedBytes: needed }, "loading model");
    if (engine === "native") {
      if (this.nativeServerPath === undefined) throw new Error("the native engine is not configured");
      entry.loaded = await LoadedWorkerModel.create(llama, registered, { ...settings, serverPath: this.nativeServerPath, gpuLayers: this.nativeGpuLayers, logger: this.options.logger }, needed);
    } else {
      entry.loaded = registered.kind === "llm"
        ? await LoadedLanguageModel.create(llama, registered, loadSettings, needed)
        : await LoadedEmbeddingModel.create(llama, registered, loadSettings, needed);
    }
    this.entries.set(entryKey(registered.name, engine), entry);
    return entry;
  }

  /**
   * Evicts idle models, least recently used first, until `needed` more bytes fit the budget. Leases are taken outside
   * the load lock (an already loaded model is leased at once), so the victim is chosen afresh before each eviction:
   * a model leased while an earlier victim was being disposed is busy and stays.
   */
  private async makeRoom(name: string, needed: number): Promise<void> {
    this.budgetBytes ??= await this.llama.memoryBudgetBytes();
    const budget = this.budgetBytes;
    if (needed > budget) {
      throw new InvalidRequestError({ message: `model ${name} needs about ${needed} bytes, more than the memory budget of ${budget} bytes`, param: "model", code: "model_exceeds_memory_budget" });
    }
    const used = (): number => [...this.entries.values()].reduce((sum, entry) => sum + entry.loaded.memoryBytes, 0) + [...this.held.values()].reduce((sum, bytes) => sum + bytes, 0);
    const leastRecentlyUsedIdle = (): PoolEntry | undefined =>
      [...this.entries.values()].filter((entry) => !this.isBusy(entry)).sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0];
    while (used() + needed > budget) {
      // Chosen and removed from `entries` in one synchronous step (remove deletes before it awaits the dispose).
      const victim = leastRecentlyUsedIdle();
      if (!victim) {
        throw new OverloadedError({ message: `cannot load ${name}: the memory budget is taken by models that are busy`, code: "memory_budget_busy" });
      }
      this.options.logger.info({ model: victim.registered.name }, "evicting model to free memory");
      await this.remove(victim);
    }
  }

  private isBusy(entry: PoolEntry): boolean {
    return entry.leases > 0 || entry.loaded.busy;
  }

  /** Records use and (re)arms the idle-unload timer. */
  /**
   * Marks the entry used now. One idle timer per entry: when it fires early (the entry was used since it was armed),
   * it re-arms for the remaining time instead of every use clearing and creating a timer.
   */
  private touch(entry: PoolEntry): void {
    entry.lastUsedAt = this.options.now();
    const seconds = this.options.idleUnloadSeconds;
    if (seconds <= 0 || this.disposed || entry.idleTimer) return;
    this.armIdleTimer(entry, seconds * 1000);
  }

  private armIdleTimer(entry: PoolEntry, delayMilliseconds: number): void {
    entry.idleTimer = setTimeout(() => {
      entry.idleTimer = undefined;
      if (this.entries.get(entryKey(entry.registered.name, entry.engine)) !== entry || this.disposed) return;
      const idleFor = this.options.now() - entry.lastUsedAt;
      const idleLimit = this.options.idleUnloadSeconds * 1000;
      if (idleFor < idleLimit || this.isBusy(entry)) {
        this.armIdleTimer(entry, Math.max(1, idleLimit - idleFor));
        return;
      }
      void this.loadLock.run(async () => {
        if (this.entries.get(entryKey(entry.registered.name, entry.engine)) !== entry || this.isBusy(entry)) return;
        this.options.logger.info({ model: entry.registered.name }, "unloading idle model");
        await this.remove(entry);
      });
    }, delayMilliseconds);
    entry.idleTimer.unref();
  }

  private async remove(entry: PoolEntry): Promise<void> {
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    this.entries.delete(entryKey(entry.registered.name, entry.engine));
    await entry.loaded.dispose();
  }
}
