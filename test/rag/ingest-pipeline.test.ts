import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  DocumentParseError, embeddingModelKey, ingestDocuments, SqliteKnowledgeStore, type IngestOutcome, type KnowledgeBaseScope,
} from "../../src/rag/index.js";
import { keywordEmbedder } from "./support/keyword-embedding-model.js";

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-rag-pipeline-"));
const scope: KnowledgeBaseScope = { knowledgeBaseId: "kb", ownerId: "owner" };
const keywords = ["vacation", "expense", "travel"];
let store: SqliteKnowledgeStore;
let embedder: ReturnType<typeof keywordEmbedder>;
let counter = 0;

const prose = (topic: string, sentences: number) =>
  Array.from({ length: sentences }, (_, index) => `The ${topic} rule ${index} says staff handle ${topic} matters with care.`).join(" ");
const documents = Array.from({ length: 24 }, (_, index) => ({
  documentId: `doc-${index}.txt`, name: `doc-${index}.txt`, source: { text: prose(`${keywords[index % 3]} topic${index}`, 12), fileName: `doc-${index}.txt` },
}));

afterAll(async () => {
  await store?.close();
  fs.rmSync(folder, { recursive: true, force: true });
});
beforeEach(async () => {
  await store?.close();
  store = new SqliteKnowledgeStore({ path: path.join(folder, `pipeline-${++counter}.db`) });
  embedder = keywordEmbedder(keywords, { chunkSize: 40, chunkOverlap: 4 });
  await store.createKnowledgeBase({ id: scope.knowledgeBaseId, ownerId: scope.ownerId, name: "kb" });
  await store.createGeneration(scope, { embeddingModelId: embeddingModelKey(embedder.model), dimensions: keywords.length + 1, chunkSize: 40, chunkOverlap: 4 });
});

const chunkRows = () => (store.database.prepare("SELECT COUNT(*) AS n FROM rag_chunks").get() as { n: number }).n;
const chunksOf = (outcome: IngestOutcome) => (outcome.ok ? Object.values(outcome.result.chunkCounts)[0]! : 0);

