import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  DocumentParseError, embeddingModelKey, ingestDocument, reindexKnowledgeBase, retrieve, SqliteKnowledgeStore, type Embedder, type IngestProgress,
  type KnowledgeBaseScope,
} from "../../src/rag/index.js";
import type { EmbeddingModel } from "../../src/spec/index.js";
import { testModelPath } from "../support/test-models.js";
import { keywordEmbedder } from "./support/keyword-embedding-model.js";
import { loadLlamaTestEmbedder, type LlamaTestEmbedder } from "./support/llama-embedding-model.js";

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-rag-ingest-"));
const scope: KnowledgeBaseScope = { knowledgeBaseId: "kb", ownerId: "owner" };
let bert: LlamaTestEmbedder;
let counted: Embedder & { embedCalls: number };
let store: SqliteKnowledgeStore;
let counter = 0;

const handbook = `# Handbook\n\n${Array.from({ length: 30 }, (_, index) => `Rule ${index}: staff must follow procedure ${index} carefully.`).join(" ")}\n\n## Leave\n\nNew staff get twenty vacation days.`;

async function pdfBytes(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const line of ["Expense claims are due monthly.", "Receipts must be attached."]) pdf.addPage([300, 300]).drawText(line, { x: 20, y: 250, size: 10, font });
  return pdf.save();
}

beforeAll(async () => {
  bert = await loadLlamaTestEmbedder(await testModelPath("tiny-bert-random.gguf"), { threads: 1, chunkSize: 48, chunkOverlap: 8 });
  const model: EmbeddingModel = {
    ...bert.model,
    doEmbed: (options) => {
      counted.embedCalls += options.values.length;
      return bert.model.doEmbed(options);
    },
  };
  counted = { ...bert, model, embedCalls: 0 };
});
afterAll(async () => {
  await bert?.dispose();
  fs.rmSync(folder, { recursive: true, force: true });
});
beforeEach(async () => {
  await store?.close();
  store = new SqliteKnowledgeStore({ path: path.join(folder, `ingest-${++counter}.db`) });
  await store.createKnowledgeBase({ id: scope.knowledgeBaseId, ownerId: scope.ownerId, name: "handbook" });
  await store.createGeneration(scope, { embeddingModelId: embeddingModelKey(bert.model), dimensions: bert.dimensions, chunkSize: 48, chunkOverlap: 8 });
  counted.embedCalls = 0;
});

const add = (documentId: string, source: Parameters<typeof ingestDocument>[0]["source"], extra: Partial<Parameters<typeof ingestDocument>[0]> = {}) =>
  ingestDocument({ store, scope, documentId, name: source.fileName ?? documentId, source, embedderFor: () => counted, ...extra });

