import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { UpstreamHit } from "../gateway/fake-upstream.js";
import { guardModelResponder, userText, type GuardModelBehaviour } from "./guard-model-responders.js";
import { startGuardrailServer, type GuardrailServer } from "./guardrail-server.js";

// The optional prompt-injection classifier of a policy: untrusted content (tool results, retrieved passages) is also
// scored by a classifier model (a fake upstream that flags texts holding the marker word PINEAPPLE, which the
// heuristics do not catch); a detection acts like a heuristic one (flag, strip, block; rule `injection.classifier`);
// a classifier that fails blocks the request before the answering model is called.

const email = "alice.smith@example.com";
/** Reads like plain data to the heuristics; the classifier flags it by its marker word. */
const marked = "Quarterly figures attached. PINEAPPLE protocol applies to this report.";
const plain = "Quarterly figures attached. Revenue grew four percent.";

let server: GuardrailServer;
let behaviour: GuardModelBehaviour = "answer";

type AuditEntry = { request_id: string | null; kind: string; rule: string; action: string; entity_type: string | null; key_id: string | null; details: Record<string, unknown> | null; positions: Array<{ location: string; start: number; end: number }> };
type UsageRecord = { id: string; endpoint: string; guardrail_decisions: Array<{ rule: string; action: string }> };

beforeAll(async () => {
  server = await startGuardrailServer();
  server.upstream.fallback = guardModelResponder(server.upstream, () => behaviour);
  await server.admin.post("/admin/providers", { body: { name: "guards", base_url: server.upstream.baseUrl, api_key: "sk-guards", models: ["classifier-model"] } });
  await server.setPolicy("default", "pii: mask\n");
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  behaviour = "answer";
});

async function call(method: string, route: string, body?: unknown, apiKey = server.adminKey): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json().catch(() => undefined) };
}

async function keyWithPolicy(name: string, policy: string): Promise<{ id: string; key: string }> {
  const set = await call("POST", "/admin/policies", { name, policy });
  expect(set.status, JSON.stringify(set.json)).toBe(201);
  return server.createKey({ name: `key-${name}`, policy: name });
}

/** A chat turn whose tool result is `toolOutput`. */
function withToolResult(toolOutput: string) {
  return {
    model: "remote-model",
    messages: [
      { role: "user", content: "Summarise the report" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "fetch_report", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "call_1", content: toolOutput },
      { role: "user", content: "Go on" },
    ],
  };
}

/** The hits since `before`, split into the classifier's and the answering model's. */
function hitsSince(before: number): { classifier: UpstreamHit[]; answering: UpstreamHit[] } {
  const hits = server.upstream.hits.slice(before);
  return { classifier: hits.filter((hit) => hit.body.model === "classifier-model"), answering: hits.filter((hit) => hit.body.model === "remote-model") };
}

function toolContent(hit: UpstreamHit): string {
  const messages = hit.body.messages as Array<{ role: string; content: string }>;
  return messages.find((message) => message.role === "tool")!.content;
}

async function auditOf(requestId: string): Promise<AuditEntry[]> {
  const { status, json } = await call("GET", `/admin/audit?request_id=${encodeURIComponent(requestId)}`);
  expect(status, JSON.stringify(json)).toBe(200);
  return json.data as AuditEntry[];
}

async function latestChat(apiKey: string): Promise<UsageRecord> {
  const { json } = await call("GET", "/usage/records?limit=20", undefined, apiKey);
  return (json.data as UsageRecord[]).find((record) => record.endpoint === "chat.completions")!;
}

