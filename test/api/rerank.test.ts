import { getLlama, LlamaLogLevel, type Llama, type LlamaModel, type LlamaRankingContext } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeUpstream, respondJson, respondNever, type UpstreamScript } from "../gateway/fake-upstream.js";
import { callApi, waitForJob } from "../rag/support/knowledge-server.js";
import { startTestServer, type TestServer } from "../support/api-server.js";
import { rankingTestModelPath } from "../support/make-ranking-model.js";

// Reranking end to end: a real server with the tiny derived reranker GGUF (node-llama-cpp ranking context), a knowledge
// base query reranked by it, and an upstream Cohere/Jina-style /rerank (a fake server, for its answers and failures).

const query = "How many vacation days do new staff get?";
const documents = [
  "New staff get 25 vacation days per year.",
  "Travel expenses are reimbursed within 30 days.",
  "Parking permits are issued by facilities.",
  "Sick leave needs a doctor's note after three days.",
  "The quick brown fox jumps over the lazy dog.",
];

let server: TestServer;
let upstream: FakeUpstream;
let alice: { id: string; key: string };
let llama: Llama;
let reference: LlamaModel;
let referenceContext: LlamaRankingContext;

/** Scores computed directly with node-llama-cpp, in this process (the server's runtime sizes the context at 128). */
async function expectedScores(texts: string[]): Promise<number[]> {
  return Promise.all(texts.map((text) => referenceContext.rank(query, text, { onOverflow: "maxChunk" })));
}

function order(scores: number[]): number[] {
  return scores.map((score, index) => ({ score, index })).sort((left, right) => right.score - left.score || left.index - right.index).map((entry) => entry.index);
}

beforeAll(async () => {
  const rankerPath = await rankingTestModelPath();
  server = await startTestServer();
  await server.admin.post("/admin/models", { body: { path: rankerPath, name: "ranker" } });
  await server.addModel("tiny-bert-random.gguf", "bert");
  await server.addModel("stories260K.gguf", "stories");
  upstream = await FakeUpstream.start();
  await server.admin.post("/admin/providers", { body: { name: "rerank-cloud", base_url: upstream.baseUrl, api_key: "sk-rerank", models: ["remote-reranker"], timeout_ms: 5000 } });
  alice = await server.createKey({ name: "alice" });
  llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
  reference = await llama.loadModel({ modelPath: rankerPath });
  referenceContext = await reference.createRankingContext({ contextSize: 128, threads: 1 });
}, 120_000);
afterAll(async () => {
  await upstream?.stop();
  await server?.close();
  await referenceContext?.dispose();
  await reference?.dispose();
  await llama?.dispose();
});

