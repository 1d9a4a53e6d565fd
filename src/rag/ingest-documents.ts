import { ingestDocument, type IngestDocumentOptions, type IngestDocumentResult } from "./ingest-document.js";

/** Outcome of one document of {@link ingestDocuments}: its result or its own error (other documents go on). */
export type IngestOutcome = { documentId: string } & ({ ok: true; result: IngestDocumentResult } | { ok: false; error: unknown });

/**
 * Ingests many documents, `concurrency` at a time (default 2), so parsing, chunking and storing of one document
 * overlap the embedding of another. A failing document (e.g. `DocumentParseError`) does not stop the others.
 * Outcomes come back in input order.
 */
export async function ingestDocuments(
  documents: Array<Omit<IngestDocumentOptions, "store" | "scope" | "embedderFor" | "abortSignal" | "batchSize">>,
  shared: Pick<IngestDocumentOptions, "store" | "scope" | "embedderFor" | "abortSignal" | "batchSize"> & { concurrency?: number | undefined },
): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = new Array(documents.length);
  let next = 0;
  const worker = async () => {
    while (next < documents.length) {
      const index = next++;
      const document = documents[index]!;
      shared.abortSignal?.throwIfAborted();
      try {
        outcomes[index] = { documentId: document.documentId, ok: true, result: await ingestDocument({ ...shared, ...document }) };
      } catch (error) {
        if (shared.abortSignal?.aborted) throw error;
        outcomes[index] = { documentId: document.documentId, ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, shared.concurrency ?? 2) }, worker));
  return outcomes;
}
