import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/store/index.js";
import { httpClient, type HttpRequest } from "../eval/support/http-client.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";
import { spawnServer, type ServerProcess } from "../support/spawn-server.js";
import { testModelPath } from "../support/test-models.js";

// Two aiplus server processes (two instances) on one PostgreSQL database: the knowledge bases live in it (the
// PostgreSQL knowledge store), so whatever one instance ingests the other serves, a re-index switches generations
// for both at once, and an ingestion whose instance died is finished by the other one.
const adminKey = "aip_knowledge_instances_admin_key_0123456789";
const keySecret = "knowledge-instances-key-secret-0123456789";

let postgres: TestPostgres;
let database: Database;
const homes: string[] = [];
const servers: ServerProcess[] = [];

beforeAll(async () => {
  postgres = await startTestPostgres();
  database = await openDatabase(postgres.url);
});
afterAll(async () => {
  for (const server of servers) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    await server.exited;
  }
  await database?.dispose();
  await postgres?.stop();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

/** An instance: its own (empty) home folder; the database, admin key and key secret shared. */
async function startInstance(): Promise<{ server: ServerProcess; call: HttpRequest }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-kb-instance-"));
  homes.push(home);
  const server = await spawnServer({
    AIPLUS_HOME: home,
    AIPLUS_DATABASE_URL: postgres.url,
    AIPLUS_JOB_LEASE_SECONDS: "2",
    AIPLUS_ADMIN_KEY: adminKey,
    AIPLUS_KEY_SECRET: keySecret,
    AIPLUS_THREADS: "1",
    AIPLUS_GPU: "cpu",
    AIPLUS_LOG_LEVEL: "warn",
  });
  servers.push(server);
  return { server, call: httpClient(server.url, adminKey) };
}

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill("SIGTERM");
  expect(await server.exited).toBe(0);
}

/** A document with a word of its own (`marker<index>`) and words every document has. */
function documentText(index: number, words = 30): { name: string; text: string } {
  const filler = Array.from({ length: words }, (_, position) => `shared${position % 7} topic${(index + position) % 11}`).join(" ");
  return { name: `note-${String(index).padStart(3, "0")}.txt`, text: `Everyone reads this common note. It is about marker${index}. ${filler}.` };
}

