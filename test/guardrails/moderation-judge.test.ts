import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runAiplus } from "../cli/run-aiplus.js";
import { testModelPath } from "../support/test-models.js";
import { guardModelResponder, userText, type GuardModelBehaviour } from "./guard-model-responders.js";
import { startGuardrailServer, type GuardrailServer } from "./guardrail-server.js";

// `POST /v1/moderations` with a judge model named by the caller's policy: the judge (a fake upstream under the test's
// control, and a real local tiny model) is asked for OpenAI's categories with a json_schema answer; its verdict is
// merged with the detectors' and audited; a judge that fails or is too slow fails the request (never "not flagged").

const email = "alice.smith@example.com";

let server: GuardrailServer;
let behaviour: GuardModelBehaviour = "answer";

type Result = { flagged: boolean; categories: Record<string, boolean>; category_scores: Record<string, number>; category_applied_input_types: Record<string, string[]> };
type AuditEntry = { kind: string; rule: string; action: string; key_id: string | null; endpoint: string | null; value_hmac: string | null; details: Record<string, unknown> | null; positions: Array<{ location: string }> };

beforeAll(async () => {
  server = await startGuardrailServer();
  server.upstream.fallback = guardModelResponder(server.upstream, () => behaviour);
  await server.admin.post("/admin/providers", { body: { name: "guards", base_url: server.upstream.baseUrl, api_key: "sk-guards", models: ["judge-model", "judge-model-b", "classifier-model"] } });
  await server.setPolicy("default", "pii: mask\n");
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  behaviour = "answer";
});

