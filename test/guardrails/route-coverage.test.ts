import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGuardrailServer, type GuardrailServer } from "./guardrail-server.js";
import { universalResponder } from "./universal-upstream.js";

// Route coverage: every route of the app is listed here as reaching a model or not. Each route that reaches a model
// is exercised with raw values under the default policy `pii: mask`, and the fake upstream (which records every byte
// it receives) must never see them. A new route that is not listed fails the test until it is classified.

const email = "alice.smith@example.com";
const card = "4111 1111 1111 1111";
const raw = `contact ${email}, card ${card}`;

/** Routes that reach a model, each with how it is exercised below (or the exercised route whose call path it shares). */
const reachesModel: Record<string, { exercised: true } | { sharesPathOf: string; why: string }> = {
  "POST /v1/chat/completions": { exercised: true },
  "POST /v1/completions": { exercised: true },
  "POST /v1/embeddings": { exercised: true },
  "POST /v1/responses": { exercised: true },
  "POST /v1/knowledge-bases/:kb/documents": { exercised: true },
  "POST /v1/knowledge-bases/:kb/query": { exercised: true },
  "POST /v1/rerank": { exercised: true },
  "POST /v1/arena/battles": { exercised: true },
  "POST /v1/evals": { exercised: true },
  "POST /v1/workflows/:id/runs": { exercised: true },
  "ALL /mcp": { exercised: true },
  "POST /v1/knowledge-bases/:kb/reindex": { sharesPathOf: "POST /v1/knowledge-bases/:kb/documents", why: "the reindex job embeds chunks through the same metered, key-guarded embedder" },
  "POST /v1/knowledge-bases/:kb/documents/:document{.+}/retry": { sharesPathOf: "POST /v1/knowledge-bases/:kb/documents", why: "a retry re-runs the ingestion job" },
  "POST /v1/workflow-runs/:id/input": { sharesPathOf: "POST /v1/workflows/:id/runs", why: "resumes the same workflow run (its llm steps call startLanguageModelCall with the run's key)" },
  "POST /v1/workflow-runs": { sharesPathOf: "POST /v1/workflows/:id/runs", why: "starts a workflow run ({workflow: {id, version}}) through the same WorkflowService.startRun" },
  "POST /v1/approvals/:id/approve": { sharesPathOf: "POST /v1/responses", why: "resumes the same response run loop" },
  "POST /v1/agents/:id": { sharesPathOf: "POST /v1/responses", why: "agents run through the response run loop (this route updates a definition; runs go through /v1/responses)" },
};

/** Routes that never send caller data to a model. */
const noModel = new Set([
  "POST /v1/admin/providers/test", // a fixed probe ("Say OK."), no caller data
  "POST /v1/admin/providers/:name/test", // the same fixed probe
  "POST /v1/admin/models/:name/load", // loads weights, sends nothing
  "POST /v1/mcp/tools/call", // calls an admin-registered MCP server's tool (not a model)
  "POST /v1/moderations", // the detectors themselves, in-process
]);

/** Read-only or bookkeeping routes: listed by prefix (GET, DELETE, and POSTs that only change state). */
const bookkeeping = [
  /^(GET|DELETE) /,
  /^ALL \/(v1\/.*|\*)$/, // middleware mounts
  /^(POST|PATCH|PUT|DELETE) \/v1\/admin\//,
  /^POST \/v1\/console\/session$/,
  /^POST \/v1\/knowledge-bases$/,
  /^POST \/v1\/knowledge-bases\/:kb\/(grants|jobs\/:job\/cancel)$/,
  /^POST \/v1\/knowledge-bases\/:kb\/documents\/:document\{\.\+\}\/cancel$/,
  /^POST \/v1\/(agents|agents\/import|workflows|arena\/import)$/,
  /^POST \/v1\/workflows\/:id$/, // saves a new version of a definition; runs go through /v1/workflows/:id/runs
  /^(PATCH|PUT) \/v1\/agents\/:id\/memory\/:label$/,
  /^POST \/v1\/(arena\/battles\/:id\/vote|evals\/:id\/cancel|responses\/:id\/cancel|runs\/:id\/cancel|workflow-runs\/:id\/cancel|approvals\/:id\/deny)$/,
];

let server: GuardrailServer;
let folder: string;

