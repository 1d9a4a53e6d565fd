import { EmbeddingBatcher } from "./embedding-batcher.js";
import type { IngestDocumentOptions, IngestDocumentResult } from "./ingest-document.js";
import type { DocumentWithChunks } from "./knowledge-store.js";
import type { DocumentSource } from "./parse-document.js";
import { prepareDocument, type PreparedDocument } from "./prepare-document.js";
import { TimeSlice } from "./time-slice.js";

/** Outcome of one document of {@link ingestDocuments}: its result or its own error (other documents go on). */
export type IngestOutcome = { documentId: string } & ({ ok: true; result: IngestDocumentResult } | { ok: false; error: unknown });

type SharedOption = "store" | "scope" | "embedderFor" | "abortSignal" | "batchSize";

/** One document of {@link ingestDocuments}; `source` may be loaded lazily (e.g. read from disk just before parsing). */
export type IngestInput = Omit<IngestDocumentOptions, SharedOption | "source"> & { source: DocumentSource | (() => Promise<DocumentSource>) };

/** Options of {@link ingestDocuments}. */
export type IngestDocumentsOptions = Pick<IngestDocumentOptions, SharedOption> & {
  /**
   * Most chunks parsed and chunked but not yet stored (default 8 × batch size): enough for the embedder to always
   * have a full batch queued behind the one it is computing, few enough to bound memory.
   */
  lookaheadChunks?: number | undefined;
  /** `doEmbed` calls in flight at once (default 2, see `EmbeddingBatcher`). */
  parallelBatches?: number | undefined;
  /**
   * Most chunks per write transaction (default the store's `preferredWriteBatchChunks`, else the batch size; a
   * document is never split): a commit (FTS5 segment flush, WAL append) costs as much as storing several chunks, so
   * bulk ingestion commits in groups, small enough that a write holds the event loop only a few milliseconds.
   */
  writeBatchChunks?: number | undefined;
  /** Called once per document, in input order, when its outcome is final (durably written, unchanged or failed). */
  onOutcome?: ((outcome: IngestOutcome, index: number) => void) | undefined;
};

type Settled =
  | { kind: "unchanged"; result: IngestDocumentResult }
  | { kind: "ready"; prepared: PreparedDocument; write: DocumentWithChunks; result: IngestDocumentResult }
  | { kind: "failed"; error: unknown };
type Slot = { settled: Settled | undefined; wait: Promise<Settled>; settle: (value: Settled) => void; chunkCount: number };

/**
 * Ingests many documents through one pipeline, so that the embedding model is the only bottleneck:
 * - a producer parses and chunks documents ahead of the embedder (up to `lookaheadChunks`), in short time slices;
 * - one {@link EmbeddingBatcher} packs the chunks of all documents into full batches, keeps the next batch queued in
 *   the model while the previous one's vectors are cached, and reuses cached vectors;
 * - a writer stores finished documents in input order, many per transaction (each document stays atomic: all of
 *   its chunks, vectors and index entries, or none).
 * Durable and resumable: vectors are cached per batch as they arrive and documents are committed as soon as they are
 * complete, so after a crash re-running skips stored documents (content hash) and re-embeds nothing that was cached.
 * A failing document (e.g. `DocumentParseError`) does not stop the others. Outcomes come back in input order;
 * an abort rejects the whole call.
 */
