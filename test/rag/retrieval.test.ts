import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  buildGroundedPrompt, ingestDocument, maximalMarginalRelevance, reciprocalRankFusion, retrieve, SqliteKnowledgeStore, type KnowledgeBaseScope, type Reranker,
} from "../../src/rag/index.js";
import { keywordEmbedder } from "./support/keyword-embedding-model.js";

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-rag-retrieval-"));
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));
const scope: KnowledgeBaseScope = { knowledgeBaseId: "kb", ownerId: "owner" };
const embedder = keywordEmbedder(["vacation", "holiday", "leave", "laptop", "computer", "salary", "pay"]);
let store: SqliteKnowledgeStore;
let counter = 0;

const documents: Record<string, string> = {
  "leave.md": "# Leave\n\nNew staff get twenty vacation days per year.",
  "holidays.md": "# Public holidays\n\nThe office closes on each public holiday; holiday pay applies.",
  "hardware.md": "# Hardware\n\nEvery employee receives a laptop computer on day one.",
  "salary.md": "# Salary\n\nSalary is paid monthly; pay slips are online.",
  "leave-copy.md": "# Leave copy\n\nNew staff get twenty vacation days per year, as stated.",
};

beforeEach(async () => {
  store = new SqliteKnowledgeStore({ path: path.join(folder, `retrieval-${++counter}.db`) });
  await store.createKnowledgeBase({ id: scope.knowledgeBaseId, ownerId: scope.ownerId, name: "handbook" });
  await store.createGeneration(scope, { embeddingModelId: "test/keywords", dimensions: 8, chunkSize: 64, chunkOverlap: 8 });
  for (const [name, text] of Object.entries(documents)) {
    await ingestDocument({ store, scope, documentId: name, name, source: { text, fileName: name }, embedderFor: () => embedder });
  }
});
afterEach(async () => store.close());

describe("retrieval", () => {
  it("fuses lexical and vector rankings by weighted RRF", () => {
    const fused = reciprocalRankFusion([{ items: ["a", "b", "c"], weight: 1 }, { items: ["c", "b", "d"], weight: 1 }], (item) => item, 60);
    expect(fused.map((entry) => entry.item)).toEqual(["c", "b", "a", "d"]);
    expect(fused[0]!.score).toBeCloseTo(1 / 63 + 1 / 61, 10);
    expect(fused[1]!.score).toBeCloseTo(2 / 62, 10);
    const lexicalHeavy = reciprocalRankFusion([{ items: ["a", "b"], weight: 3 }, { items: ["b", "a"], weight: 1 }], (item) => item);
    expect(lexicalHeavy[0]!.item).toBe("a");
  });

  it("finds by meaning through hand-made vectors where words differ, and hybrid keeps both signals", async () => {
    const embeddingModelFor = () => embedder.model;
    const lexical = await retrieve({ store, scope, query: "how much leave", mode: "lexical" });
    expect(lexical.passages[0]!.documentId).toBe("leave.md");
    const vector = await retrieve({ store, scope, query: "computer", mode: "vector", embeddingModelFor, limit: 1 });
    expect(vector.passages[0]!.documentId).toBe("hardware.md");
    expect(vector.passages[0]!.vectorSimilarity).toBeGreaterThan(0.4);
    const hybrid = await retrieve({ store, scope, query: "vacation laptop", embeddingModelFor, limit: 3 });
    expect(hybrid.mode).toBe("hybrid");
    expect(hybrid.passages.map((passage) => passage.documentId)).toEqual(expect.arrayContaining(["hardware.md"]));
    expect(hybrid.passages[0]!.lexicalRank).toBeDefined();
    expect(hybrid.passages[0]!.vectorRank).toBeDefined();
    const vectorOnlyWeight = await retrieve({ store, scope, query: "salary computer", embeddingModelFor, weights: { lexical: 0, vector: 1 }, limit: 1 });
    expect(vectorOnlyWeight.passages[0]!.vectorRank).toBe(1);
  });

  it("diversifies with maximal marginal relevance", async () => {
    const candidates = [
      { item: "a", relevance: 1, vector: [1, 0] },
      { item: "a-duplicate", relevance: 0.99, vector: [1, 0] },
      { item: "b", relevance: 0.8, vector: [0, 1] },
    ];
    expect(maximalMarginalRelevance(candidates, { limit: 2, lambda: 1 })).toEqual(["a", "a-duplicate"]);
    expect(maximalMarginalRelevance(candidates, { limit: 2, lambda: 0.5 })).toEqual(["a", "b"]);
    const embeddingModelFor = () => embedder.model;
    const plain = await retrieve({ store, scope, query: "twenty vacation days", embeddingModelFor, limit: 2 });
    expect(plain.passages.map((passage) => passage.documentId).sort()).toEqual(["leave-copy.md", "leave.md"]);
    const diverse = await retrieve({ store, scope, query: "twenty vacation days", embeddingModelFor, limit: 2, diversity: { lambda: 0.3 } });
    expect(diverse.passages.map((passage) => passage.documentId)).toContain(plain.passages[0]!.documentId);
    expect(diverse.passages.filter((passage) => passage.documentId.startsWith("leave")).length).toBe(1);
  });

  it("reranks through an injected reranker and reports nothing relevant below the threshold", async () => {
    const reranker: Reranker = {
      async rerank(query, passages) {
        return passages.map((passage) => (passage.toLowerCase().includes("pay") ? 0.9 : 0.1));
      },
    };
    const reranked = await retrieve({ store, scope, query: "salary holiday", reranker, limit: 2, threshold: { minRerankScore: 0.5 } });
    expect(reranked.passages.length).toBe(2);
    expect(reranked.passages.every((passage) => passage.rerankScore === 0.9)).toBe(true);
    const nothing = await retrieve({ store, scope, query: "parking garage rules", embeddingModelFor: () => embedder.model, threshold: { minVectorSimilarity: 0.5, minLexicalScore: 1 } });
    expect(nothing.nothingRelevant).toBe(true);
    expect(nothing.passages).toEqual([]);
  });

  it("builds a grounded prompt with numbered markers and citations, or says nothing was found", async () => {
    const result = await retrieve({ store, scope, query: "vacation days", limit: 2 });
    const prompt = buildGroundedPrompt({ question: "How many vacation days?", passages: result.passages, snippetCharacters: 30 });
    expect(prompt.nothingRelevant).toBe(false);
    expect(prompt.citations.map((citation) => citation.marker)).toEqual([1, 2]);
    expect(prompt.citations[0]).toMatchObject({ documentId: result.passages[0]!.documentId, heading: result.passages[0]!.headingPath.join(" > ") });
    expect(prompt.citations[0]!.snippet.length).toBeLessThanOrEqual(31);
    expect(prompt.messages[0]!.content).toContain("[1] (");
    expect(prompt.messages[0]!.content).toContain("[2] (");
    expect(prompt.messages[1]).toEqual({ role: "user", content: "How many vacation days?" });
    const empty = buildGroundedPrompt({ question: "Parking?", passages: [] });
    expect(empty.nothingRelevant).toBe(true);
    expect(empty.citations).toEqual([]);
    expect(empty.messages[0]!.content).toContain(empty.noAnswerText);
  });
});
