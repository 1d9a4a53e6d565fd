import type { DocumentStage, DocumentTaskRepository, DocumentTaskUpdate } from "./document-tasks.js";

/** Least time between two writes of one document's embedding progress (a stage change is written at once). */
const progressWriteIntervalMs = 250;

type Tracked = { stage: DocumentStage; writtenAt: number; pending: DocumentTaskUpdate | undefined; timer: NodeJS.Timeout | undefined };

/**
 * Writes the stages of an ingestion job's documents to their tasks as the job reports them: stage changes at once,
 * chunk progress at most every 250 ms per document (the latest value follows within that time), final outcomes
 * always. Writes are queued one after another (so they land in order) and never block the pipeline; `flush()` waits
 * for them.
 */
export class DocumentTaskProgress {
  private chain: Promise<void> = Promise.resolve();
  private readonly documents = new Map<string, Tracked>();

  constructor(
    private readonly tasks: DocumentTaskRepository,
    private readonly jobId: string,
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** A document reached `stage` (`progress`: its chunks embedded so far). */
  report(documentId: string, stage: DocumentStage, progress?: { done: number; total: number }): void {
    const tracked = this.documents.get(documentId);
    const update: DocumentTaskUpdate = { stage, progress };
    const elapsed = tracked ? this.now() - tracked.writtenAt : Number.POSITIVE_INFINITY;
    if (!tracked || tracked.stage !== stage || elapsed >= progressWriteIntervalMs) {
      this.write(documentId, update);
      return;
    }
    tracked.pending = update;
    tracked.timer ??= setTimeout(() => {
      tracked.timer = undefined;
      if (tracked.pending) this.write(documentId, tracked.pending);
    }, progressWriteIntervalMs - elapsed).unref();
  }

  /** A document's final outcome. */
  finish(documentId: string, update: DocumentTaskUpdate): void {
    this.write(documentId, update);
  }

  /** Waits until every report so far is written (the latest progress of each document included). */
  async flush(): Promise<void> {
    for (const [documentId, tracked] of this.documents) if (tracked.pending) this.write(documentId, tracked.pending);
    await this.chain;
  }

  private write(documentId: string, update: DocumentTaskUpdate): void {
    const at = this.now();
    const tracked = this.documents.get(documentId);
    if (tracked?.timer) clearTimeout(tracked.timer);
    this.documents.set(documentId, { stage: update.stage, writtenAt: at, pending: undefined, timer: undefined });
    this.chain = this.chain.then(() => this.tasks.update(this.jobId, documentId, update, at).then(() => undefined)).catch(this.onError);
  }
}
