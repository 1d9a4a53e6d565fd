import type { EmbeddingModel } from "../spec/index.js";
import { embeddingModelKey } from "./embedding-model-key.js";
import type { KnowledgeStore } from "./knowledge-store.js";
import { normaliseVector } from "./vector-math.js";

/** Options of {@link EmbeddingBatcher}. */
export type EmbeddingBatcherOptions = {
  /** Holds the embedding cache (content hash + embedding model id). */
  store: KnowledgeStore;
  /** Texts per `doEmbed` call (default 32). */
  batchSize?: number | undefined;
  /**
   * `doEmbed` calls in flight at once (default 2): while one batch's vectors are normalised and cached, the next
   * batch is already queued in the model, so the model never waits for JavaScript between batches.
   */
  parallelBatches?: number | undefined;
  abortSignal?: AbortSignal | undefined;
};

/** Vectors of one {@link EmbeddingBatcher.embed} call, in item order. */
export type EmbeddingBatcherResult = {
  vectors: Float32Array[];
  /** Items served by the cache or by a text another caller was already embedding. */
  cachedCount: number;
  /** Distinct texts this call sent to the model. */
  embeddedCount: number;
};

type Waiter = { resolve: (vector: Float32Array) => void; reject: (error: unknown) => void };
type PendingText = { model: EmbeddingModel; modelKey: string; key: string; text: string; contentHash: string; waiters: Waiter[] };

/**
 * One embedding queue shared by many documents: texts of all callers are packed into full batches (per model),
 * cached vectors are reused, a text already queued or in flight is embedded once for all its callers, and every
 * batch's vectors are written to the cache as soon as they arrive (so an interrupted ingestion never re-embeds them).
 * Vectors are L2-normalised.
 */
export class EmbeddingBatcher {
  private readonly batchSize: number;
  private readonly parallelBatches: number;
  private readonly queue: PendingText[] = [];
  /** Queued and in-flight texts by model key + content hash. */
  private readonly pending = new Map<string, PendingText>();
  private inFlight = 0;
  private closed = false;

  constructor(private readonly options: EmbeddingBatcherOptions) {
    this.batchSize = Math.max(1, options.batchSize ?? 32);
    this.parallelBatches = Math.max(1, options.parallelBatches ?? 2);
    options.abortSignal?.addEventListener("abort", () => this.failQueued(options.abortSignal!.reason), { once: true });
  }

  /** Texts waiting for a batch (not yet sent to the model). */
  get queuedCount(): number {
    return this.queue.length;
  }

  /** Embeds `items` (cache first), reporting per item done so far; resolves when all their vectors are known. */
  async embed(model: EmbeddingModel, items: Array<{ text: string; contentHash: string }>, onProgress?: (done: number, total: number) => void): Promise<EmbeddingBatcherResult> {
    this.options.abortSignal?.throwIfAborted();
    const modelKey = embeddingModelKey(model);
    const occurrences = new Map<string, { text: string; count: number }>();
    for (const item of items) {
      const entry = occurrences.get(item.contentHash);
      if (entry) entry.count++;
      else occurrences.set(item.contentHash, { text: item.text, count: 1 });
    }
    const lookup = [...occurrences.keys()].filter((hash) => !this.pending.has(`${modelKey}\u0000${hash}`));
    const known = await this.options.store.getCachedEmbeddings(modelKey, lookup);
    let done = 0;
    let cachedCount = 0;
    let embeddedCount = 0;
    const waiting: Array<Promise<void>> = [];
    for (const [hash, { text, count }] of occurrences) {
      if (known.has(hash)) {
        done += count;
        cachedCount += count;
        continue;
      }
      const key = `${modelKey}\u0000${hash}`;
      let entry = this.pending.get(key);
      if (entry) cachedCount += count;
      else {
        entry = { model, modelKey, key, text, contentHash: hash, waiters: [] };
        this.pending.set(key, entry);
        this.queue.push(entry);
        embeddedCount++;
      }
      waiting.push(
        new Promise<Float32Array>((resolve, reject) => entry.waiters.push({ resolve, reject })).then((vector) => {
          known.set(hash, vector);
          done += count;
          onProgress?.(done, items.length);
        }),
      );
    }
    onProgress?.(done, items.length);
    this.pump();
    await Promise.all(waiting);
    return { vectors: items.map((item) => known.get(item.contentHash)!), cachedCount, embeddedCount };
  }

  /** No more callers will come: queued texts go out in partial batches instead of waiting for company. */
  close(): void {
    this.closed = true;
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.parallelBatches && this.queue.length > 0) {
      // A partial batch waits for more texts while another batch keeps the model busy.
      if (this.inFlight > 0 && this.queue.length < this.batchSize && !this.closed) return;
      const modelKey = this.queue[0]!.modelKey;
      const batch: PendingText[] = [];
      for (let index = 0; index < this.queue.length && batch.length < this.batchSize; ) {
        if (this.queue[index]!.modelKey === modelKey) batch.push(...this.queue.splice(index, 1));
        else index++;
      }
      this.inFlight++;
      void this.run(batch);
    }
  }

  private async run(batch: PendingText[]): Promise<void> {
    let embeddings: number[][];
    try {
      this.options.abortSignal?.throwIfAborted();
      const result = await batch[0]!.model.doEmbed({ values: batch.map((entry) => entry.text), abortSignal: this.options.abortSignal });
      if (result.embeddings.length !== batch.length) throw new Error(`embedding model returned ${result.embeddings.length} vectors for ${batch.length} texts`);
      embeddings = result.embeddings;
    } catch (error) {
      this.settle(batch, (waiter) => waiter.reject(error));
      return;
    } finally {
      this.inFlight--;
      this.pump();
    }
    try {
      const entries = batch.map((entry, index) => ({ contentHash: entry.contentHash, vector: normaliseVector(embeddings[index]!) }));
      await this.options.store.putCachedEmbeddings(batch[0]!.modelKey, entries);
      this.settle(batch, (waiter, index) => waiter.resolve(entries[index]!.vector));
    } catch (error) {
      this.settle(batch, (waiter) => waiter.reject(error));
    }
  }

  private settle(batch: PendingText[], action: (waiter: Waiter, index: number) => void): void {
    batch.forEach((entry, index) => {
      this.pending.delete(entry.key);
      for (const waiter of entry.waiters) action(waiter, index);
    });
  }

  private failQueued(reason: unknown): void {
    const queued = this.queue.splice(0);
    this.settle(queued, (waiter) => waiter.reject(reason));
  }
}
