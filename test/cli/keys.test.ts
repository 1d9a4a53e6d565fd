import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testModelPath } from "../support/test-models.js";
import { jsonOf, oneLineError, runAiplus, temporaryHome } from "./run-aiplus.js";

/** A key as `--json` prints it: the `/v1/admin/keys` view (snake_case, `*_at` in unix seconds). */
type PublicKey = { id: string; object: string; name: string; prefix: string; models: string[] | null; rpm: number | null; tpm: number | null; budget: number | null; budget_period: string; status: string; expires_at: number | null; revoked_at: number | null; is_admin: boolean; allow_code_execution: boolean };

let home: string;

beforeAll(async () => {
  home = temporaryHome();
  const added = await runAiplus(["models", "add", await testModelPath("stories260K.gguf"), "--name", "stories"], { home });
  expect(added.code).toBe(0);
});

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

const listKeys = async () => {
  const run = await runAiplus(["keys", "ls", "--json"], { home });
  return { run, keys: jsonOf<PublicKey[]>(run) };
};

describe("aiplus keys", () => {
  let secret: string;
  let created: PublicKey & { key: string };

  it("creates a key and prints it once, as JSON", async () => {
    const run = await runAiplus(
      ["keys", "create", "--name", "alice", "--models", "stories", "--rpm", "60", "--tpm", "20000", "--budget", "5.00", "--period", "week", "--expires", "2099-12-31", "--json"],
      { home },
    );
    expect(run.code).toBe(0);
    created = jsonOf(run);
    secret = created.key;
    expect(secret).toMatch(/^aip_/);
    expect(secret.startsWith(created.prefix)).toBe(true);
    expect(created).toMatchObject({ object: "api_key", name: "alice", models: ["stories"], rpm: 60, tpm: 20000, budget: 5, budget_period: "week", is_admin: false, status: "active", revoked_at: null });
    expect(created.expires_at).toBe(Date.UTC(2100, 0, 1) / 1000);

    const text = await runAiplus(["keys", "create", "--name", "bob", "--expires-in", "30d", "--admin"], { home });
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^created API key bob \(id .+, prefix aip_.+\)$/);
    expect(lines[1]).toMatch(/^aip_\S{20,}$/);
    expect(lines[2]).toBe("Store it now: it is not shown again.");
  }, 180_000);

  it("never prints secrets when listing", async () => {
    const { keys } = await listKeys();
    expect(keys.map((key) => key.name)).toEqual(expect.arrayContaining(["alice", "bob"]));
    expect(keys.find((key) => key.name === "bob")?.is_admin).toBe(true);
    const table = await runAiplus(["keys", "ls"], { home });
    for (const output of [table.stdout, JSON.stringify(keys)]) {
      expect(output).not.toContain(secret);
      expect(output).toContain(created.prefix);
    }
    // RPM, TPM, CONCURRENT (no cap: -), BUDGET
    expect(table.stdout).toMatch(/alice\s+aip_\S+\s+active\s+stories\s+60\s+20000\s+-\s+\$5\.00\/week/);
  }, 180_000);

  it("rejects bad limits, unknown models and bad dates with one line and a non-zero exit", async () => {
    const before = (await listKeys()).keys;
    const cases: [string[], number, RegExp][] = [
      [["--rpm", "-3"], 2, /option '--rpm <n>' argument '-3' is invalid\. Must be a positive integer\./],
      [["--tpm", "1.5"], 2, /--tpm <n>' argument '1\.5' is invalid/],
      [["--budget", "abc"], 2, /option '--budget <dollars>' argument 'abc' is invalid/],
      [["--models", "nope"], 1, /^aiplus: unknown model nope: register it with `aiplus models add` or `aiplus providers add` first$/],
      [["--expires", "2001-01-01"], 1, /^aiplus: --expires must be in the future/],
      [["--expires", "soon"], 2, /--expires <date>' argument 'soon' is invalid/],
      [["--expires-in", "30x"], 2, /Must be a duration like 30d/],
      [["--expires", "2099-01-01", "--expires-in", "30d"], 2, /cannot be used with option '--expires-in/],
      [["--period", "year"], 2, /Allowed choices are day, week, month, total/],
    ];
    // Independent failing runs: in parallel.
    const runs = await Promise.all(cases.map(([flags]) => runAiplus(["keys", "create", "--name", "mallory", ...flags], { home })));
    cases.forEach(([flags, code, message], index) => {
      const run = runs[index];
      expect(run?.code, flags.join(" ")).toBe(code);
      expect(oneLineError(run ?? { code: null, stdout: "", stderr: "" })).toMatch(message);
    });
    const missingName = await runAiplus(["keys", "create"], { home });
    expect(missingName.code).toBe(2);
    expect(oneLineError(missingName)).toMatch(/required option '--name <name>' not specified/);
    expect((await listKeys()).keys).toEqual(before);
  }, 180_000);

  it("updates every field settable at creation, removes limits with --no-…, and refuses bad input with one line", async () => {
    const added = await runAiplus(["models", "add", await testModelPath("tiny-bert-random.gguf"), "--name", "bert"], { home });
    expect(added.code).toBe(0);
    const updated = await runAiplus(
      ["keys", "update", "alice", "--models", "stories,bert", "--rpm", "5", "--no-tpm", "--budget", "7.5", "--period", "day", "--expires", "2098-06-30", "--name", "alice2", "--admin", "--allow-code-execution", "--json"],
      { home },
    );
    expect(updated.code).toBe(0);
    expect(jsonOf<PublicKey>(updated)).toMatchObject({
      id: created.id, name: "alice2", models: ["stories", "bert"], rpm: 5, tpm: null, budget: 7.5, budget_period: "day", is_admin: true, expires_at: Date.UTC(2098, 6, 1) / 1000,
      allow_code_execution: true,
    });
    const back = await runAiplus(["keys", "update", created.prefix, "--name", "alice", "--no-models", "--no-rpm", "--no-budget", "--no-expires", "--no-admin", "--no-allow-code-execution"], { home });
    expect(back.code).toBe(0);
    expect(back.stdout).toBe(`updated API key alice (id ${created.id}, prefix ${created.prefix})\n`);
    expect((await listKeys()).keys.find((key) => key.id === created.id)).toMatchObject({ name: "alice", models: null, rpm: null, tpm: null, budget: null, is_admin: false, expires_at: null, allow_code_execution: false });

    const cases: [string[], number, RegExp][] = [
      [["alice"], 1, /^aiplus: nothing to change/],
      [["alice", "--models", "nope"], 1, /^aiplus: unknown model nope/],
      [["alice", "--rpm", "0"], 2, /--rpm <n>' argument '0' is invalid/],
      [["alice", "--expires", "2001-01-01"], 1, /^aiplus: --expires must be in the future/],
      [["nobody", "--rpm", "3"], 1, /^aiplus: unknown API key nobody/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runAiplus(["keys", "update", ...args], { home })));
    cases.forEach(([args, code, message], index) => {
      const run = runs[index];
      expect(run?.code, args.join(" ")).toBe(code);
      expect(oneLineError(run ?? { code: null, stdout: "", stderr: "" })).toMatch(message);
    });
  }, 180_000);

  it("revokes by name, prefix or id and refuses unknown keys", async () => {
    const byName = await runAiplus(["keys", "revoke", "alice"], { home });
    expect(byName.code).toBe(0);
    expect(byName.stdout).toContain(`revoked API key alice (id ${created.id}`);
    const { keys } = await listKeys();
    expect(keys.find((key) => key.id === created.id)).toMatchObject({ status: "revoked", revoked_at: expect.any(Number) });
    const table = await runAiplus(["keys", "ls"], { home });
    expect(table.stdout).toMatch(/alice\s+aip_\S+\s+revoked/);

    const bob = keys.find((key) => key.name === "bob");
    const byPrefix = await runAiplus(["keys", "revoke", bob?.prefix ?? "", "--json"], { home });
    expect(jsonOf<PublicKey>(byPrefix)).toMatchObject({ name: "bob", status: "revoked", revoked_at: expect.any(Number) });

    const unknown = await runAiplus(["keys", "revoke", "nobody"], { home });
    expect(unknown.code).toBe(1);
    expect(oneLineError(unknown)).toMatch(/^aiplus: unknown API key nobody/);
  }, 180_000);
});