beforeAll(async () => {
  server = await startGuardrailServer();
  server.upstream.fallback = universalResponder(server.upstream);
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-coverage-"));
  await server.admin.post("/admin/providers", { body: { name: "second", base_url: server.upstream.baseUrl, api_key: "sk-second", models: ["remote-model-b", "remote-rerank"] } });
  await server.setPolicy("default", "pii: mask");
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

async function call(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
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

/** Runs `exercise` and checks that it reached the upstream and that nothing raw got there. */
async function exercise(name: string, work: () => Promise<void>): Promise<void> {
  const before = server.upstream.hits.length;
  await work();
  const hits = server.upstream.hits.slice(before);
  expect(hits.length, `${name} reached no upstream`).toBeGreaterThan(0);
  const received = JSON.stringify(hits.map((hit) => hit.body));
  expect(received, name).not.toContain(email);
  expect(received, name).not.toContain(card);
  expect(received, name).toMatch(/\[(EMAIL|CARD)_\d+\]/);
}

describe("route coverage of the guardrails", () => {
  it("every route of the app is classified", () => {
    const routes = new Set(server.platform.app.routes.map((route) => `${route.method} ${route.path}`));
    const unclassified = [...routes].filter((route) => !(route in reachesModel) && !noModel.has(route) && !bookkeeping.some((pattern) => pattern.test(route)));
    expect(unclassified, "routes that must be classified as reaching a model or not").toEqual([]);
    for (const route of Object.keys(reachesModel)) expect(routes, `listed route ${route} no longer exists`).toContain(route);
    for (const [, how] of Object.entries(reachesModel)) if ("sharesPathOf" in how) expect(reachesModel[how.sharesPathOf]).toEqual({ exercised: true });
  });

  it("chat, completions, embeddings and responses (tool arguments and tool results) never send a raw value upstream", async () => {
    await exercise("POST /v1/chat/completions", async () => {
      const answer = await server.admin.chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: raw }] });
      expect(answer.choices[0]!.message.content).toBe(`ok: ${raw}`);
    });
    await exercise("POST /v1/completions", async () => {
      await server.admin.completions.create({ model: "remote-model", prompt: raw, max_tokens: 5 });
    });
    await exercise("POST /v1/embeddings", async () => {
      await server.admin.embeddings.create({ model: "remote-embed", input: [raw, "plain"] });
    });
    await exercise("POST /v1/responses", async () => {
      const response = await call("POST", "/responses", {
        model: "remote-model",
        tools: [{ type: "function", name: "lookup", parameters: { type: "object", properties: { who: { type: "string" } } } }],
        input: [
          { type: "message", role: "user", content: `Look up ${email}` },
          { type: "function_call", call_id: "call_1", name: "lookup", arguments: JSON.stringify({ who: email }) },
          { type: "function_call_output", call_id: "call_1", output: `found card ${card}` },
          { type: "message", role: "user", content: raw },
        ],
      });
      expect(response.status, JSON.stringify(response.json)).toBe(200);
      expect(JSON.stringify(response.json.output)).toContain(`ok: ${raw}`);
    });
  });

  it("knowledge bases: ingestion, queries, grounded chat, rerank and the MCP search never send a raw value upstream", async () => {
    const created = await call("POST", "/knowledge-bases", { name: "guarded", embedding_model: "remote-embed" });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const kb = created.json.id as string;
    await exercise("POST /v1/knowledge-bases/:kb/documents", async () => {
      const added = await call("POST", `/knowledge-bases/${kb}/documents`, { documents: [{ name: "people.md", text: `# People\n\nAlice can be reached at ${email}. Her card is ${card}.\n` }] });
      expect(added.status, JSON.stringify(added.json)).toBe(202);
      await until(() => call("GET", `/knowledge-bases/${kb}/documents`), (list) => list.json?.data?.[0]?.status === "ready", "ingestion");
    });
    await exercise("POST /v1/knowledge-bases/:kb/query", async () => {
      const result = await call("POST", `/knowledge-bases/${kb}/query`, { query: `who has ${email}?`, rerank_model: "remote-rerank" });
      expect(result.status, JSON.stringify(result.json)).toBe(200);
      expect(JSON.stringify(result.json)).toContain(email); // the caller sees the raw passage; only the upstream does not
    });
    await exercise("POST /v1/chat/completions with knowledge_bases", async () => {
      const before = server.upstream.hits.length;
      const answer = await call("POST", "/chat/completions", { model: "remote-model", knowledge_bases: [kb], knowledge_options: { mode: "lexical", threshold: { min_lexical_score: 0 } }, messages: [{ role: "user", content: `What is Alice's card?` }] });
      expect(answer.status, JSON.stringify(answer.json)).toBe(200);
      const chat = server.upstream.hits.slice(before).find((hit) => hit.path.endsWith("/chat/completions"));
      expect(JSON.stringify(chat?.body.messages)).toContain("can be reached at [EMAIL_1]. Her card is [CARD_1].");
    });
    await exercise("POST /v1/rerank", async () => {
      const ranked = await call("POST", "/rerank", { model: "remote-rerank", query: `card ${card}`, documents: [raw, "nothing here"] });
      expect(ranked.status, JSON.stringify(ranked.json)).toBe(200);
    });
    await exercise("ALL /mcp (knowledge_search)", async () => {
      const client = new Client({ name: "coverage", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${server.adminKey}` } } }));
      const result = await client.callTool({ name: "knowledge_search", arguments: { knowledge_base: "guarded", query: `who owns ${card}?` } });
      expect(result.isError).not.toBe(true);
      await client.close();
    });
  });

  it("arena battles, eval runs and workflow runs never send a raw value upstream", async () => {
    await exercise("POST /v1/arena/battles", async () => {
      const battle = await call("POST", "/arena/battles", { prompt: raw, models: ["remote-model", "remote-model-b"], max_tokens: 8 });
      expect(battle.status, JSON.stringify(battle.json)).toBe(200);
    });
    await exercise("POST /v1/evals", async () => {
      const started = await call("POST", "/evals", {
        model: "remote-model",
        task_definition: { name: "guarded-eval", dataset: { records: [{ question: raw, answer: "ok" }] }, prompt: { template: "{{question}}" }, generation: { maxTokens: 4 }, scorer: { type: "exact-match", target: "{{answer}}" } },
      });
      expect(started.status, JSON.stringify(started.json)).toBeLessThan(300);
      const finished = await until(() => call("GET", `/evals/${started.json.id}`), (run) => ["completed", "failed"].includes(run.json?.status), "the eval run");
      expect(finished.json.status, JSON.stringify(finished.json)).toBe("completed");
    });
    // Log-likelihood scoring needs the exact text at the provider: an item the policy would mask is refused there.
    const before = server.upstream.hits.length;
    const scored = await call("POST", "/evals", {
      model: "remote-model",
      task_definition: { name: "guarded-choice", dataset: { records: [{ q: raw, choices: ["yes", "no"], gold: 0 }] }, prompt: { template: "{{q}}" }, scorer: { type: "loglikelihood-multiple-choice", choices: "choices", gold: "{{gold}}" } },
    });
    expect(scored.status, JSON.stringify(scored.json)).toBeLessThan(300);
    const scoredRun = await until(() => call("GET", `/evals/${scored.json.id}`), (run) => ["completed", "failed"].includes(run.json?.status), "the scoring run");
    expect(scoredRun.json).toMatchObject({ status: "failed", error: expect.stringContaining("does not let reach provider upstream unmasked") });
    const scoringHits = JSON.stringify(server.upstream.hits.slice(before).map((hit) => hit.body));
    expect(scoringHits).not.toContain(email);
    expect(scoringHits).not.toContain(card);
    await exercise("POST /v1/workflows/:id/runs", async () => {
      const workflow = await call("POST", "/workflows", { name: "guarded-flow", inputs: { text: { type: "string" } }, steps: [{ id: "a", type: "llm", model: "remote-model", prompt: `Summarise: {{inputs.text}}` }] });
      expect(workflow.status, JSON.stringify(workflow.json)).toBeLessThan(300);
      const run = await call("POST", `/workflows/${workflow.json.id}/runs`, { inputs: { text: raw } });
      expect(run.status, JSON.stringify(run.json)).toBeLessThan(300);
      const finished = await until(() => call("GET", `/workflow-runs/${run.json.id}`), (state) => ["completed", "failed"].includes(state.json?.status), "the workflow run");
      expect(finished.json.status, JSON.stringify(finished.json)).toBe("completed");
      expect(JSON.stringify(finished.json)).toContain(`ok: Summarise: ${raw}`);
    });
  });
});