export async function ingestDocuments(documents: IngestInput[], options: IngestDocumentsOptions): Promise<IngestOutcome[]> {
  const { store, scope, abortSignal } = options;
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const lookaheadChunks = Math.max(1, options.lookaheadChunks ?? 8 * batchSize);
  const writeBatchChunks = Math.max(1, options.writeBatchChunks ?? store.preferredWriteBatchChunks ?? batchSize);
  const batcher = new EmbeddingBatcher({ store, batchSize, parallelBatches: options.parallelBatches, abortSignal });
  const slots: Slot[] = documents.map(() => {
    const slot = { settled: undefined, chunkCount: 0 } as Slot;
    slot.wait = new Promise<Settled>((resolve) => {
      slot.settle = (value) => {
        if (slot.settled) return;
        slot.settled = value;
        resolve(value);
      };
    });
    return slot;
  });
  const outcomes = new Array<IngestOutcome>(documents.length);
  let unstoredChunks = 0;
  let wakeProducer: (() => void) | undefined;

  const produce = async () => {
    const slice = new TimeSlice();
    for (const [index, input] of documents.entries()) {
      const slot = slots[index]!;
      while (unstoredChunks >= lookaheadChunks && !abortSignal?.aborted) await new Promise<void>((resolve) => (wakeProducer = resolve));
      if (abortSignal?.aborted) {
        for (const rest of slots.slice(index)) rest.settle({ kind: "failed", error: abortSignal.reason });
        break;
      }
      await slice.pause();
      try {
        const source = typeof input.source === "function" ? await input.source() : input.source;
        const preparation = await prepareDocument({ ...input, source, store, scope, embedderFor: options.embedderFor, abortSignal, pause: () => slice.pause() });
        if (preparation.kind === "unchanged") {
          slot.settle({ kind: "unchanged", result: preparation.result });
          continue;
        }
        slot.chunkCount = preparation.prepared.targets.reduce((sum, target) => sum + target.chunks.length, 0);
        unstoredChunks += slot.chunkCount;
        void embedPrepared(input, preparation.prepared).then(slot.settle, (error: unknown) => slot.settle({ kind: "failed", error }));
      } catch (error) {
        slot.settle({ kind: "failed", error });
      }
    }
    batcher.close();
  };

  const embedPrepared = async (input: IngestInput, prepared: PreparedDocument): Promise<Settled> => {
    const report = (done: number, total: number) => input.onProgress?.({ documentId: input.documentId, stage: "embedding", done, total });
    const embedded = await Promise.all(
      prepared.targets.map((target) => batcher.embed(target.model, target.chunks.map((chunk) => ({ text: chunk.searchText, contentHash: chunk.contentHash })), report)),
    );
    const generations = prepared.targets.map((target, index) => ({
      generationId: target.generationId,
      chunks: target.chunks.map((chunk, chunkIndex) => ({ ...chunk, vector: embedded[index]!.vectors[chunkIndex]! })),
    }));
    const result: IngestDocumentResult = {
      documentId: input.documentId, status: prepared.replacing ? "replaced" : "added", contentHash: prepared.document.contentHash,
      chunkCounts: Object.fromEntries(generations.map((target) => [target.generationId, target.chunks.length])),
      cachedCount: embedded.reduce((sum, part) => sum + part.cachedCount, 0), embeddedCount: embedded.reduce((sum, part) => sum + part.embeddedCount, 0),
      warnings: prepared.warnings,
    };
    return { kind: "ready", prepared, write: { document: prepared.document, generations }, result };
  };

  const finish = (index: number, outcome: IngestOutcome) => {
    outcomes[index] = outcome;
    unstoredChunks -= slots[index]!.chunkCount;
    if (outcome.ok) documents[index]!.onProgress?.({ documentId: outcome.documentId, stage: "done", done: 0, total: 0 });
    options.onOutcome?.(outcome, index);
    wakeProducer?.();
    wakeProducer = undefined;
  };

  const write = async () => {
    const slice = new TimeSlice();
    let index = 0;
    while (index < slots.length) {
      const first = await slots[index]!.wait;
      abortSignal?.throwIfAborted();
      // The finished documents at the head of the line, up to one transaction's worth of chunks.
      const group: number[] = [];
      let groupChunks = 0;
      for (let next = index; next < slots.length; next++) {
        const settled = next === index ? first : slots[next]!.settled;
        if (settled === undefined) break;
        if (settled.kind === "ready") {
          if (group.length > 0 && groupChunks + slots[next]!.chunkCount > writeBatchChunks) break;
          group.push(next);
          groupChunks += slots[next]!.chunkCount;
        }
      }
      const end = group.length > 0 ? group[group.length - 1]! + 1 : index + 1;
      const ready = group.map((position) => ({ position, settled: slots[position]!.settled as Extract<Settled, { kind: "ready" }> }));
      for (const { position } of ready) documents[position]!.onProgress?.({ documentId: documents[position]!.documentId, stage: "storing", done: 0, total: 0 });
      const failures = await writeGroup(ready.map((entry) => entry.settled.write));
      for (let position = index; position < end; position++) {
        const settled = slots[position]!.settled!;
        const documentId = documents[position]!.documentId;
        if (settled.kind === "failed") finish(position, { documentId, ok: false, error: settled.error });
        else if (settled.kind === "unchanged") finish(position, { documentId, ok: true, result: settled.result });
        else {
          const error = failures.get(settled.write);
          finish(position, error === undefined ? { documentId, ok: true, result: settled.result } : { documentId, ok: false, error });
        }
      }
      index = end;
      await slice.yield();
    }
  };

  /** Writes a group in one transaction; if that fails, each document alone, so one bad document fails alone. */
  const writeGroup = async (writes: DocumentWithChunks[]): Promise<Map<DocumentWithChunks, unknown>> => {
    const failures = new Map<DocumentWithChunks, unknown>();
    if (writes.length === 0) return failures;
    try {
      await store.writeDocuments(scope, writes);
    } catch (error) {
      if (writes.length === 1) failures.set(writes[0]!, error);
      else {
        for (const single of writes) {
          try {
            await store.writeDocument(scope, single);
          } catch (singleError) {
            failures.set(single, singleError);
          }
        }
      }
    }
    return failures;
  };

  const producing = produce();
  try {
    await write();
  } finally {
    if (abortSignal?.aborted) for (const slot of slots) if (!slot.settled) slot.settle({ kind: "failed", error: abortSignal.reason });
    wakeProducer?.();
    await producing;
  }
  abortSignal?.throwIfAborted();
  return outcomes;
}