describe("injection classifier: policy validation", () => {
  it("refuses an unknown classifier model, a bad threshold, an unknown field and a classifier that would never be asked", async () => {
    const unknown = await call("POST", "/admin/policies", { name: "classified", policy: "injection:\n  action: flag\n  classifier:\n    model: no-such-model\n" });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ type: "invalid_request_error", param: "policy.injection.classifier.model", code: "model_not_found" });
    const threshold = await call("POST", "/admin/policies", { name: "classified", policy: { injection: { classifier: { model: "classifier-model", threshold: 2 } } } });
    expect(threshold.status).toBe(400);
    expect(threshold.json.error).toMatchObject({ param: "policy.injection.classifier.threshold" });
    const extra = await call("POST", "/admin/policies", { name: "classified", policy: { injection: { action: "flag", classifier: { model: "classifier-model", prompt: "x" } } } });
    expect(extra.status).toBe(400);
    expect(extra.json.error).toMatchObject({ param: "policy.injection.classifier.prompt", code: "unknown_parameter" });
    const off = await call("POST", "/admin/policies", { name: "classified", policy: { injection: { action: "off", classifier: { model: "classifier-model" } } } });
    expect(off.status).toBe(400);
    expect(off.json.error).toMatchObject({ param: "policy.injection.action" });
    const action = await call("POST", "/admin/policies", { name: "classified", policy: { injection: { action: "shout" } } });
    expect(action.status).toBe(400);
    expect(action.json.error).toMatchObject({ param: "policy.injection.action" });
  });
});

