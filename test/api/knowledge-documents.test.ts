import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, waitForJob } from "../rag/support/knowledge-server.js";
import { startTestServer, type TestServer } from "../support/api-server.js";

let server: TestServer;
let owner: { id: string; key: string };
let granted: { id: string; key: string };
let stranger: { id: string; key: string };
const documents = "/v1/knowledge-bases/manual/documents";

type WireDocument = { id: string; status: string; stage: string; progress: { done: number; total: number } | null; error: string | null; error_code: string | null; retryable: boolean; chunk_count: number };
type DocumentList = { object: "list"; data: WireDocument[]; total: number; has_more: boolean; counts: Record<string, number> };

beforeAll(async () => {
  server = await startTestServer();
  await server.addModel("tiny-bert-random.gguf", "bert");
  owner = await server.createKey({ name: "owner" });
  granted = await server.createKey({ name: "granted" });
  stranger = await server.createKey({ name: "stranger" });
  expect((await callApi(server, owner.key, "POST", "/v1/knowledge-bases", { name: "manual", embedding_model: "bert" })).status).toBe(201);
  expect((await callApi(server, owner.key, "POST", "/v1/knowledge-bases/manual/grants", { key: granted.id })).status).toBe(201);
  const form = new FormData();
  for (const name of ["alpha.md", "bravo.md", "charlie.txt", "delta.txt"]) form.append("file", new Blob([`# ${name}\n\nThe ${name} page explains parking permits.`], { type: "text/plain" }), name);
  form.append("file", new Blob([new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9])]), "broken.docx");
  const upload = await callApi(server, owner.key, "POST", documents, form);
  expect(upload.status).toBe(202);
  expect((await waitForJob(server, owner.key, "manual", upload.body.id)).result).toMatchObject({ added: 4, failed: 1 });
}, 120_000);
afterAll(async () => server?.close());

