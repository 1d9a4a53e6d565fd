import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMaas, loadKeySecret, toPrincipal } from "../../src/maas/index.js";
import { openDatabase } from "../../src/store/index.js";
import { testModelPath } from "../support/test-models.js";
import { jsonOf, oneLineError, runAiplus, temporaryHome } from "./run-aiplus.js";

let home: string;

beforeAll(async () => {
  home = temporaryHome();
  expect((await runAiplus(["models", "add", await testModelPath("stories260K.gguf"), "--name", "stories"], { home })).code).toBe(0);
});

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

describe("aiplus providers", () => {
  it("adds, lists (without API keys) and removes providers", async () => {
    const added = await runAiplus(
      ["providers", "add", "--name", "upstream", "--base-url", "http://127.0.0.1:9/v1/", "--api-key", "sk-upstream-secret", "--models", "gpt-x,gpt-y", "--priority", "5", "--timeout-ms", "1500"],
      { home },
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toBe("added provider upstream (http://127.0.0.1:9/v1) for gpt-x, gpt-y\n");

    const listed = await runAiplus(["providers", "ls", "--json"], { home });
    expect(jsonOf(listed)).toEqual([
      expect.objectContaining({ object: "provider", name: "upstream", base_url: "http://127.0.0.1:9/v1", models: ["gpt-x", "gpt-y"], priority: 5, timeout_ms: 1500, has_api_key: true, api_key_hint: "sk-…cret" }),
    ]);
    const table = await runAiplus(["providers", "ls"], { home });
    expect(table.stdout).toMatch(/upstream\s+http:\/\/127\.0\.0\.1:9\/v1\s+gpt-x,gpt-y\s+5\s+1500\s+set/);
    for (const output of [listed.stdout, table.stdout]) expect(output).not.toContain("sk-upstream-secret");

    const second = await runAiplus(["providers", "add", "--name", "spare", "--base-url", "https://api.example.com/v1", "--models", "gpt-x"], { home });
    expect(second.code).toBe(0);
    expect((await runAiplus(["providers", "rm", "spare"], { home })).stdout).toBe("removed provider spare\n");
  }, 180_000);

  it("updates a provider's URL, API key, models, priority and timeout", async () => {
    const updated = await runAiplus(
      ["providers", "update", "upstream", "--url", "http://127.0.0.1:10/v1/", "--no-api-key", "--models", "gpt-z", "--priority", "7", "--timeout-ms", "2500", "--json"],
      { home },
    );
    expect(updated.code).toBe(0);
    expect(jsonOf(updated)).toMatchObject({ name: "upstream", base_url: "http://127.0.0.1:10/v1", models: ["gpt-z"], priority: 7, timeout_ms: 2500, has_api_key: false, api_key_hint: null });
    const again = await runAiplus(["providers", "update", "upstream", "--base-url", "http://127.0.0.1:9/v1", "--api-key", "sk-new", "--models", "gpt-x,gpt-y", "--priority", "5", "--timeout-ms", "1500"], { home });
    expect(again.stdout).toBe("updated provider upstream (http://127.0.0.1:9/v1) for gpt-x, gpt-y\n");
    expect(jsonOf(await runAiplus(["providers", "ls", "--json"], { home }))).toEqual([
      expect.objectContaining({ name: "upstream", base_url: "http://127.0.0.1:9/v1", models: ["gpt-x", "gpt-y"], priority: 5, timeout_ms: 1500, has_api_key: true }),
    ]);
    const nothing = await runAiplus(["providers", "update", "upstream"], { home });
    expect(nothing.code).toBe(1);
    expect(oneLineError(nothing)).toMatch(/^aiplus: nothing to change/);
    const unknown = await runAiplus(["providers", "update", "nope", "--priority", "1"], { home });
    expect(unknown.code).toBe(1);
    expect(oneLineError(unknown)).toMatch(/^aiplus: unknown provider nope/);
  }, 180_000);

  it("rejects bad provider input with one line", async () => {
    const cases: [string[], number, RegExp][] = [
      [["add", "--name", "x", "--base-url", "not a url", "--models", "m"], 2, /--base-url <url>' argument 'not a url' is invalid/],
      [["add", "--name", "x", "--base-url", "http://h/v1", "--models", "m", "--timeout-ms", "0"], 2, /Must be a positive integer/],
      [["add", "--name", "x", "--base-url", "http://h/v1"], 2, /required option '--models <a,b>' not specified/],
      [["add", "--name", "upstream", "--base-url", "http://h/v1", "--models", "m"], 1, /^aiplus: provider upstream already exists$/],
      [["rm", "nope"], 1, /^aiplus: unknown provider nope/],
    ];
    // Independent failing runs: in parallel.
    const runs = await Promise.all(cases.map(([args]) => runAiplus(["providers", ...args], { home })));
    cases.forEach(([args, code, message], index) => {
      const run = runs[index];
      expect(run?.code, args.join(" ")).toBe(code);
      expect(oneLineError(run ?? { code: null, stdout: "", stderr: "" })).toMatch(message);
    });
  }, 180_000);
});

describe("aiplus prices", () => {
  it("sets, lists and removes prices for local and provider models", async () => {
    const set = await runAiplus(["prices", "set", "stories", "--input", "0.15", "--output", "0.60"], { home });
    expect(set.code).toBe(0);
    expect(set.stdout).toBe("stories: $0.15 per 1M input tokens, $0.60 per 1M output tokens\n");
    const provider = await runAiplus(["prices", "set", "gpt-x", "--input", "$2", "--output", "8", "--json"], { home });
    expect(jsonOf(provider)).toEqual({ object: "price", model: "gpt-x", input_per_million: 2, output_per_million: 8, updated_at: expect.any(Number) });

    expect(jsonOf(await runAiplus(["prices", "ls", "--json"], { home }))).toEqual([
      expect.objectContaining({ model: "gpt-x", input_per_million: 2, output_per_million: 8 }),
      expect.objectContaining({ model: "stories", input_per_million: 0.15, output_per_million: 0.6 }),
    ]);
    const removed = await runAiplus(["prices", "rm", "gpt-x"], { home });
    expect(removed.stdout).toBe("removed the price of gpt-x\n");
    const table = await runAiplus(["prices", "ls"], { home });
    expect(table.stdout).toMatch(/^MODEL\s+INPUT \$\/1M\s+OUTPUT \$\/1M/);
    expect(table.stdout).toMatch(/stories\s+\$0\.15\s+\$0\.60/);
    expect(table.stdout).not.toContain("gpt-x");
  }, 180_000);

  it("rejects unknown models and bad amounts", async () => {
    const cases: [string[], number, RegExp][] = [
      [["set", "nope", "--input", "1", "--output", "1"], 1, /^aiplus: unknown model nope/],
      [["set", "stories", "--input", "-1", "--output", "1"], 2, /--input <dollars>' argument '-1' is invalid/],
      [["set", "stories", "--input", "1", "--output", "abc"], 2, /--output <dollars>' argument 'abc' is invalid/],
      [["set", "stories", "--input", "1"], 2, /required option '--output <dollars>' not specified/],
      [["rm", "gpt-x"], 1, /^aiplus: model gpt-x has no price/],
    ];
    // Independent failing runs: in parallel.
    const runs = await Promise.all(cases.map(([args]) => runAiplus(["prices", ...args], { home })));
    cases.forEach(([args, code, message], index) => {
      const run = runs[index];
      expect(run?.code, args.join(" ")).toBe(code);
      expect(oneLineError(run ?? { code: null, stdout: "", stderr: "" })).toMatch(message);
    });
  }, 180_000);
});

describe("aiplus usage", () => {
  it("aggregates the ledger by key, model and day, in JSON and as a table", async () => {
    const created = jsonOf<{ id: string; key: string }>(await runAiplus(["keys", "create", "--name", "alice", "--json"], { home }));
    expect(jsonOf(await runAiplus(["usage", "--json"], { home }))).toEqual([]);

    // Metered activity through the real ledger on the same state folder (what the API does per request).
    const database = await openDatabase(`sqlite:${home}/aiplus.db`);
    const maas = createMaas({ database, keySecret: loadKeySecret(home), recoveryIntervalMs: 0 });
    try {
      const record = await maas.keys.get(created.id);
      if (!record) throw new Error("key not found");
      for (const [inputTokens, outputTokens] of [[1_000_000, 2_000_000], [10, 5]] as const) {
        const request = await maas.openMeteredRequest({ principal: toPrincipal(record), model: "stories", endpoint: "chat.completions", maxInputTokens: inputTokens, maxOutputTokens: outputTokens });
        request.setRoute("local");
        await request.settle({ usage: { inputTokens, outputTokens }, status: "ok" });
      }
    } finally {
      await maas.dispose();
      await database.dispose();
    }

    const rows = jsonOf<Array<Record<string, unknown> & { cost: number }>>(await runAiplus(["usage", "--by", "key,model", "--since", "2020-01-01", "--json"], { home }));
    expect(rows).toEqual([
      expect.objectContaining({ key_id: created.id, key_name: "alice", model: "stories", requests: 2, input_tokens: 1_000_010, output_tokens: 2_000_005 }),
    ]);
    // $0.15 per 1M input, $0.60 per 1M output.
    expect(rows[0]?.cost).toBeCloseTo(0.15 + 1.2 + (10 * 0.15 + 5 * 0.6) / 1e6, 9);

    const table = await runAiplus(["usage", "--by", "model,day"], { home });
    expect(table.stdout).toMatch(/^MODEL\s+DAY\s+REQUESTS\s+INPUT TOKENS\s+OUTPUT TOKENS\s+COST/);
    expect(table.stdout).toMatch(/stories\s+\d{4}-\d{2}-\d{2}\s+2\s+1000010\s+2000005\s+\$1\.35/);

    expect(jsonOf(await runAiplus(["usage", "--until", "2020-01-01", "--json"], { home }))).toEqual([]);
    const bad = await runAiplus(["usage", "--by", "colour"], { home });
    expect(bad.code).toBe(2);
    expect(oneLineError(bad)).toMatch(/--by <columns>' argument 'colour' is invalid/);
  }, 180_000);
});
