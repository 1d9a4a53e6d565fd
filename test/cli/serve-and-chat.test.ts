import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testModelPath } from "../support/test-models.js";
import { jsonOf, oneLineError, type RunningServe, runAiplus, startAiplusServe, temporaryHome, type UsageRowJson } from "./run-aiplus.js";

let home: string;
let serve: RunningServe | undefined;

beforeAll(async () => {
  home = temporaryHome();
  expect((await runAiplus(["models", "add", await testModelPath("stories260K.gguf"), "--name", "stories"], { home })).code).toBe(0);
  expect((await runAiplus(["prices", "set", "stories", "--input", "1000", "--output", "2000"], { home })).code).toBe(0);
});

afterAll(async () => {
  await serve?.stop("SIGKILL");
  fs.rmSync(home, { recursive: true, force: true });
});

async function listModelIds(apiUrl: string, key: string): Promise<{ status: number; ids: string[] }> {
  const response = await fetch(`${apiUrl}/models`, { headers: { authorization: `Bearer ${key}` } });
  const body = (await response.json()) as { data?: { id: string }[] };
  return { status: response.status, ids: (body.data ?? []).map((model) => model.id) };
}

describe("aiplus serve", () => {
  it("prints the URL and the admin key once, sees CLI state changes, and shuts down on SIGTERM", async () => {
    serve = await startAiplusServe({ home });
    const adminKey = /^admin key \(shown once, store it now\): (aip_\S+)$/m.exec(serve.stdout())?.[1];
    expect(adminKey).toBeDefined();

    // State changes made by the CLI while the server runs on the same home are visible to the server at once.
    const created = jsonOf<{ key: string }>(await runAiplus(["keys", "create", "--name", "while-serving", "--models", "stories", "--json"], { home }));
    expect(await listModelIds(serve.apiUrl, created.key)).toEqual({ status: 200, ids: ["stories"] });

    const completion = await fetch(`${serve.apiUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${created.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "stories", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 4 }),
    });
    expect(completion.status).toBe(200);
    const usage = ((await completion.json()) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;

    expect((await runAiplus(["models", "add", await testModelPath("tiny-llama-moe-random.gguf"), "--name", "moe"], { home })).code).toBe(0);
    expect((await listModelIds(serve.apiUrl, adminKey ?? "")).ids).toEqual(["moe", "stories"]);

    expect((await runAiplus(["keys", "revoke", "while-serving"], { home })).code).toBe(0);
    expect((await listModelIds(serve.apiUrl, created.key)).status).toBe(401);

    const stopped = await serve.stop("SIGTERM");
    serve = undefined;
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain("aiplus: SIGTERM: shutting down");

    const rows = jsonOf<UsageRowJson[]>(await runAiplus(["usage", "--by", "key,model", "--json"], { home }));
    expect(rows).toEqual([
      expect.objectContaining({ key_name: "while-serving", model: "stories", requests: 1, input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens }),
    ]);

    // A second start shows no admin key: it exists already.
    serve = await startAiplusServe({ home });
    expect(serve.stdout()).not.toContain("admin key");
    expect((await serve.stop("SIGINT")).code).toBe(0);
    serve = undefined;
  }, 240_000);
});

describe("aiplus chat", () => {
  it("streams replies to piped lines in-process and meters them in the ledger with no key", async () => {
    const run = await runAiplus(["chat", "stories", "--max-tokens", "6", "--system", "You tell stories."], { home, input: "Once upon a time\n\nThe cat\n" });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    const replies = run.stdout.split("\n").filter((line) => line !== "");
    expect(replies).toHaveLength(2);

    const rows = jsonOf<UsageRowJson[]>(await runAiplus(["usage", "--by", "key,model,route", "--json"], { home }));
    const cli = rows.find((row) => row.key_id === null);
    expect(cli).toMatchObject({ model: "stories", route: "local", requests: 2 });
    expect(cli?.output_tokens).toBeGreaterThan(0);
    expect(cli?.output_tokens).toBeLessThanOrEqual(12);
    expect(cli?.input_tokens).toBeGreaterThan(0);
    // $1000 per 1M input tokens and $2000 per 1M output tokens.
    expect(cli?.cost).toBeCloseTo(((cli?.input_tokens ?? 0) * 1000 + (cli?.output_tokens ?? 0) * 2000) / 1e6, 9);

    const table = await runAiplus(["usage", "--by", "key"], { home });
    expect(table.stdout).toMatch(/^\(cli\)\s+2\s+/m);
  }, 180_000);

  it("refuses an unknown model with one line", async () => {
    const run = await runAiplus(["chat", "nope"], { home, input: "hello\n" });
    expect(run.code).toBe(1);
    expect(oneLineError(run)).toMatch(/^aiplus: .*nope/);
  }, 120_000);
});