async function waitForJob(call: HttpRequest, knowledgeBase: string, jobId: string, timeoutMs = 240_000): Promise<{ status: string; error?: unknown }> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const reply = await call("GET", `/knowledge-bases/${knowledgeBase}/jobs/${jobId}`);
    expect(reply.status, reply.text).toBe(200);
    if (["completed", "failed", "cancelled"].includes(reply.body.status)) return reply.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job ${jobId} did not finish`);
}

/** Documents named by the hits of a query (top 100). */
async function queriedDocuments(call: HttpRequest, knowledgeBase: string, query: string, mode: "lexical" | "vector" | "hybrid"): Promise<string[]> {
  const reply = await call("POST", `/knowledge-bases/${knowledgeBase}/query`, { query, top_k: 100, mode });
  expect(reply.status, reply.text).toBe(200);
  return (reply.body.data as Array<{ document: string }>).map((hit) => hit.document);
}

/** Chunks per (generation, document, ordinal) stored more than once, and whether each generation's counters match its rows. */
async function storeConsistency(): Promise<{ duplicates: number; countersMatch: boolean }> {
  const duplicates = await sql<{ n: number }>`select count(*)::integer as n from (
      select generation_id, document_id, ordinal from rag_chunks group by generation_id, document_id, ordinal having count(*) > 1) as repeated`.execute(database.db);
  const mismatched = await sql<{ n: number }>`select count(*)::integer as n from rag_generations g
    where g.chunk_count <> (select count(*) from rag_chunks c where c.generation_id = g.id)
       or g.document_count <> (select count(distinct c.document_id) from rag_chunks c where c.generation_id = g.id)`.execute(database.db);
  return { duplicates: duplicates.rows[0]!.n, countersMatch: mismatched.rows[0]!.n === 0 };
}

describe("knowledge bases shared by two aiplus instances on one PostgreSQL", () => {
  it("serves through B what was added through A, and B never sees a half-built index while A re-indexes", async () => {
    const a = await startInstance();
    const b = await startInstance();
    expect((await a.call("POST", "/admin/models", { path: await testModelPath("tiny-bert-random.gguf"), name: "bert" })).status).toBe(201);
    expect((await a.call("POST", "/knowledge-bases", { name: "shared", embedding_model: "bert" })).status).toBe(201);
    const documents = Array.from({ length: 24 }, (_, index) => documentText(index));
    const upload = await a.call("POST", "/knowledge-bases/shared/documents", { documents });
    expect(upload.status, upload.text).toBe(202);
    expect((await waitForJob(a.call, "shared", upload.body.id)).status).toBe("completed");

    // B has never seen this knowledge base: it reads it from the shared database.
    const shown = await b.call("GET", "/knowledge-bases/shared");
    expect(shown.body).toMatchObject({ name: "shared", embedding_model: "bert", document_count: documents.length });
    expect(await queriedDocuments(b.call, "shared", "marker7", "lexical")).toEqual(["note-007.txt"]);
    expect((await queriedDocuments(b.call, "shared", "marker7", "hybrid"))[0]).toBe("note-007.txt");
    expect(new Set(await queriedDocuments(b.call, "shared", "common note", "vector")).size).toBe(documents.length);
    const chunksBefore = (shown.body as { chunk_count: number }).chunk_count;

    // A re-indexes with smaller chunks (a new generation, built while the old one serves); B queries all along.
    const reindex = await a.call("POST", "/knowledge-bases/shared/reindex", { embedding_model: "bert", chunk_size: 16, chunk_overlap: 0 });
    expect(reindex.status, reindex.text).toBe(202);
    let queries = 0;
    let job: { status: string } = { status: "queued" };
    const everyMarker = documents.map((_, index) => `marker${index}`).join(" ");
    while (!["completed", "failed", "cancelled"].includes(job.status)) {
      // Every document has its marker's chunk in whichever generation answers: never a partly filled one.
      expect(new Set(await queriedDocuments(b.call, "shared", everyMarker, "lexical")).size).toBe(documents.length);
      expect((await queriedDocuments(b.call, "shared", "common note", "vector")).length).toBeGreaterThanOrEqual(documents.length);
      queries++;
      job = (await b.call("GET", `/knowledge-bases/shared/jobs/${reindex.body.id}`)).body;
    }
    expect(job.status).toBe("completed");
    expect(queries).toBeGreaterThan(0);
    const after = (await b.call("GET", "/knowledge-bases/shared")).body as { chunk_count: number; document_count: number };
    expect(after.document_count).toBe(documents.length);
    expect(after.chunk_count).toBeGreaterThan(chunksBefore);
    expect(await queriedDocuments(b.call, "shared", "marker11", "lexical")).toContain("note-011.txt");
    expect(await storeConsistency()).toEqual({ duplicates: 0, countersMatch: true });
    await stop(a.server);
    await stop(b.server);
  }, 300_000);

  it("finishes on B an ingestion whose instance A was killed (-9) mid-way, with no duplicate chunks", async () => {
    const a = await startInstance();
    expect((await a.call("POST", "/knowledge-bases", { name: "takeover", embedding_model: "bert" })).status).toBe(201);
    const documents = Array.from({ length: 400 }, (_, index) => documentText(index, 60));
    const upload = await a.call("POST", "/knowledge-bases/takeover/documents", { documents });
    expect(upload.status, upload.text).toBe(202);
    const jobId = upload.body.id as string;

    // Only A runs: wait until it has stored some documents, then kill it.
    const storedDocuments = async () =>
      (await sql<{ n: number }>`select count(*)::integer as n from rag_documents where knowledge_base_id = (select id from rag_knowledge_bases where name = 'takeover')`.execute(database.db)).rows[0]!.n;
    for (const deadline = Date.now() + 120_000; (await storedDocuments()) === 0; ) {
      if (Date.now() > deadline) throw new Error("A stored no document");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    a.server.child.kill("SIGKILL");
    expect(await a.server.exited).toBe("SIGKILL");
    const storedAtKill = await storedDocuments();
    expect(storedAtKill).toBeLessThan(documents.length);

    // B starts, finds the job without a live holder once A's lease ran out, and finishes it.
    const b = await startInstance();
    expect((await waitForJob(b.call, "takeover", jobId)).status).toBe("completed");
    const shown = (await b.call("GET", "/knowledge-bases/takeover")).body as { document_count: number };
    expect(shown.document_count).toBe(documents.length);
    expect(await storeConsistency()).toEqual({ duplicates: 0, countersMatch: true });
    for (const index of [0, 199, 399]) expect(await queriedDocuments(b.call, "takeover", `marker${index}`, "lexical")).toEqual([documents[index]!.name]);
    await stop(b.server);
  }, 300_000);
});