describe("POST /v1/rerank with a local reranker GGUF", () => {
  it("returns every document ordered by the ranking head's scores, with documents and token usage", async () => {
    const response = await callApi(server, alice.key, "POST", "/v1/rerank", { model: "ranker", query, documents });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ object: "list", model: "ranker" });
    expect(response.body.id).toMatch(/^rerank-/);
    const expected = await expectedScores(documents);
    const results: Array<{ index: number; relevance_score: number; document: { text: string } }> = response.body.results;
    expect(results.map((result) => result.index)).toEqual(order(expected));
    for (const result of results) {
      expect(Math.abs(result.relevance_score - expected[result.index]!)).toBeLessThan(1e-5);
      expect(result.document.text).toBe(documents[result.index]);
    }
    const tokens = documents.reduce((sum, document) => sum + referenceContext.calculateInputLength(query, document), 0);
    expect(response.body.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
  });

  it("honours top_n and return_documents, accepts {text} documents, and is deterministic", async () => {
    const expectedOrder = order(await expectedScores(documents));
    const response = await callApi(server, alice.key, "POST", "/v1/rerank", {
      model: "ranker", query, documents: documents.map((text) => ({ text })), top_n: 2, return_documents: false,
    });
    expect(response.status).toBe(200);
    expect(response.body.results.map((result: { index: number }) => result.index)).toEqual(expectedOrder.slice(0, 2));
    expect(response.body.results.every((result: object) => Object.keys(result).sort().join() === "index,relevance_score")).toBe(true);
    const again = await callApi(server, alice.key, "POST", "/v1/rerank", { model: "ranker", query, documents, top_n: 50 });
    expect(again.body.results).toHaveLength(documents.length);
    expect(again.body.results.slice(0, 2).map((result: { relevance_score: number }) => result.relevance_score))
      .toEqual(response.body.results.map((result: { relevance_score: number }) => result.relevance_score));
  });

  it("rejects bad requests with 400, unknown models with 404, models without a ranking head with model_not_ranking", async () => {
    const bad = [
      { model: "ranker", query: "", documents },
      { model: "ranker", query, documents: [] },
      { model: "ranker", query, documents: "one document" },
      { model: "ranker", query: 42, documents },
      { model: "ranker", query, documents: [1, 2] },
      { model: "ranker", query, documents, top_n: 0 },
      { model: "ranker", query, documents, return_documents: "yes" },
      { query, documents },
    ];
    for (const body of bad) {
      const response = await callApi(server, alice.key, "POST", "/v1/rerank", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.type).toBe("invalid_request_error");
    }
    const unknown = await callApi(server, alice.key, "POST", "/v1/rerank", { model: "nope", query, documents });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "model_not_found", param: "model" });
    const languageModel = await callApi(server, alice.key, "POST", "/v1/rerank", { model: "stories", query, documents });
    expect(languageModel.status).toBe(400);
    expect(languageModel.body.error).toMatchObject({ code: "model_not_ranking", param: "model" });
    const tooLong = await callApi(server, alice.key, "POST", "/v1/rerank", { model: "ranker", query: "vacation ".repeat(200), documents: ["short"] });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toMatchObject({ code: "context_length_exceeded", param: "query" });
    const limited = await server.createKey({ name: "limited", models: ["bert"] });
    expect((await callApi(server, limited.key, "POST", "/v1/rerank", { model: "ranker", query, documents })).status).toBe(403);
    expect((await callApi(server, "aip_not_a_real_key_0123456789", "POST", "/v1/rerank", { model: "ranker", query, documents })).status).toBe(401);
    // the server still serves after the errors
    expect((await callApi(server, alice.key, "POST", "/v1/rerank", { model: "ranker", query, documents: documents.slice(0, 1) })).status).toBe(200);
  });

  it("falls back to cosine similarity for an embedding model without a ranking head", async () => {
    const response = await callApi(server, alice.key, "POST", "/v1/rerank", { model: "bert", query: "parking permits", documents: ["zz", "parking permits"] });
    expect(response.status).toBe(200);
    expect(response.body.results[0]).toMatchObject({ index: 1 });
    expect(response.body.results[0].relevance_score).toBeCloseTo(1, 5);
    expect(response.body.usage.prompt_tokens).toBeGreaterThan(0);
  });
});

describe("metering of /v1/rerank", () => {
  it("writes one settled `rerank` ledger entry with the reported tokens, priced per input token, and honours the budget", async () => {
    await server.admin.put("/admin/prices/ranker", { body: { input_per_million: 1000, output_per_million: 0 } });
    const billed = await server.createKey({ name: "rerank-billing", budget: 1 });
    const response = await callApi(server, billed.key, "POST", "/v1/rerank", { model: "ranker", query, documents });
    expect(response.status).toBe(200);
    const tokens: number = response.body.usage.prompt_tokens;
    const records = await server.admin.get<{ data: Array<{ endpoint: string; model: string; status: string; input_tokens: number; cost: number }> }>(
      "/admin/usage/records", { query: { key_id: billed.id } },
    );
    expect(records.data).toHaveLength(1);
    expect(records.data[0]).toMatchObject({ endpoint: "rerank", model: "ranker", status: "ok", input_tokens: tokens });
    expect(records.data[0]!.cost).toBeCloseTo(tokens * 1000 / 1e6, 12);
    // The reservation is every query–document pair's UTF-8 bytes: a budget below it is refused before any work.
    const poor = await server.createKey({ name: "rerank-poor", budget: 0.000001 });
    const refused = await callApi(server, poor.key, "POST", "/v1/rerank", { model: "ranker", query, documents });
    expect(refused.status).toBe(429);
    expect(refused.body.error.type).toBe("insufficient_quota");
    await server.admin.put("/admin/prices/ranker", { body: { input_per_million: 0, output_per_million: 0 } });
  });
});

