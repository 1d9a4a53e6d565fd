import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonOf, oneLineError, runAiplus, temporaryHome } from "./run-aiplus.js";

// `aiplus policies set|ls|show|rm`, `aiplus keys create|update --policy`, `aiplus audit`: the CLI over the state folder.

let home: string;

beforeAll(() => {
  home = temporaryHome();
  fs.writeFileSync(path.join(home, "default.yaml"), "pii: mask\n");
  fs.writeFileSync(path.join(home, "strict.json"), JSON.stringify({ pii: { default: "mask", financial: "block" }, injection: "strip", routes: { local: "allow" } }));
  fs.writeFileSync(path.join(home, "bad.yaml"), "pii:\n  EMAIL: mask\n");
});
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

describe("aiplus policies", () => {
  it("sets versioned policies from YAML and JSON files, lists, shows and removes them", async () => {
    const first = await runAiplus(["policies", "set", path.join(home, "default.yaml")], { home });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("stored policy default version 1\n");
    expect((await runAiplus(["policies", "set", path.join(home, "default.yaml")], { home })).stdout).toBe("stored policy default version 2\n");
    const strict = jsonOf<{ name: string; version: number; policy: Record<string, unknown> }>(await runAiplus(["policies", "set", path.join(home, "strict.json"), "--name", "strict-eu", "--json"], { home }));
    expect(strict).toMatchObject({ object: "guardrail_policy", name: "strict-eu", version: 1, policy: { injection: "strip", routes: { local: "allow" } }, created_at: expect.any(Number) });
    const listed = jsonOf<Array<{ name: string; version: number; versions: number }>>(await runAiplus(["policies", "ls", "--json"], { home }));
    expect(listed.map((entry) => [entry.name, entry.version, entry.versions])).toEqual([["default", 2, 2], ["strict-eu", 1, 1]]);
    const shown = await runAiplus(["policies", "show", "default", "--policy-version", "1"], { home });
    expect(shown.stdout).toContain("pii: mask");
    expect(shown.stdout).toMatch(/^# default version 1/);
    expect((await runAiplus(["policies", "show", "default@2"], { home })).stdout).toMatch(/^# default version 2/);
    expect(oneLineError(await runAiplus(["policies", "show", "default@7"], { home }))).toContain("has no version 7");
  });

  it("a bad policy is one error line naming the field", async () => {
    const bad = await runAiplus(["policies", "set", path.join(home, "bad.yaml")], { home });
    expect(bad.code).toBe(1);
    expect(oneLineError(bad)).toContain("policy.pii");
    expect(oneLineError(bad)).toContain("EMAIL");
    const missing = await runAiplus(["policies", "set", path.join(home, "nope.yaml")], { home });
    expect(oneLineError(missing)).toContain("cannot read");
  });

  it("keys take a policy that must exist; a policy in use cannot be removed", async () => {
    const unknown = await runAiplus(["keys", "create", "--name", "x", "--policy", "nope"], { home });
    expect(oneLineError(unknown)).toContain("guardrail policy 'nope' does not exist");
    const created = jsonOf<{ id: string; policy: string | null }>(await runAiplus(["keys", "create", "--name", "eu-team", "--policy", "strict-eu", "--json"], { home }));
    expect(created.policy).toBe("strict-eu");
    const inUse = await runAiplus(["policies", "rm", "strict-eu"], { home });
    expect(oneLineError(inUse)).toContain("used by 1 key");
    const cleared = jsonOf<{ policy: string | null }>(await runAiplus(["keys", "update", created.id, "--no-policy", "--json"], { home }));
    expect(cleared.policy).toBeNull();
    const removed = await runAiplus(["policies", "rm", "strict-eu"], { home });
    expect(removed.stdout).toBe("removed policy strict-eu\n");
    expect(oneLineError(await runAiplus(["policies", "show", "strict-eu"], { home }))).toContain("not found");
  });

  it("aiplus audit lists the admin actions of the CLI, newest first", async () => {
    const entries = jsonOf<Array<{ kind: string; rule: string; actor: string; target: string | null }>>(await runAiplus(["audit", "--kind", "admin", "--json"], { home }));
    const rules = entries.map((entry) => entry.rule);
    expect(rules.slice(0, 3)).toEqual(["policies.delete", "keys.update", "policies.delete"]);
    expect(rules).toEqual(expect.arrayContaining(["policies.set", "keys.create"]));
    expect(entries[0]!.actor).toMatch(/^cli:/);
    expect(entries[0]).toMatchObject({ object: "audit_entry", target: "strict-eu", created_at: expect.any(Number) });
    const table = await runAiplus(["audit", "--since", "2020-01-01"], { home });
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+TIME\s+KIND/);
    expect(oneLineError(await runAiplus(["audit", "--since", "yesterday"], { home }))).toContain("--since");
  });
});
