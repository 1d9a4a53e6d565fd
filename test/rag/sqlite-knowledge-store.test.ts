import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { SqliteKnowledgeStore } from "../../src/rag/index.js";
import { handMadeDocument, runKnowledgeStoreContract } from "./support/knowledge-store-contract.js";

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-rag-store-"));
let counter = 0;
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

runKnowledgeStoreContract("SQLite (sqlite-vec + FTS5)", () => new SqliteKnowledgeStore({ path: path.join(folder, `store-${++counter}.db`) }));

it("leaves no orphan rows in any SQLite table after delete, and persists across reopen", async () => {
  const file = path.join(folder, "orphans.db");
  const scope = { knowledgeBaseId: "kb", ownerId: "owner" };
  let store = new SqliteKnowledgeStore({ path: file });
  await store.createKnowledgeBase({ id: "kb", ownerId: "owner", name: "kb" });
  const generation = await store.createGeneration(scope, { embeddingModelId: "m", dimensions: 3, chunkSize: 64, chunkOverlap: 0 });
  const document = handMadeDocument("doc", ["persistent lexical index", "second chunk"], [[1, 0, 0], [0, 1, 0]]);
  await store.writeDocument(scope, { document: document.document, generations: [{ generationId: generation.id, chunks: document.chunks }] });
  await store.close();
  store = new SqliteKnowledgeStore({ path: file });
  expect((await store.lexicalSearch(scope, "persistent")).map((hit) => hit.text)).toEqual(["persistent lexical index"]);
  await store.deleteDocument(scope, "doc");
  const count = (table: string) => (store.database.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  expect(count("rag_chunks")).toBe(0);
  expect(count(`rag_vec_${generation.id}`)).toBe(0);
  expect(count(`rag_fts_vocabulary_${generation.id}`)).toBe(0);
  expect(count(`rag_fts_documents_${generation.id}`)).toBe(0);
  expect(store.database.prepare("SELECT chunk_count, lexical_length_sum FROM rag_generations").get()).toEqual({ chunk_count: 0, lexical_length_sum: 0 });
  await store.close();
});