describe("ingestion with the real embedder (tiny-bert through llama.cpp)", () => {
  it("parses, chunks, embeds in batches and stores, reporting progress", async () => {
    const progress: IngestProgress[] = [];
    const result = await add("handbook.md", { text: handbook, fileName: "handbook.md" }, { batchSize: 4, onProgress: (event) => progress.push(event) });
    const chunkCount = Object.values(result.chunkCounts)[0]!;
    expect(result.status).toBe("added");
    expect(chunkCount).toBeGreaterThan(4);
    expect(result.embeddedCount).toBe(chunkCount);
    expect(counted.embedCalls).toBe(chunkCount);
    expect(progress.map((event) => event.stage)).toEqual(expect.arrayContaining(["parsing", "chunking", "embedding", "storing", "done"]));
    expect(progress.filter((event) => event.stage === "embedding").at(-1)).toMatchObject({ done: chunkCount, total: chunkCount });
    const pdf = await add("expenses.pdf", { bytes: await pdfBytes(), fileName: "expenses.pdf" });
    expect(Object.values(pdf.chunkCounts)[0]).toBe(2);
    const hits = await retrieve({ store, scope, query: "receipts attached", mode: "lexical" });
    expect(hits.passages[0]).toMatchObject({ documentId: "expenses.pdf", page: 2 });
    const vector = await retrieve({ store, scope, query: "anything", mode: "vector", embeddingModelFor: () => bert.model, limit: 50 });
    expect(vector.passages.length).toBe(chunkCount + 2);
    for (const passage of vector.passages) expect(passage.vectorSimilarity).toBeGreaterThanOrEqual(-1.0001);
  });

  it("re-adding an unchanged document costs nothing; forced re-adding hits the embedding cache", async () => {
    const first = await add("handbook.md", { text: handbook, fileName: "handbook.md" });
    const calls = counted.embedCalls;
    const again = await add("handbook.md", { text: handbook, fileName: "handbook.md" });
    expect(again.status).toBe("unchanged");
    expect(counted.embedCalls).toBe(calls);
    const forced = await add("handbook.md", { text: handbook, fileName: "handbook.md" }, { force: true });
    expect(forced.status).toBe("replaced");
    expect(forced.cachedCount).toBe(Object.values(first.chunkCounts)[0]);
    expect(forced.embeddedCount).toBe(0);
    expect(counted.embedCalls).toBe(calls);
    const copy = await add("copy.md", { text: handbook, fileName: "copy.md" });
    expect(copy.embeddedCount).toBe(0);
  });

  it("replaces a changed document atomically", async () => {
    await add("handbook.md", { text: handbook, fileName: "handbook.md" });
    const replaced = await add("handbook.md", { text: "# Handbook\n\nEverything changed: remote work is allowed.", fileName: "handbook.md" });
    expect(replaced.status).toBe("replaced");
    expect((await store.countChunks(scope, "handbook.md")).get(Object.keys(replaced.chunkCounts).map(Number)[0]!)).toBe(1);
    expect((await retrieve({ store, scope, query: "vacation procedure" })).passages).toEqual([]);
    expect((await retrieve({ store, scope, query: "remote work" })).passages[0]!.text).toContain("remote work");
  });

  it("rejects a corrupt or cancelled document without touching the knowledge base", async () => {
    await add("handbook.md", { text: handbook, fileName: "handbook.md" });
    const before = await store.listDocuments(scope);
    await expect(add("broken.pdf", { bytes: new TextEncoder().encode("%PDF-1.4 broken"), fileName: "broken.pdf" })).rejects.toBeInstanceOf(DocumentParseError);
    await expect(add("handbook.md", { bytes: new Uint8Array([0, 1, 2, 3]), fileName: "handbook.md" })).rejects.toBeInstanceOf(DocumentParseError);
    const controller = new AbortController();
    controller.abort();
    await expect(add("late.md", { text: "# Late\n\ncancelled", fileName: "late.md" }, { abortSignal: controller.signal, force: true })).rejects.toThrow();
    expect(await store.listDocuments(scope)).toEqual(before);
    expect((await retrieve({ store, scope, query: "vacation" })).passages.length).toBeGreaterThan(0);
  });

  it("re-indexes with another embedding model in the background, serving the old index until the atomic switch", async () => {
    await add("handbook.md", { text: handbook, fileName: "handbook.md" });
    const oldGeneration = (await store.getKnowledgeBase(scope))!.activeGenerationId!;
    const next = keywordEmbedder(["vacation", "staff", "expense"], { modelId: "keywords-v2", chunkSize: 40, chunkOverlap: 4 });
    const building = await reindexKnowledgeBase({ store, scope, embedder: next, activate: false });
    expect(building.status).toBe("building");
    expect(building.dimensions).toBe(4);
    // The old index still serves, with the old model's dimension.
    const served = await retrieve({ store, scope, query: "vacation", mode: "vector", embeddingModelFor: () => bert.model });
    expect(served.generationId).toBe(oldGeneration);
    // A document added during the re-index goes to both generations.
    const during = await ingestDocument({
      store, scope, documentId: "expenses.md", name: "expenses.md", source: { text: "# Expenses\n\nexpense claims monthly", fileName: "expenses.md" },
      embedderFor: (generation) => (generation.id === building.id ? next : counted),
    });
    expect(Object.keys(during.chunkCounts).map(Number).sort()).toEqual([oldGeneration, building.id]);
    // Re-running resumes the same generation and switches.
    const switched = await reindexKnowledgeBase({ store, scope, embedder: next });
    expect(switched.id).toBe(building.id);
    expect(switched.status).toBe("active");
    const modelFor = (generation: { embeddingModelId: string }) => (generation.embeddingModelId === embeddingModelKey(next.model) ? next.model : bert.model);
    const after = await retrieve({ store, scope, query: "expense", mode: "vector", embeddingModelFor: modelFor, limit: 1 });
    expect(after.generationId).toBe(building.id);
    expect(after.passages[0]!.documentId).toBe("expenses.md");
    const generations = await store.listGenerations(scope);
    expect(generations.find((generation) => generation.id === oldGeneration)!.status).toBe("retired");
    expect((await store.countChunks(scope, "handbook.md")).get(oldGeneration)).toBeUndefined();
  });
});
