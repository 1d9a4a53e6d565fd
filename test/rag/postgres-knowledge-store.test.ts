import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PostgresKnowledgeStore, type PostgresKnowledgeStoreOptions } from "../../src/rag/index.js";
import { openDatabase } from "../../src/store/index.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";
import { handMadeDocument, runKnowledgeStoreContract } from "./support/knowledge-store-contract.js";

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterAll(async () => postgres.stop());

const knowledgeTables = ["rag_embedding_cache", "rag_grants", "rag_terms", "rag_document_postings", "rag_chunk_postings", "rag_chunks", "rag_documents", "rag_generations", "rag_knowledge_bases"];

/** A store on the platform's (migrated) PostgreSQL database, emptied first: no rows, no generation indexes, ids from 1. */
async function freshStore(options: Omit<PostgresKnowledgeStoreOptions, "database" | "closeDatabase"> = {}): Promise<PostgresKnowledgeStore> {
  const database = await openDatabase(postgres.url);
  await sql`truncate ${sql.join(knowledgeTables.map((table) => sql.table(table)))} restart identity cascade`.execute(database.db);
  const indexes = await sql<{ name: string }>`select indexname as name from pg_indexes where indexname like 'rag_chunks_embedding_%'`.execute(database.db);
  for (const index of indexes.rows) await sql`drop index ${sql.id(index.name)}`.execute(database.db);
  return new PostgresKnowledgeStore({ ...options, database, closeDatabase: true });
}

runKnowledgeStoreContract("PostgreSQL (pgvector HNSW + BM25 postings)", freshStore);

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value ^= value + Math.imul(value ^ (value >>> 7), 61 | value);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const vocabulary = ["enzyme", "protein", "cell", "tumor", "growth", "signal", "receptor", "binding", "gene", "expression", "mouse", "human", "dose", "trial",
  "risk", "patients", "therapy", "immune", "response", "virus", "blood", "pressure", "heart", "brain", "neuron", "memory", "sleep", "diet", "insulin", "glucose"];

/** `count` documents of 1–4 chunks of random words (Zipf-like: early words are common), with titles and 3-d vectors. */
function randomCorpus(count: number, seed: number) {
  const next = random(seed);
  const word = () => vocabulary[Math.floor(vocabulary.length * next() * next())]!;
  return Array.from({ length: count }, (_, index) => {
    const texts = Array.from({ length: 1 + Math.floor(next() * 4) }, () => Array.from({ length: 4 + Math.floor(next() * 20) }, word).join(" "));
    return handMadeDocument(`doc-${index}`, texts, texts.map(() => [next(), next(), next()]));
  });
}