describe("knowledge-base queries reranked", () => {
  const handbook = documents.map((text, index) => ({ name: `policy-${index}.txt`, text }));

  beforeAll(async () => {
    expect((await callApi(server, alice.key, "POST", "/v1/knowledge-bases", { name: "handbook", embedding_model: "bert" })).status).toBe(201);
    const upload = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/documents", { documents: handbook });
    expect(upload.status).toBe(202);
    expect((await waitForJob(server, alice.key, "handbook", upload.body.id)).status).toBe("completed");
  });

  it("reorders the retrieved passages by the local reranker's scores", async () => {
    const plain = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query, top_k: 5, mode: "hybrid" });
    expect(plain.status).toBe(200);
    expect(plain.body.data.every((hit: { rerank_score: number | null }) => hit.rerank_score === null)).toBe(true);
    const reranked = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query, top_k: 5, mode: "hybrid", rerank_model: "ranker" });
    expect(reranked.status).toBe(200);
    const hits: Array<{ text: string; score: number; rerank_score: number }> = reranked.body.data;
    expect(hits).toHaveLength(documents.length);
    expect(hits.map((hit) => hit.text).sort()).toEqual(plain.body.data.map((hit: { text: string }) => hit.text).sort());
    const expected = await expectedScores(hits.map((hit) => hit.text));
    hits.forEach((hit, index) => {
      expect(Math.abs(hit.rerank_score - expected[index]!)).toBeLessThan(1e-5);
      expect(hit.score).toBe(hit.rerank_score);
    });
    expect(order(expected)).toEqual(hits.map((_, index) => index));
    const top = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query, top_k: 2, mode: "hybrid", rerank_model: "ranker" });
    expect(top.body.data.map((hit: { text: string }) => hit.text)).toEqual(hits.slice(0, 2).map((hit) => hit.text));
  });

  it("bills a reranked query to the key: the query embedding as `embeddings`, the ranking head's work as `rerank`", async () => {
    const querying = await server.createKey({ name: "kb-rerank-billing" });
    const grant = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/grants", { key: querying.id });
    expect(grant.status).toBeLessThan(300);
    const response = await callApi(server, querying.key, "POST", "/v1/knowledge-bases/handbook/query", { query, top_k: 5, mode: "hybrid", rerank_model: "ranker" });
    expect(response.status).toBe(200);
    const records = await server.admin.get<{ data: Array<{ endpoint: string; model: string; status: string; input_tokens: number | null }> }>(
      "/admin/usage/records", { query: { key_id: querying.id } },
    );
    const rerank = records.data.filter((record) => record.endpoint === "rerank");
    expect(rerank).toHaveLength(1);
    const texts: string[] = response.body.data.map((hit: { text: string }) => hit.text);
    const tokens = texts.reduce((sum, text) => sum + referenceContext.calculateInputLength(query, text), 0);
    expect(rerank[0]).toMatchObject({ model: "ranker", status: "ok", input_tokens: tokens });
    expect(records.data.filter((record) => record.endpoint === "embeddings" && record.model === "bert")).toHaveLength(1);
    // A model that cannot rank fails before anything is billed.
    const refused = await callApi(server, querying.key, "POST", "/v1/knowledge-bases/handbook/query", { query, top_k: 5, rerank_model: "stories" });
    expect(refused.status).toBe(400);
    const after = await server.admin.get<{ data: unknown[] }>("/admin/usage/records", { query: { key_id: querying.id } });
    expect(after.data).toHaveLength(records.data.length + 1); // only the query embedding of the refused call
  });

  it("applies min_rerank_score, and rejects a reranker that cannot rank", async () => {
    const best = (await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query, top_k: 5, mode: "hybrid", rerank_model: "ranker" })).body.data[0].rerank_score as number;
    const none = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query, top_k: 5, mode: "hybrid", rerank_model: "ranker", threshold: { min_rerank_score: best + 1e-3 } });
    expect(none.status).toBe(200);
    expect(none.body.data).toEqual([]);
    const one = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query, top_k: 5, mode: "hybrid", rerank_model: "ranker", threshold: { min_rerank_score: best } });
    expect(one.body.data).toHaveLength(1);
    const stories = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query, top_k: 5, rerank_model: "stories" });
    expect(stories.status).toBe(400);
    expect(stories.body.error.code).toBe("model_not_ranking");
  });

  it("reranks through an upstream /rerank", async () => {
    upstream.reset();
    upstream.fallback = (response, request) => {
      const hit = upstream.hits.at(-1)!;
      const texts = hit.body.documents as string[];
      // the upstream prefers shorter passages
      return respondJson(200, { results: texts.map((text, index) => ({ index, relevance_score: 1 / text.length })).reverse() })(response, request);
    };
    const response = await callApi(server, alice.key, "POST", "/v1/knowledge-bases/handbook/query", { query, top_k: 3, mode: "hybrid", rerank_model: "remote-reranker" });
    expect(response.status).toBe(200);
    const texts = response.body.data.map((hit: { text: string }) => hit.text);
    expect(texts).toHaveLength(3);
    expect(texts).toEqual([...texts].sort((left: string, right: string) => left.length - right.length));
    expect(response.body.data[0].rerank_score).toBeCloseTo(1 / texts[0].length, 10);
    expect(upstream.hits).toHaveLength(1);
    expect(upstream.hits[0]).toMatchObject({ path: "/v1/rerank", authorization: "Bearer sk-rerank", body: { model: "remote-reranker", query } });
    expect((upstream.hits[0]!.body.documents as string[]).length).toBe(documents.length);
  });
});

