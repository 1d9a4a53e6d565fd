import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGuardrailServer, type GuardrailServer } from "./guardrail-server.js";
import { universalResponder } from "./universal-upstream.js";

// Knowledge-base embeddings and reranks, and eval runs, record their guardrail decisions against the ledger request
// of the call that made them: the usage log shows them and the admin audit finds them by request id.

const email = "alice.smith@example.com";
const card = "4111 1111 1111 1111";

type Decision = { rule: string; action: string; entity_type: string | null; route: string | null; positions: Array<{ location: string; start: number; end: number }> };
type UsageRecord = { id: string; endpoint: string; model: string; status: string; guardrail_decisions: Decision[] };
type AuditEntry = { request_id: string | null; kind: string; rule: string; action: string; key_id: string | null; endpoint: string | null; value_hmac: string | null };

let server: GuardrailServer;
let key: { id: string; key: string };

beforeAll(async () => {
  server = await startGuardrailServer();
  const universal = universalResponder(server.upstream);
  server.upstream.fallback = (response) => {
    const hit = server.upstream.hits.at(-1)!;
    if (hit.path.endsWith("/completions") && hit.body.echo === true) {
      // The prompt echoed word by word with made-up log-probabilities, plus one generated token.
      const tokens = [...(String(hit.body.prompt).match(/\s*\S+/g) ?? []), " ok"];
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ id: "e", object: "text_completion", model: hit.body.model, choices: [{ index: 0, text: "", finish_reason: "length", logprobs: { tokens, token_logprobs: tokens.map((_, index) => (index === 0 ? null : -1)) } }] }));
      return;
    }
    universal(response);
  };
  await server.admin.post("/admin/providers", { body: { name: "second", base_url: server.upstream.baseUrl, api_key: "sk-second", models: ["remote-rerank"] } });
  await server.setPolicy("default", "pii: mask\n");
  key = await server.createKey({ name: "knowledge-and-evals" });
});

afterAll(async () => {
  await server?.close();
});

async function call(method: string, route: string, body?: unknown, apiKey = key.key): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json().catch(() => undefined) };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The key's request log, newest first. */
async function usageRecords(): Promise<UsageRecord[]> {
  const { status, json } = await call("GET", "/usage/records?limit=100");
  expect(status, JSON.stringify(json)).toBe(200);
  return json.data as UsageRecord[];
}

async function auditOf(requestId: string): Promise<AuditEntry[]> {
  const { status, json } = await call("GET", `/admin/audit?request_id=${encodeURIComponent(requestId)}`, undefined, server.adminKey);
  expect(status, JSON.stringify(json)).toBe(200);
  return json.data as AuditEntry[];
}