describe("ingestDocuments pipeline", () => {
  it("packs the chunks of many documents into full embedding batches and stores every document once", async () => {
    // A model that takes a while per batch (as real ones do), so chunks of later documents queue up behind it.
    const slow = { ...embedder, model: { ...embedder.model, doEmbed: async (options: Parameters<typeof embedder.model.doEmbed>[0]) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return embedder.model.doEmbed(options);
    } } };
    const finished: number[] = [];
    const outcomes = await ingestDocuments(documents, { store, scope, embedderFor: () => slow, batchSize: 8, onOutcome: (_, index) => finished.push(index) });
    expect(outcomes.map((outcome) => outcome.documentId)).toEqual(documents.map((document) => document.documentId));
    expect(outcomes.every((outcome) => outcome.ok && outcome.result.status === "added")).toBe(true);
    expect(finished).toEqual(documents.map((_, index) => index));
    const total = outcomes.reduce((sum, outcome) => sum + chunksOf(outcome), 0);
    expect(total).toBeGreaterThan(documents.length * 2);
    expect(chunkRows()).toBe(total);
    expect((store.database.prepare("SELECT COUNT(*) AS n FROM rag_vec_1").get() as { n: number }).n).toBe(total);
    // The first batch leaves at once (the model must not wait); later ones are packed full across documents.
    const sizes = embedder.model.calls.map((call) => call.length);
    expect(Math.max(...sizes)).toBe(8);
    expect(sizes.slice(1, -1).every((size) => size === 8)).toBe(true);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(total);
    // Re-running skips every document and embeds nothing.
    const before = embedder.model.calls.length;
    const again = await ingestDocuments(documents, { store, scope, embedderFor: () => embedder, batchSize: 8 });
    expect(again.every((outcome) => outcome.ok && outcome.result.status === "unchanged")).toBe(true);
    expect(embedder.model.calls.length).toBe(before);
    expect(chunkRows()).toBe(total);
  });

  it("embeds a text shared by several documents once, and a failing document fails alone", async () => {
    const shared = prose("travel shared", 6);
    const inputs = [
      { documentId: "a.txt", name: "a.txt", source: { text: shared } },
      { documentId: "broken.pdf", name: "broken.pdf", source: { bytes: new TextEncoder().encode("%PDF-1.4 broken"), fileName: "broken.pdf" } },
      { documentId: "b.txt", name: "b.txt", source: { text: shared } },
      { documentId: "missing.txt", name: "missing.txt", source: async () => ({ bytes: await fs.promises.readFile(path.join(folder, "missing.txt")) }) },
    ];
    const outcomes = await ingestDocuments(inputs, { store, scope, embedderFor: () => embedder });
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true, false]);
    expect(outcomes[1]!.ok ? undefined : outcomes[1]!.error).toBeInstanceOf(DocumentParseError);
    expect(outcomes[3]!.ok ? undefined : (outcomes[3]!.error as NodeJS.ErrnoException).code).toBe("ENOENT");
    const embeddedTexts = embedder.model.calls.flat();
    expect(new Set(embeddedTexts).size).toBe(embeddedTexts.length);
    expect(embeddedTexts.length).toBe(chunksOf(outcomes[0]!));
    expect(outcomes[2]!.ok && outcomes[2]!.result.embeddedCount).toBe(0);
    expect((await store.listDocuments(scope)).map((document) => document.id)).toEqual(["a.txt", "b.txt"]);
    expect(chunkRows()).toBe(chunksOf(outcomes[0]!) * 2);
  });

  it("a write group with a bad document stores the good ones and fails the bad one alone", async () => {
    // Vectors of texts mentioning "mismatch" come back one dimension short: the store refuses that document.
    const uneven = { ...embedder, model: { ...embedder.model, modelId: "uneven", doEmbed: async (options: Parameters<typeof embedder.model.doEmbed>[0]) => {
      const result = await embedder.model.doEmbed(options);
      return { ...result, embeddings: result.embeddings.map((vector, index) => (options.values[index]!.includes("mismatch") ? vector.slice(1) : vector)) };
    } } };
    const inputs = [documents[0]!, { documentId: "bad.txt", name: "bad.txt", source: { text: prose("mismatch", 3) } }, documents[1]!];
    const outcomes = await ingestDocuments(inputs, { store, scope, embedderFor: () => uneven, writeBatchChunks: 1000 });
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    expect(outcomes[1]!.ok ? undefined : String(outcomes[1]!.error)).toContain("dimensions");
    expect((await store.listDocuments(scope)).map((document) => document.id).sort()).toEqual([documents[0]!.documentId, documents[1]!.documentId].sort());
    expect(chunkRows()).toBe(chunksOf(outcomes[0]!) + chunksOf(outcomes[2]!));
  });

  it("an abort rejects the call and leaves only whole documents behind", async () => {
    const controller = new AbortController();
    let written = 0;
    const run = ingestDocuments(documents, {
      store, scope, embedderFor: () => embedder, batchSize: 4, writeBatchChunks: 4,
      onOutcome: () => {
        if (++written === 3) controller.abort(new Error("stop"));
      },
      abortSignal: controller.signal,
    });
    await expect(run).rejects.toThrow("stop");
    const stored = await store.listDocuments(scope);
    expect(stored.length).toBeGreaterThanOrEqual(3);
    expect(stored.length).toBeLessThan(documents.length);
    for (const document of stored) expect((await store.countChunks(scope, document.id)).get(1)).toBeGreaterThan(0);
    const counts = store.database.prepare("SELECT chunk_count AS n FROM rag_generations WHERE id = 1").get() as { n: number };
    expect(counts.n).toBe(chunkRows());
    // Resuming finishes the rest without duplicating anything.
    const resumed = await ingestDocuments(documents, { store, scope, embedderFor: () => embedder });
    expect(resumed.filter((outcome) => outcome.ok && outcome.result.status === "unchanged").length).toBe(stored.length);
    expect(chunkRows()).toBe(resumed.reduce((sum, outcome) => sum + chunksOf(outcome), 0));
  });
});
