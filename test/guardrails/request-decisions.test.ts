import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonOf, runAiplus } from "../cli/run-aiplus.js";
import { startGuardrailServer, type GuardrailServer } from "./guardrail-server.js";
import { universalResponder } from "./universal-upstream.js";

// Per-request guardrail decisions: audit entries carry the ledger's request id, so the usage log, the admin audit
// filter, `aiplus audit --request` and a run's trace show the decisions of each request.

const email = "alice.smith@example.com";
const card = "4111 1111 1111 1111";

type Decision = { audit_id: number; created_at: number; route: string | null; policy: string | null; rule: string; action: string; entity_type: string | null; occurrences: number; positions: Array<{ location: string; start: number; end: number }> };
type UsageRecord = { id: string; endpoint: string; status: string; guardrail_decisions: Decision[] };
type AuditEntry = { id: number; kind: string; request_id: string | null; rule: string; action: string; entity_type: string | null; value_hmac: string | null; key_id: string | null };

let server: GuardrailServer;
let key: { id: string; key: string };

beforeAll(async () => {
  server = await startGuardrailServer();
  server.upstream.fallback = universalResponder(server.upstream);
  await server.setPolicy("default", "pii: mask\n");
  key = await server.createKey({ name: "decisions" });
});

afterAll(async () => {
  await server?.close();
});

async function call(method: string, path: string, body?: unknown, apiKey = server.adminKey): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** The key's request log, newest first. */
async function usageRecords(apiKey = key.key): Promise<UsageRecord[]> {
  const { status, json } = await call("GET", "/usage/records?limit=50", undefined, apiKey);
  expect(status, JSON.stringify(json)).toBe(200);
  return json.data as UsageRecord[];
}

async function auditOf(requestId: string): Promise<AuditEntry[]> {
  const { status, json } = await call("GET", `/admin/audit?request_id=${encodeURIComponent(requestId)}`);
  expect(status, JSON.stringify(json)).toBe(200);
  return json.data as AuditEntry[];
}