describe("injection classifier (fake upstream classifier)", () => {
  it("flag: a tool result the heuristics miss is caught, audited against the request, and still answered", async () => {
    const key = await keyWithPolicy("classified-flag", "injection:\n  action: flag\n  classifier:\n    model: classifier-model\n    threshold: 0.5\n");
    const before = server.upstream.hits.length;
    const answer = await call("POST", "/chat/completions", withToolResult(marked), key.key);
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    const { classifier, answering } = hitsSince(before);
    expect(classifier).toHaveLength(1);
    expect(classifier[0]!.body.response_format).toMatchObject({ type: "json_schema", json_schema: { name: "injection_verdict" } });
    expect(userText(classifier[0]!)).toContain(marked);
    expect(answering).toHaveLength(1);
    expect(toolContent(answering[0]!)).toContain(marked);
    const record = await latestChat(key.key);
    const audited = (await auditOf(record.id)).filter((entry) => entry.rule.startsWith("injection."));
    expect(audited.map((entry) => [entry.rule, entry.action, entry.entity_type, entry.positions[0]?.location])).toEqual([["injection.classifier", "flag", "PROMPT_INJECTION", "messages[2].content"]]);
    expect(audited[0]!.details).toMatchObject({ model: "classifier-model", score: 0.93 });
    expect(audited[0]!.key_id).toBe(key.id);
    expect(record.guardrail_decisions.map((decision) => decision.rule)).toContain("injection.classifier");
  });

  it("a text the classifier does not flag goes through with no decision; the classifier is asked once per text", async () => {
    const key = await keyWithPolicy("classified-quiet", "injection:\n  classifier:\n    model: classifier-model\n");
    const before = server.upstream.hits.length;
    const answer = await call("POST", "/chat/completions", withToolResult(plain), key.key);
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    const { classifier, answering } = hitsSince(before);
    expect([classifier.length, answering.length]).toEqual([1, 1]);
    expect((await auditOf((await latestChat(key.key)).id)).filter((entry) => entry.rule.startsWith("injection."))).toEqual([]);
  });

  it("strip: the flagged tool result is removed before the answering model sees it", async () => {
    const key = await keyWithPolicy("classified-strip", "injection:\n  action: strip\n  classifier:\n    model: classifier-model\n");
    const before = server.upstream.hits.length;
    const answer = await call("POST", "/chat/completions", withToolResult(marked), key.key);
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    const { answering } = hitsSince(before);
    expect(answering).toHaveLength(1);
    expect(toolContent(answering[0]!)).toContain("[instruction-like text removed]");
    expect(JSON.stringify(answering[0]!.body)).not.toContain("PINEAPPLE");
  });

  it("block: 400 content_filter prompt_injection and 0 calls to the answering model", async () => {
    const key = await keyWithPolicy("classified-block", "injection:\n  action: block\n  classifier:\n    model: classifier-model\n");
    const before = server.upstream.hits.length;
    const answer = await call("POST", "/chat/completions", withToolResult(marked), key.key);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ type: "content_filter", code: "prompt_injection" });
    expect(answer.json.error.message).toContain("injection.classifier");
    expect(answer.json.error.message).not.toContain("PINEAPPLE");
    expect(hitsSince(before).answering).toHaveLength(0);
  });

  it("what reaches an upstream classifier is masked like any upstream call", async () => {
    const key = await keyWithPolicy("classified-masked", "injection:\n  classifier:\n    model: classifier-model\n");
    const before = server.upstream.hits.length;
    const answer = await call("POST", "/chat/completions", withToolResult(`Contact ${email} about the PINEAPPLE report`), key.key);
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    const { classifier } = hitsSince(before);
    expect(classifier).toHaveLength(1);
    expect(JSON.stringify(classifier[0]!.body)).not.toContain(email);
    expect(userText(classifier[0]!)).toMatch(/\[EMAIL_\d+\]/);
  });

  it("a knowledge-base passage the heuristics miss is caught in grounded chat", async () => {
    const key = await keyWithPolicy("classified-kb", "injection:\n  action: flag\n  classifier:\n    model: classifier-model\n");
    const created = await call("POST", "/knowledge-bases", { name: "reports", embedding_model: "remote-embed" }, key.key);
    expect(created.status, JSON.stringify(created.json)).toBeLessThan(300);
    const kb = created.json.id as string;
    const added = await call("POST", `/knowledge-bases/${kb}/documents`, { documents: [{ name: "report.md", text: `# Report\n\n${marked}\n` }] }, key.key);
    expect(added.status, JSON.stringify(added.json)).toBeLessThan(300);
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const list = await call("GET", `/knowledge-bases/${kb}/documents`, undefined, key.key);
      if (list.json?.data?.[0]?.status === "ready") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const before = server.upstream.hits.length;
    const answer = await call(
      "POST",
      "/chat/completions",
      { model: "remote-model", knowledge_bases: [kb], knowledge_options: { mode: "lexical", threshold: { min_lexical_score: 0 } }, messages: [{ role: "user", content: "What does the quarterly report say?" }] },
      key.key,
    );
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    const { classifier, answering } = hitsSince(before);
    expect(classifier.length).toBeGreaterThan(0);
    expect(classifier.some((hit) => userText(hit).includes("PINEAPPLE"))).toBe(true);
    expect(answering).toHaveLength(1);
    const audited = (await auditOf((await latestChat(key.key)).id)).filter((entry) => entry.rule === "injection.classifier");
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ action: "flag", entity_type: "PROMPT_INJECTION", key_id: key.id });
  });

  it("fails closed: a classifier that is down, answers nonsense or is too slow blocks the request, with 0 calls to the answering model", async () => {
    const key = await keyWithPolicy("classified-down", "injection:\n  action: flag\n  classifier:\n    model: classifier-model\n    timeout_seconds: 1\n");
    const cases = [
      ["error", "guardrail_model_failed"],
      ["not-json", "guardrail_model_invalid_answer"],
      ["wrong-shape", "guardrail_model_invalid_answer"],
      ["hang", "guardrail_model_timeout"],
    ] as const;
    for (const [mode, code] of cases) {
      behaviour = mode;
      const before = server.upstream.hits.length;
      const answer = await call("POST", "/chat/completions", withToolResult(plain), key.key);
      expect(answer.status, `${mode}: ${JSON.stringify(answer.json)}`).toBe(500);
      expect(answer.json.error, mode).toMatchObject({ type: "server_error", code });
      expect(answer.json.error.message).toContain("injection classifier");
      const { classifier, answering } = hitsSince(before);
      expect(classifier.length, mode).toBeGreaterThan(0);
      expect(answering, mode).toHaveLength(0);
    }
  });
});