describe("POST /v1/rerank through an upstream provider", () => {
  const rerank = (body: Record<string, unknown> = {}) => callApi(server, alice.key, "POST", "/v1/rerank", { model: "remote-reranker", query, documents: documents.slice(0, 3), ...body });

  it("forwards the request and orders the upstream's scores, with its usage", async () => {
    upstream.reset();
    upstream.script(respondJson(200, { results: [{ index: 1, relevance_score: 0.9 }, { index: 2, relevance_score: 0.5 }, { index: 0, relevance_score: 0.1 }], usage: { total_tokens: 42 } }));
    const response = await rerank({ top_n: 2 });
    expect(response.status).toBe(200);
    expect(response.body.results).toEqual([
      { index: 1, relevance_score: 0.9, document: { text: documents[1] } },
      { index: 2, relevance_score: 0.5, document: { text: documents[2] } },
    ]);
    expect(response.body.usage).toEqual({ prompt_tokens: 42, total_tokens: 42 });
    expect(upstream.hits[0]).toMatchObject({ path: "/v1/rerank", authorization: "Bearer sk-rerank", body: { model: "remote-reranker", query, documents: documents.slice(0, 3), top_n: 3 } });
    upstream.script(respondJson(200, { results: [{ index: 0, relevance_score: 0.3 }, { index: 1, relevance_score: 0.2 }, { index: 2, relevance_score: 0.7 }], meta: { billed_units: { input_tokens: 17 } } }));
    const cohere = await rerank();
    expect(cohere.body.results.map((result: { index: number }) => result.index)).toEqual([2, 0, 1]);
    expect(cohere.body.usage).toEqual({ prompt_tokens: 17, total_tokens: 17 });
    upstream.script(respondJson(200, { results: [{ index: 0, relevance_score: 0.3 }, { index: 1, relevance_score: 0.2 }, { index: 2, relevance_score: 0.7 }] }));
    expect((await rerank()).body.usage).toBeUndefined();
  });

  it("maps malformed answers to a clear 502, without retrying them", async () => {
    upstream.reset();
    const cases: Array<{ answer: UpstreamScript; message: RegExp }> = [
      { answer: respondJson(400, { error: { message: "documents must be strings" } }), message: /answered HTTP 400: documents must be strings/ },
      { answer: (response) => void response.writeHead(200, { "content-type": "application/json" }).end("{not json"), message: /invalid \/rerank answer: the body is not JSON/ },
      { answer: respondJson(200, { data: [{ index: 0, score: 1 }] }), message: /invalid \/rerank answer: expected \{results/ },
      { answer: respondJson(200, { results: [{ index: 0, relevance_score: "high" }] }), message: /invalid \/rerank answer/ },
      { answer: respondJson(200, { results: [{ index: 0, relevance_score: 0.1 }, { index: 1, relevance_score: 0.2 }] }), message: /no score for documents\[2\]/ },
      { answer: respondJson(200, { results: [0, 1, 2, 3].map((index) => ({ index, relevance_score: 0.1 })) }), message: /index 3 is out of range or repeated/ },
      { answer: respondJson(200, { results: [0, 0, 1].map((index) => ({ index, relevance_score: 0.1 })) }), message: /index 0 is out of range or repeated/ },
    ];
    for (const { answer, message } of cases) {
      upstream.script(answer);
      const hits = upstream.hits.length;
      const response = await rerank();
      expect(response.status, String(message)).toBe(502);
      expect(response.body.error.type).toBe("upstream_error");
      expect(response.body.error.message).toMatch(/upstream rerank-cloud/);
      expect(response.body.error.message).toMatch(message);
      expect(upstream.hits.length - hits, String(message)).toBe(1);
    }
    upstream.script(respondJson(200, { results: [{ index: 0, relevance_score: 0.3 }, { index: 1, relevance_score: 0.2 }, { index: 2, relevance_score: 0.7 }] }));
    expect((await rerank()).status).toBe(200);
  });

  it("retries an upstream failure (5xx) and maps it to a clear 502 when every attempt failed", async () => {
    upstream.reset();
    await server.admin.post("/admin/providers", { body: { name: "flaky", base_url: upstream.baseUrl, models: ["flaky-reranker"] } });
    const flaky = () => callApi(server, alice.key, "POST", "/v1/rerank", { model: "flaky-reranker", query, documents: documents.slice(0, 3) });
    upstream.fallback = respondJson(500, { error: { message: "reranker crashed" } });
    const crashed = await flaky();
    expect(crashed.status).toBe(502);
    expect(crashed.body.error.message).toBe("upstream flaky answered HTTP 500: reranker crashed");
    expect(upstream.hits).toHaveLength(3); // the first attempt and 2 retries
    upstream.reset();
    upstream.script(respondJson(503, { error: { message: "overloaded" } }));
    upstream.fallback = respondJson(200, { results: [{ index: 0, relevance_score: 0.3 }, { index: 1, relevance_score: 0.2 }, { index: 2, relevance_score: 0.7 }] });
    const recovered = await flaky();
    expect(recovered.status).toBe(200);
    expect(recovered.body.results.map((result: { index: number }) => result.index)).toEqual([2, 0, 1]);
    expect(upstream.hits).toHaveLength(2);
  });

  it("reports an upstream that does not answer in time as 504", async () => {
    upstream.reset();
    await server.admin.post("/admin/providers", { body: { name: "slow", base_url: upstream.baseUrl, models: ["slow-reranker"], timeout_ms: 200 } });
    upstream.fallback = respondNever;
    const response = await callApi(server, alice.key, "POST", "/v1/rerank", { model: "slow-reranker", query, documents });
    expect(response.status).toBe(504);
    expect(response.body.error.message).toBe("upstream slow sent no response within 200 ms");
    upstream.reset();
  });

  it("reports an unreachable upstream as 502", async () => {
    await server.admin.post("/admin/providers", { body: { name: "gone", base_url: "http://127.0.0.1:9/v1", models: ["gone-reranker"] } });
    const response = await callApi(server, alice.key, "POST", "/v1/rerank", { model: "gone-reranker", query, documents });
    expect(response.status).toBe(502);
    expect(response.body.error.message).toMatch(/^cannot reach upstream gone \(http:\/\/127\.0\.0\.1:9\/v1\/rerank\): /);
  });

  it("fails over to the next provider of the model by priority, and opens the failing provider's circuit", async () => {
    upstream.reset();
    const backup = await FakeUpstream.start();
    try {
      await server.admin.post("/admin/providers", { body: { name: "pool-backup", base_url: backup.baseUrl, models: ["pooled-reranker"], priority: 2 } });
      await server.admin.post("/admin/providers", { body: { name: "pool-primary", base_url: upstream.baseUrl, models: ["pooled-reranker"], priority: 1 } });
      upstream.fallback = respondJson(500, { error: { message: "primary down" } });
      backup.fallback = respondJson(200, { results: [{ index: 0, relevance_score: 0.1 }, { index: 1, relevance_score: 0.8 }, { index: 2, relevance_score: 0.4 }] });
      const pooled = () => callApi(server, alice.key, "POST", "/v1/rerank", { model: "pooled-reranker", query, documents: documents.slice(0, 3) });
      const served = await pooled();
      expect(served.status).toBe(200);
      expect(served.body.results.map((result: { index: number }) => result.index)).toEqual([1, 2, 0]);
      expect(upstream.hits).toHaveLength(3);
      expect(backup.hits).toHaveLength(1);
      // Two more calls: the primary's 5th consecutive failure opens its circuit (threshold 5), then it is skipped.
      for (let call = 0; call < 2; call++) expect((await pooled()).status).toBe(200);
      expect(upstream.hits).toHaveLength(5);
      expect(backup.hits).toHaveLength(3);
      const primary = await server.admin.get<{ circuit: { state: string }; routes: Array<{ model: string; state: string }> }>("/admin/providers/pool-primary");
      expect(primary.circuit.state).toBe("open");
      expect(primary.routes).toMatchObject([{ model: "pooled-reranker", state: "open" }]);
    } finally {
      await backup.stop();
    }
  });
});