describe("guardrail decisions per request", () => {
  it("the usage log shows each request's decisions (never the value), and the admin audit filters by request id", async () => {
    const client = server.client(key.key);
    const masked = await client.chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: `Write to ${email} about card ${card}, and ${email} again` }] });
    expect(masked.choices[0]!.message.content).toContain(email);
    await client.chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: "nothing sensitive here" }] });
    await client.embeddings.create({ model: "remote-embed", input: [`to ${email}`] });

    const [embedding, plain, chat] = await usageRecords();
    expect([chat!.endpoint, plain!.endpoint, embedding!.endpoint]).toEqual(["chat.completions", "chat.completions", "embeddings"]);
    expect(plain!.guardrail_decisions).toEqual([]);
    const chatDecisions = [...chat!.guardrail_decisions].sort((left, right) => left.rule.localeCompare(right.rule));
    expect(chatDecisions.map((decision) => [decision.rule, decision.action, decision.entity_type, decision.route, decision.occurrences])).toEqual([
      ["pii.CREDIT_CARD", "mask", "CREDIT_CARD", "upstream", 1],
      ["pii.EMAIL_ADDRESS", "mask", "EMAIL_ADDRESS", "upstream", 2],
    ]);
    const content = `Write to ${email} about card ${card}, and ${email} again`;
    const emailDecision = chatDecisions[1]!;
    expect(emailDecision.policy).toMatch(/^default@\d+$/);
    expect(emailDecision.positions.map((position) => [position.location, content.slice(position.start, position.end)])).toEqual([
      ["messages[0].content", email],
      ["messages[0].content", email],
    ]);
    expect(embedding!.guardrail_decisions.map((decision) => [decision.rule, decision.action, decision.positions[0]?.location])).toEqual([["pii.EMAIL_ADDRESS", "mask", "input[0]"]]);
    const listing = JSON.stringify(await usageRecords());
    expect(listing).not.toContain(email);
    expect(listing).not.toContain(card);
    expect(listing).not.toContain("value_hmac");

    const audited = await auditOf(chat!.id);
    expect(audited.map((entry) => [entry.request_id, entry.kind, entry.key_id]).every(([requestId, kind, keyId]) => requestId === chat!.id && kind === "guardrail" && keyId === key.id)).toBe(true);
    expect(audited.map((entry) => entry.rule).sort()).toEqual(["pii.CREDIT_CARD", "pii.EMAIL_ADDRESS"]);
    expect(audited.every((entry) => /^[0-9a-f]{64}$/.test(entry.value_hmac ?? ""))).toBe(true);
    expect(await auditOf(plain!.id)).toEqual([]);
    expect(await auditOf("no-such-request")).toEqual([]);
  });

  it("another key's usage log does not show these decisions", async () => {
    const other = await server.createKey({ name: "other" });
    await server.client(other.key).chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: "hello" }] });
    const records = await usageRecords(other.key);
    expect(records).toHaveLength(1);
    expect(records[0]!.guardrail_decisions).toEqual([]);
  });

  it("a bad request_id filter is a 400 naming it", async () => {
    const empty = await call("GET", "/admin/audit?request_id=");
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatchObject({ type: "invalid_request_error", param: "request_id" });
    const long = await call("GET", `/admin/audit?request_id=${"x".repeat(201)}`);
    expect(long.status).toBe(400);
    expect(long.json.error).toMatchObject({ param: "request_id" });
  });

  it("`aiplus audit --request ID` lists one request's decisions", async () => {
    const client = server.client(key.key);
    await client.chat.completions.create({ model: "remote-model", messages: [{ role: "user", content: `card ${card}` }] });
    const [latest] = await usageRecords();
    const listed = jsonOf<AuditEntry[]>(await runAiplus(["audit", "--request", latest!.id, "--json"], { home: server.home }));
    expect(listed.map((entry) => [entry.request_id, entry.rule, entry.action])).toEqual([[latest!.id, "pii.CREDIT_CARD", "mask"]]);
    const table = await runAiplus(["audit", "--request", latest!.id], { home: server.home });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain("pii.CREDIT_CARD");
    expect(table.stdout).not.toContain(card);
    const none = await runAiplus(["audit", "--request", "no-such-request"], { home: server.home });
    expect(none.stdout).toContain("no guardrail decision was recorded for request no-such-request");
  });

  it("a run's trace has a guardrail span under each guarded model call", async () => {
    // A server tool makes the response a durable run (with a step log and a trace).
    const created = await call("POST", "/responses", { model: "remote-model", input: `Summarise: mail ${email}`, tools: [{ type: "server_tool", name: "calculator" }] }, key.key);
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    const runId = created.json.id as string;
    const trace = await call("GET", `/runs/${runId}/trace`, undefined, key.key);
    expect(trace.status, JSON.stringify(trace.json)).toBe(200);
    type Span = { span_id: string; parent_span_id: string | null; name: string; kind: string; step_index: number | null; status: string; duration_ms: number | null; attributes: Record<string, unknown> };
    const spans = trace.json.spans as Span[];
    const chat = spans.find((span) => span.kind === "chat")!;
    const guardrails = spans.filter((span) => span.kind === "guardrail");
    expect(guardrails).toHaveLength(1);
    const [guardrail] = guardrails;
    expect(guardrail).toMatchObject({ name: "guardrail pii.EMAIL_ADDRESS", parent_span_id: chat.span_id, step_index: chat.step_index, status: "ok", duration_ms: 0 });
    expect(guardrail!.attributes).toMatchObject({
      "gen_ai.operation.name": "guardrail",
      "aiplus.guardrail.rule": "pii.EMAIL_ADDRESS",
      "aiplus.guardrail.action": "mask",
      "aiplus.guardrail.entity_type": "EMAIL_ADDRESS",
      "aiplus.guardrail.occurrences": 1,
      "aiplus.route": "upstream",
      "aiplus.ledger.request_id": chat.attributes["aiplus.ledger.request_id"],
    });
    expect(guardrail!.attributes["aiplus.guardrail.locations"]).toEqual(["messages[0].content"]);
    expect(JSON.stringify(trace.json)).not.toContain(email);
    // The span follows its model call in the list, and the ledger request's audit entries are the same decisions.
    expect(spans.indexOf(guardrail!)).toBe(spans.indexOf(chat) + 1);
    expect((await auditOf(chat.attributes["aiplus.ledger.request_id"] as string)).map((entry) => entry.rule)).toEqual(["pii.EMAIL_ADDRESS"]);
  });
});