async function call(method: string, route: string, body: unknown, apiKey = server.adminKey): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}/v1${route}`, { method, headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

async function keyWithPolicy(name: string, policy: string): Promise<{ id: string; key: string }> {
  await server.setPolicy(name, policy);
  return server.createKey({ name: `key-${name}`, policy: name });
}

async function judgeAudit(keyId: string): Promise<AuditEntry[]> {
  const { status, json } = await call("GET", `/admin/audit?key=${keyId}&kind=guardrail&limit=100`, undefined);
  expect(status, JSON.stringify(json)).toBe(200);
  return (json.data as AuditEntry[]).filter((entry) => entry.rule === "moderation.judge");
}

describe("moderation judge: policy validation", () => {
  it("a judge model that does not exist is a 400 naming the field, when the policy is set", async () => {
    const unknown = await call("POST", "/admin/policies", { name: "judged", policy: "moderation:\n  judge_model: no-such-model\n" });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ type: "invalid_request_error", param: "policy.moderation.judge_model", code: "model_not_found" });
    expect(unknown.json.error.message).toContain("no-such-model");
    const missing = await call("POST", "/admin/policies", { name: "judged", policy: { moderation: {} } });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ param: "policy.moderation.judge_model" });
    const timeout = await call("POST", "/admin/policies", { name: "judged", policy: { moderation: { judge_model: "judge-model", timeout_seconds: 0 } } });
    expect(timeout.status).toBe(400);
    expect(timeout.json.error).toMatchObject({ param: "policy.moderation.timeout_seconds" });
    const extra = await call("POST", "/admin/policies", { name: "judged", policy: { moderation: { judge_model: "judge-model", temperature: 1 } } });
    expect(extra.status).toBe(400);
    expect(extra.json.error).toMatchObject({ param: "policy.moderation.temperature", code: "unknown_parameter" });
    // The CLI checks the same against the state folder's models and providers.
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-judge-"));
    try {
      const file = path.join(folder, "judged.yaml");
      fs.writeFileSync(file, "moderation:\n  judge_model: no-such-model\n");
      const refused = await runAiplus(["policies", "set", file], { home: server.home });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("policy.moderation.judge_model");
      expect(refused.stderr).toContain("no-such-model");
      fs.writeFileSync(file, "moderation:\n  judge_model: judge-model\n");
      const accepted = await runAiplus(["policies", "set", file, "--name", "judged-by-cli"], { home: server.home });
      expect(accepted.code, accepted.stderr).toBe(0);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
    const listed = await call("GET", "/admin/policies", undefined);
    expect((listed.json.data as Array<{ name: string }>).map((policy) => policy.name)).not.toContain("judged");
  });
});

describe("moderation judge (fake upstream judge)", () => {
  it("merges the judge's categories with the detectors', masks what reaches an upstream judge, and audits each verdict", async () => {
    const key = await keyWithPolicy("judged", "moderation:\n  judge_model: judge-model\n");
    const before = server.upstream.hits.length;
    const moderation = await server.client(key.key).moderations.create({ input: ["you are an idiot", `mail me at ${email}`] });
    const [rude, contact] = moderation.results as unknown as Result[];
    expect(moderation.model).toBe("aiplus-guardrails");
    expect(rude).toMatchObject({ flagged: true, categories: { harassment: true, hate: false, pii: false, prompt_injection: false }, category_scores: { harassment: 0.9, pii: 0 } });
    expect(rude!.category_applied_input_types.harassment).toEqual(["text"]);
    expect(Object.keys(rude!.categories).sort()).toEqual(
      ["harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent", "pii", "prompt_injection", "secrets", "self-harm", "self-harm/instructions", "self-harm/intent", "sexual", "sexual/minors", "violence", "violence/graphic"].sort(),
    );
    // Not rude, but the detectors flag the e-mail address: flagged when either flags.
    expect(contact).toMatchObject({ flagged: true, categories: { harassment: false, pii: true }, category_scores: { harassment: 0.03 } });

    const judged = server.upstream.hits.slice(before);
    expect(judged.map((hit) => hit.body.model)).toEqual(["judge-model", "judge-model"]);
    for (const hit of judged) expect(hit.body.response_format).toMatchObject({ type: "json_schema", json_schema: { name: "moderation", strict: true } });
    // The default policy masks PII on upstream routes: the judge saw a placeholder, never the address.
    expect(JSON.stringify(judged.map((hit) => hit.body))).not.toContain(email);
    expect(judged.map(userText).sort()).toEqual(["mail me at [EMAIL_1]", "you are an idiot"]);

    const audited = await judgeAudit(key.id);
    expect(audited.map((entry) => [entry.action, entry.positions[0]?.location, entry.details?.judge_model, entry.details?.flagged_categories]).sort()).toEqual([
      ["allow", "input[1]", "judge-model", []],
      ["flag", "input[0]", "judge-model", ["harassment"]],
    ]);
    for (const entry of audited) expect(entry).toMatchObject({ kind: "guardrail", endpoint: "moderations", value_hmac: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.stringify(audited)).not.toContain(email);
  });

  it("two judges (the default policy's and the key's): each category takes the highest score, flagged when either flags", async () => {
    await server.setPolicy("default", "pii: mask\nmoderation:\n  judge_model: judge-model-b\n");
    try {
      const key = await keyWithPolicy("judged-twice", "moderation:\n  judge_model: judge-model\n");
      const moderation = await call("POST", "/moderations", { input: "you are an idiot" }, key.key);
      expect(moderation.status, JSON.stringify(moderation.json)).toBe(200);
      const [result] = moderation.json.results as Result[];
      expect(result).toMatchObject({ flagged: true, categories: { harassment: true, violence: true }, category_scores: { harassment: 0.9, violence: 0.7 } });
      const models = (await judgeAudit(key.id)).map((entry) => entry.details?.judge_model).sort();
      expect(models).toEqual(["judge-model", "judge-model-b"]);
    } finally {
      await server.setPolicy("default", "pii: mask\n");
    }
  });

  it("without a judge the answer has the detectors' categories only", async () => {
    const plain = await server.createKey({ name: "no-judge" });
    const moderation = await call("POST", "/moderations", { input: "you are an idiot" }, plain.key);
    expect(moderation.status).toBe(200);
    expect(Object.keys(moderation.json.results[0].categories).sort()).toEqual(["pii", "prompt_injection", "secrets"]);
    expect(moderation.json.results[0].flagged).toBe(false);
  });

  it("fails closed: a judge that errors, answers no JSON, answers the wrong shape or is too slow fails the request", async () => {
    const key = await keyWithPolicy("judged-strictly", "moderation:\n  judge_model: judge-model\n  timeout_seconds: 1\n");
    const cases: Array<[GuardModelBehaviour, string]> = [
      ["error", "guardrail_model_failed"],
      ["not-json", "guardrail_model_invalid_answer"],
      ["wrong-shape", "guardrail_model_invalid_answer"],
      ["hang", "guardrail_model_timeout"],
    ];
    for (const [mode, code] of cases) {
      behaviour = mode;
      const moderation = await call("POST", "/moderations", { input: "you are an idiot" }, key.key);
      expect(moderation.status, `${mode}: ${JSON.stringify(moderation.json)}`).toBe(500);
      expect(moderation.json.error, mode).toMatchObject({ type: "server_error", code });
      expect(moderation.json.error.message, mode).toContain("judge-model");
      expect(moderation.json).not.toHaveProperty("results");
    }
  });
});

describe("moderation judge (a real local tiny model)", () => {
  it("the json_schema answer of a local model is grammar-constrained and parses", async () => {
    await server.admin.post("/admin/models", { body: { path: await testModelPath("llama-2-tiny-random.gguf"), name: "tiny-judge" } });
    const key = await keyWithPolicy("judged-locally", "moderation:\n  judge_model: tiny-judge\n  timeout_seconds: 120\n");
    const moderation = await call("POST", "/moderations", { input: "hello there" }, key.key);
    expect(moderation.status, JSON.stringify(moderation.json)).toBe(200);
    const [result] = moderation.json.results as Result[];
    // Random weights: any verdict, but every category is there, with a boolean and a score from 0 to 1.
    for (const category of ["harassment", "hate", "self-harm/intent", "violence/graphic"]) {
      expect(typeof result!.categories[category], category).toBe("boolean");
      expect(result!.category_scores[category], category).toBeGreaterThanOrEqual(0);
      expect(result!.category_scores[category], category).toBeLessThanOrEqual(1);
    }
    const audited = await judgeAudit(key.id);
    expect(audited).toHaveLength(1);
    expect(audited[0]!.details?.judge_model).toBe("tiny-judge");
  }, 180_000);
});