describe("GET /v1/knowledge-bases/{kb}/documents", () => {
  it("pages, filters by status and name, and gives the total, has_more and the count of each status", async () => {
    const all = await callApi<DocumentList>(server, owner.key, "GET", documents);
    expect(all.status).toBe(200);
    expect(all.body.data.map((document) => document.id)).toEqual(["alpha.md", "bravo.md", "broken.docx", "charlie.txt", "delta.txt"]);
    expect(all.body).toMatchObject({ total: 5, has_more: false, counts: { ready: 4, processing: 0, failed: 1, cancelled: 0 } });
    const ready = all.body.data.find((document) => document.id === "alpha.md")!;
    expect(ready).toMatchObject({ status: "ready", stage: "ready", error: null, error_code: null, retryable: false, chunk_count: 1, progress: { done: 1, total: 1 } });

    const page = await callApi<DocumentList>(server, owner.key, "GET", `${documents}?offset=1&limit=2`);
    expect(page.body.data.map((document) => document.id)).toEqual(["bravo.md", "broken.docx"]);
    expect(page.body).toMatchObject({ total: 5, has_more: true });
    const last = await callApi<DocumentList>(server, owner.key, "GET", `${documents}?offset=4&limit=2`);
    expect(last.body.data.map((document) => document.id)).toEqual(["delta.txt"]);
    expect(last.body.has_more).toBe(false);

    const failed = await callApi<DocumentList>(server, owner.key, "GET", `${documents}?status=failed`);
    expect(failed.body.total).toBe(1);
    expect(failed.body.data[0]).toMatchObject({ id: "broken.docx", status: "failed", stage: "failed", error_code: "corrupt_document", retryable: true, progress: null });
    expect(failed.body.data[0]!.error).toMatch(/docx/i);
    const searched = await callApi<DocumentList>(server, owner.key, "GET", `${documents}?search=TXT`);
    expect(searched.body.data.map((document) => document.id)).toEqual(["charlie.txt", "delta.txt"]);
    // A granted key lists them too; a key without a grant is refused.
    expect((await callApi<DocumentList>(server, granted.key, "GET", `${documents}?limit=1`)).body.data.map((document) => document.id)).toEqual(["alpha.md"]);
    expect((await callApi(server, stranger.key, "GET", documents)).status).toBe(403);
  });

  it("answers bad paging and filter parameters with a 400 naming them", async () => {
    for (const [query, param] of [["limit=0", "limit"], ["limit=1001", "limit"], ["limit=ten", "limit"], ["offset=-1", "offset"], ["status=done", "status"], ["sort=name", "sort"]] as const) {
      const answer = await callApi(server, owner.key, "GET", `${documents}?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error.param, query).toBe(param);
    }
    expect((await callApi(server, owner.key, "GET", `${documents}?sort=name`)).body.error.code).toBe("unknown_parameter");
  });
});

describe("POST /v1/knowledge-bases/{kb}/query scores", () => {
  type Passage = { document: string; heading: string | null; score: number; lexical_score: number | null; vector_similarity: number | null; hybrid_score: number | null; rerank_score: number | null };
  const query = (body: Record<string, unknown>) => callApi<{ data: Passage[] }>(server, owner.key, "POST", "/v1/knowledge-bases/manual/query", body);

  it("gives each passage its lexical, vector, hybrid (fused) and rerank scores; reranking keeps the fused score", async () => {
    const hybrid = await query({ query: "parking permits alpha.md", mode: "hybrid", top_k: 3 });
    expect(hybrid.status).toBe(200);
    for (const passage of hybrid.body.data) {
      expect(passage.hybrid_score).toBeGreaterThan(0);
      expect(passage.score).toBe(passage.hybrid_score);
      expect(passage.rerank_score).toBeNull();
    }
    expect(hybrid.body.data.some((passage) => typeof passage.lexical_score === "number")).toBe(true);
    expect(hybrid.body.data.every((passage) => typeof passage.vector_similarity === "number")).toBe(true);
    const reranked = await query({ query: "parking permits alpha.md", mode: "hybrid", top_k: 3, rerank_model: "bert" });
    expect(reranked.body.data.length).toBeGreaterThan(0);
    for (const passage of reranked.body.data) {
      expect(typeof passage.rerank_score).toBe("number");
      expect(passage.score).toBe(passage.rerank_score);
      expect(passage.hybrid_score).toBeGreaterThan(0);
    }
    const lexical = await query({ query: "parking permits", mode: "lexical", top_k: 2 });
    expect(lexical.body.data.every((passage) => passage.hybrid_score === null && passage.vector_similarity === null && passage.score === passage.lexical_score)).toBe(true);
  });
});

describe("retrying and cancelling documents and jobs", () => {
  it("retries a failed upload from its kept file (it fails again, with its reason) and refuses what cannot be retried", async () => {
    const retry = await callApi(server, owner.key, "POST", `${documents}/broken.docx/retry`);
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ object: "knowledge_base.job", kind: "knowledge.ingest" });
    expect((await waitForJob(server, owner.key, "manual", retry.body.id)).result).toMatchObject({ failed: 1 });
    const broken = await callApi<WireDocument & { job_id: string }>(server, owner.key, "GET", `${documents}/broken.docx`);
    expect(broken.body).toMatchObject({ status: "failed", job_id: retry.body.id, retryable: true });

    const notRetryable = await callApi(server, owner.key, "POST", `${documents}/alpha.md/retry`);
    expect(notRetryable.status).toBe(409);
    expect(notRetryable.body.error.code).toBe("document_not_retryable");
    expect((await callApi(server, owner.key, "POST", `${documents}/missing.md/retry`)).status).toBe(404);
    expect((await callApi(server, stranger.key, "POST", `${documents}/broken.docx/retry`)).status).toBe(403);
  });

  it("cancels only queued or processing documents, and returns a finished job unchanged", async () => {
    const notProcessing = await callApi(server, owner.key, "POST", `${documents}/alpha.md/cancel`);
    expect(notProcessing.status).toBe(409);
    expect(notProcessing.body.error.code).toBe("document_not_processing");
    expect((await callApi(server, owner.key, "POST", `${documents}/missing.md/cancel`)).status).toBe(404);

    const jobs = (await callApi(server, owner.key, "GET", "/v1/knowledge-bases/manual/jobs")).body.data as Array<{ id: string; status: string }>;
    const finished = jobs.find((job) => job.status === "completed")!;
    const cancelled = await callApi(server, owner.key, "POST", `/v1/knowledge-bases/manual/jobs/${finished.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: finished.id, status: "completed" });
    expect((await callApi(server, owner.key, "POST", "/v1/knowledge-bases/manual/jobs/no-such-job/cancel")).status).toBe(404);
    expect((await callApi(server, stranger.key, "POST", `/v1/knowledge-bases/manual/jobs/${finished.id}/cancel`)).status).toBe(403);
  });

  it("cancels a queued upload behind a running one; the cancelled document is listed as such and can be retried", async () => {
    const big = Array.from({ length: 400 }, (_, index) => `Paragraph ${index} of the long handbook talks about parking and bicycles.`).join("\n\n");
    const first = await callApi(server, owner.key, "POST", documents, { documents: [{ name: "long.md", text: big }] });
    const second = await callApi(server, owner.key, "POST", documents, { documents: [{ name: "echo.md", text: "Echo is waiting in the queue." }] });
    expect(second.status).toBe(202);
    // Wherever its job is by now (queued, or even done), the answer is consistent with the listing.
    const cancel = await callApi<WireDocument>(server, owner.key, "POST", `${documents}/echo.md/cancel`);
    await waitForJob(server, owner.key, "manual", first.body.id);
    const echo = await callApi<WireDocument>(server, owner.key, "GET", `${documents}/echo.md`);
    if (cancel.status === 200) {
      expect(cancel.body).toMatchObject({ status: "cancelled", stage: "cancelled", retryable: true });
      expect(echo.body).toMatchObject({ status: "cancelled", retryable: true });
      const listed = await callApi<DocumentList>(server, owner.key, "GET", `${documents}?status=cancelled`);
      expect(listed.body.data.map((document) => document.id)).toEqual(["echo.md"]);
      const retry = await callApi(server, owner.key, "POST", `${documents}/echo.md/retry`);
      expect(retry.status).toBe(202);
      await waitForJob(server, owner.key, "manual", retry.body.id);
    } else {
      expect(cancel.status).toBe(409);
      expect(cancel.body).toMatchObject({ error: { code: "document_not_processing" } });
      await waitForJob(server, owner.key, "manual", second.body.id);
    }
    expect((await callApi<WireDocument>(server, owner.key, "GET", `${documents}/echo.md`)).body.status).toBe("ready");
  });
});