it("scores BM25 exactly like the SQLite store (same hits, same scores) for any k1, b and document weight", async () => {
  const { SqliteKnowledgeStore } = await import("../../src/rag/index.js");
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-rag-parity-"));
  const sqlite = new SqliteKnowledgeStore({ path: path.join(folder, "parity.db") });
  const postgresStore = await freshStore();
  try {
    const scope = { knowledgeBaseId: "kb", ownerId: "owner" };
    const corpus = randomCorpus(80, 7);
    // PostgreSQL: every document, then a deletion and a replacement (its statistics must follow both exactly).
    // SQLite: the end state written directly (its contentless FTS5 keeps deleted rows' lengths in its averages).
    const final = corpus.filter((document) => document.document.id !== "doc-3").map((document) =>
      document.document.id === "doc-5" ? { ...document, chunks: document.chunks.slice(0, 1) } : document);
    for (const [store, documents] of [[postgresStore, corpus], [sqlite, final]] as const) {
      await store.createKnowledgeBase({ id: "kb", ownerId: "owner", name: "kb" });
      const generation = await store.createGeneration(scope, { embeddingModelId: "m", dimensions: 3, chunkSize: 64, chunkOverlap: 0 });
      const writes = documents.map((document) => ({ document: document.document, generations: [{ generationId: generation.id, chunks: document.chunks }] }));
      // PostgreSQL in batches (one statement per table and batch), SQLite one document at a time.
      if (store === postgresStore) for (let offset = 0; offset < writes.length; offset += 8) await store.writeDocuments(scope, writes.slice(offset, offset + 8));
      else for (const write of writes) await store.writeDocument(scope, write);
    }
    const postgresGeneration = (await postgresStore.getKnowledgeBase(scope))!.activeGenerationId!;
    await postgresStore.deleteDocument(scope, "doc-3");
    // A repeated document id in one batch: the later entry wins.
    await postgresStore.writeDocuments(scope, [corpus[5]!, final[4]!].map((document) => ({ document: document.document, generations: [{ generationId: postgresGeneration, chunks: document.chunks }] })));
    const queries = ["enzyme binding receptor", "tumor growth in mouse", "sleep memory neuron neuron", "insulin glucose diet risk", "cell", "patients therapy trial dose"];
    const settings = [{}, { k1: 1.2, b: 0.75 }, { documentWeight: 0 }, { k1: 0.5, b: 0.9, documentWeight: 5 }, { limit: 3 }];
    for (const query of queries) {
      for (const options of settings) {
        const expected = await sqlite.lexicalSearch(scope, query, { limit: 20, ...options });
        const actual = await postgresStore.lexicalSearch(scope, query, { limit: 20, ...options });
        expect(actual.length, query).toBe(expected.length);
        expect(expected.length).toBeGreaterThan(0);
        // Same chunks with the same scores (chunk ids differ: the stores were written in different orders).
        actual.forEach((hit, index) => expect(hit.score).toBeCloseTo(expected[index]!.score, 6));
        const key = (hit: { documentId: string; text: string; score: number }) => `${hit.documentId}|${hit.text}|${hit.score.toFixed(6)}`;
        expect(actual.map(key).sort()).toEqual(expected.map(key).sort());
      }
    }
  } finally {
    await sqlite.close();
    await postgresStore.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

it("scans a small generation exactly, builds its HNSW index in bulk once it holds the minimum, then serves vector searches from it, filling the limit under a filter", async () => {
  const store = await freshStore({ vectorIndexMinimumChunks: 2000 });
  const indexes = async () => {
    const database = await openDatabase(postgres.url);
    try {
      await sql`analyze rag_chunks`.execute(database.db);
      const result = await sql<{ name: string; valid: boolean }>`select c.relname as name, i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
        where c.relname like 'rag_chunks_embedding_%'`.execute(database.db);
      return result.rows;
    } finally {
      await database.dispose();
    }
  };
  try {
    const scope = { knowledgeBaseId: "kb", ownerId: "owner" };
    await store.createKnowledgeBase({ id: "kb", ownerId: "owner", name: "kb" });
    const generation = await store.createGeneration(scope, { embeddingModelId: "m", dimensions: 8, chunkSize: 64, chunkOverlap: 0 });
    const next = random(11);
    const probe = new Float32Array([1, 0, 0, 0, 0, 0, 0, 0]);
    for (let batch = 0; batch < 20; batch++) {
      if (batch === 9) {
        // 1800 chunks, under the minimum: no index yet, and an exact scan answers (scores sorted, limit filled).
        expect(await indexes()).toEqual([]);
        expect(await store.explainVectorSearch(scope, probe, { limit: 10 })).not.toContain("rag_chunks_embedding_");
        const exact = await store.vectorSearch(scope, probe, { limit: 10 });
        expect(exact).toHaveLength(10);
        expect(exact.map((hit) => hit.score)).toEqual([...exact.map((hit) => hit.score)].sort((left, right) => right - left));
      }
      if (batch === 10) expect(await indexes()).toEqual([{ name: `rag_chunks_embedding_${generation.id}`, valid: true }]);
      const documents = Array.from({ length: 10 }, (_, index) => {
        const number = batch * 10 + index;
        const texts = Array.from({ length: 20 }, (_, ordinal) => `chunk ${ordinal} of document ${number}`);
        return handMadeDocument(`doc-${number}`, texts, texts.map(() => Array.from({ length: 8 }, () => next() * 2 - 1)), { team: number % 50 === 0 ? "rare" : "common" });
      });
      await store.writeDocuments(scope, documents.map((document) => ({ document: document.document, generations: [{ generationId: generation.id, chunks: document.chunks }] })));
    }
    expect(await indexes()).toEqual([{ name: `rag_chunks_embedding_${generation.id}`, valid: true }]);
    const query = new Float32Array(Array.from({ length: 8 }, () => next() * 2 - 1));
    const plan = await store.explainVectorSearch(scope, query, { limit: 10 });
    expect(plan).toContain(`rag_chunks_embedding_${generation.id}`);
    const hits = await store.vectorSearch(scope, query, { limit: 10 });
    expect(hits).toHaveLength(10);
    expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((left, right) => right - left));
    // 4 documents of 200 are "rare" (80 of 4000 chunks): the iterative index scan still returns 40 of them.
    const filtered = await store.vectorSearch(scope, query, { limit: 40, filter: { metadata: { team: "rare" } } });
    expect(filtered).toHaveLength(40);
    expect(new Set(filtered.map((hit) => hit.documentId))).toEqual(new Set(["doc-0", "doc-50", "doc-100", "doc-150"]));
  } finally {
    await store.close();
  }
});

it("asks for pgvector with a 503 until an administrator installs it, then works without a restart", async () => {
  const { default: pg } = await import("pg");
  const { ServiceUnavailableError } = await import("../../src/spec/errors/index.js");
  const suffix = Math.random().toString(36).slice(2, 10);
  const role = `aiplus_role_${suffix}`;
  const name = `aiplus_novector_${suffix}`;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  const asAdmin = (statement: string, target = admin) => target.query(statement);
  await asAdmin(`create role ${role} login`);
  await asAdmin(`create database ${name} owner ${role}`);
  const userUrl = new URL(postgres.url);
  userUrl.username = role;
  userUrl.pathname = `/${name}`;
  // The platform's database user is no superuser and the database has no pgvector: the migration leaves the vector column out.
  const store = new PostgresKnowledgeStore({ database: await openDatabase(userUrl.toString()), closeDatabase: true });
  try {
    const scope = { knowledgeBaseId: "kb", ownerId: "owner" };
    await store.createKnowledgeBase({ id: "kb", ownerId: "owner", name: "kb" });
    const refused = store.createGeneration(scope, { embeddingModelId: "m", dimensions: 3, chunkSize: 64, chunkOverlap: 0 });
    await expect(refused).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(refused).rejects.toMatchObject({ code: "vector_extension_missing", statusCode: 503 });
    const adminUrl = new URL(postgres.url);
    adminUrl.pathname = `/${name}`;
    const databaseAdmin = new pg.Client({ connectionString: adminUrl.toString() });
    await databaseAdmin.connect();
    await asAdmin("create extension vector", databaseAdmin);
    await databaseAdmin.end();
    const generation = await store.createGeneration(scope, { embeddingModelId: "m", dimensions: 3, chunkSize: 64, chunkOverlap: 0 });
    const document = handMadeDocument("doc", ["vectors after the fact"], [[0, 1, 0]]);
    await store.writeDocument(scope, { document: document.document, generations: [{ generationId: generation.id, chunks: document.chunks }] });
    expect((await store.vectorSearch(scope, new Float32Array([0, 1, 0]))).map((hit) => hit.text)).toEqual(["vectors after the fact"]);
  } finally {
    await store.close();
    await asAdmin(`drop database if exists ${name} with (force)`);
    await asAdmin(`drop role if exists ${role}`);
    await admin.end();
  }
});