/** Each usage record's decisions are in the audit log under its id, for this key, never with the value. */
async function expectAudited(record: UsageRecord, rules: string[]): Promise<void> {
  const audited = await auditOf(record.id);
  expect(audited.map((entry) => entry.rule).sort(), `audit of ${record.endpoint} ${record.id}`).toEqual([...rules].sort());
  for (const entry of audited) expect(entry).toMatchObject({ request_id: record.id, kind: "guardrail", key_id: key.id, value_hmac: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect(JSON.stringify(audited)).not.toContain(email);
}

describe("guardrail decisions of knowledge-base and eval calls carry their ledger request id", () => {
  it("knowledge ingestion, query embeddings and an upstream rerank", async () => {
    const created = await call("POST", "/knowledge-bases", { name: "decisions", embedding_model: "remote-embed" });
    expect(created.status, JSON.stringify(created.json)).toBeLessThan(300);
    const kb = created.json.id as string;
    const added = await call("POST", `/knowledge-bases/${kb}/documents`, { documents: [{ name: "people.md", text: `# People\n\nAlice can be reached at ${email}.\n` }] });
    expect(added.status, JSON.stringify(added.json)).toBeLessThan(300);
    await until(() => call("GET", `/knowledge-bases/${kb}/documents`), (list) => list.json?.data?.[0]?.status === "ready", "ingestion");
    const query = await call("POST", `/knowledge-bases/${kb}/query`, { query: `who has card ${card}?`, rerank_model: "remote-rerank" });
    expect(query.status, JSON.stringify(query.json)).toBe(200);

    const records = await usageRecords();
    const embeddings = records.filter((record) => record.endpoint === "embeddings");
    const reranks = records.filter((record) => record.endpoint === "rerank");
    expect(reranks).toHaveLength(1);
    // Ingestion embedded the chunk with the e-mail address; the query embedding masked the card.
    const ingestion = embeddings.find((record) => record.guardrail_decisions.some((decision) => decision.rule === "pii.EMAIL_ADDRESS" && decision.positions.length > 0));
    const queryEmbedding = embeddings.find((record) => record.guardrail_decisions.some((decision) => decision.rule === "pii.CREDIT_CARD"));
    expect(ingestion, JSON.stringify(embeddings)).toBeDefined();
    expect(queryEmbedding, JSON.stringify(embeddings)).toBeDefined();
    expect(ingestion!.id).not.toBe(queryEmbedding!.id);
    // (`Alice` is a PERSON too.)
    expect(ingestion!.guardrail_decisions.map((decision) => [decision.rule, decision.action, decision.route]).sort()).toEqual([["pii.EMAIL_ADDRESS", "mask", "upstream"], ["pii.PERSON", "mask", "upstream"]]);
    expect(queryEmbedding!.guardrail_decisions.map((decision) => [decision.rule, decision.action, decision.route, decision.positions[0]?.location])).toEqual([["pii.CREDIT_CARD", "mask", "upstream", "input[0]"]]);
    // The rerank masked the card in its query and the e-mail address in the passage it ranked.
    expect(reranks[0]!.guardrail_decisions.map((decision) => decision.rule).sort()).toEqual(["pii.CREDIT_CARD", "pii.EMAIL_ADDRESS", "pii.PERSON"]);
    expect(reranks[0]!.guardrail_decisions.every((decision) => decision.route === "second")).toBe(true);

    await expectAudited(ingestion!, ["pii.EMAIL_ADDRESS", "pii.PERSON"]);
    await expectAudited(queryEmbedding!, ["pii.CREDIT_CARD"]);
    await expectAudited(reranks[0]!, ["pii.CREDIT_CARD", "pii.EMAIL_ADDRESS", "pii.PERSON"]);
    expect((await auditOf(ingestion!.id)).every((entry) => entry.endpoint === "knowledge.embeddings")).toBe(true);
    expect((await auditOf(reranks[0]!.id)).every((entry) => entry.endpoint === "rerank")).toBe(true);
    const listing = JSON.stringify(records);
    expect(listing).not.toContain(email);
    expect(listing).not.toContain(card);
    // Nothing raw reached the upstream.
    const received = JSON.stringify(server.upstream.hits.map((hit) => hit.body));
    expect(received).not.toContain(email);
    expect(received).not.toContain(card);
  });

  it("eval runs: each generation's and each scored item's decisions", async () => {
    const before = new Set((await usageRecords()).map((record) => record.id));
    const generated = await call("POST", "/evals", {
      model: "remote-model",
      task_definition: {
        name: "decisions-eval",
        dataset: { records: [{ question: `mail ${email}`, answer: "ok" }, { question: "nothing to see", answer: "ok" }] },
        prompt: { template: "{{question}}" },
        generation: { maxTokens: 4 },
        scorer: { type: "exact-match", target: "{{answer}}" },
      },
    });
    expect(generated.status, JSON.stringify(generated.json)).toBeLessThan(300);
    const finished = await until(() => call("GET", `/evals/${generated.json.id}`), (run) => ["completed", "failed"].includes(run.json?.status), "the eval run");
    expect(finished.json.status, JSON.stringify(finished.json)).toBe("completed");
    const generations = (await usageRecords()).filter((record) => !before.has(record.id));
    expect(generations.map((record) => record.endpoint)).toEqual(["completions", "completions"]);
    const withDecision = generations.filter((record) => record.guardrail_decisions.length > 0);
    expect(withDecision).toHaveLength(1);
    expect(withDecision[0]!.guardrail_decisions.map((decision) => [decision.rule, decision.action, decision.route, decision.positions[0]?.location])).toEqual([["pii.EMAIL_ADDRESS", "mask", "upstream", "prompt"]]);
    await expectAudited(withDecision[0]!, ["pii.EMAIL_ADDRESS"]);
    expect((await auditOf(withDecision[0]!.id)).every((entry) => entry.endpoint === "evals")).toBe(true);

    // Log-likelihood scoring (an echo with prompt log-probabilities per item): under `pii: audit` the text goes out as
    // it is, and the audit decision is the scored item's.
    await server.setPolicy("default", "pii: audit\n");
    const seen = new Set((await usageRecords()).map((record) => record.id));
    const scored = await call("POST", "/evals", {
      model: "remote-model",
      task_definition: { name: "decisions-choice", dataset: { records: [{ q: `Write to ${email}`, choices: [" yes", " no"], gold: 0 }] }, prompt: { template: "{{q}}" }, scorer: { type: "loglikelihood-multiple-choice", choices: "choices", gold: "{{gold}}" } },
    });
    expect(scored.status, JSON.stringify(scored.json)).toBeLessThan(300);
    const scoredRun = await until(() => call("GET", `/evals/${scored.json.id}`), (run) => ["completed", "failed"].includes(run.json?.status), "the scoring run");
    expect(scoredRun.json.status, JSON.stringify(scoredRun.json)).toBe("completed");
    const scoring = (await usageRecords()).filter((record) => !seen.has(record.id));
    expect(scoring).toHaveLength(1);
    // One echo per choice, each audited against the item's entry.
    expect(scoring[0]!.guardrail_decisions.map((decision) => [decision.rule, decision.action, decision.route])).toEqual([
      ["pii.EMAIL_ADDRESS", "audit", "upstream"],
      ["pii.EMAIL_ADDRESS", "audit", "upstream"],
    ]);
    await expectAudited(scoring[0]!, ["pii.EMAIL_ADDRESS", "pii.EMAIL_ADDRESS"]);
    await server.setPolicy("default", "pii: mask\n");
  });
});
