import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScriptedUpstream } from "../support/scripted-upstream.js";
import { oneLineError, runAiplus, temporaryHome } from "./run-aiplus.js";

// `aiplus run <agent> "<task>"`: an agent run in-process against a scripted upstream, billed in the ledger.
let home: string;
let upstream: ScriptedUpstream;

const definition = `name: greeter
model: remote-model
instructions: Agent greeter.
tools:
  - type: builtin
    name: memory
memory:
  blocks:
    - label: notes
      limit_chars: 100
limits: { max_steps: 3 }
`;

beforeAll(async () => {
  home = temporaryHome();
  upstream = await ScriptedUpstream.start();
  const provider = await runAiplus(["providers", "add", "--name", "scripted", "--base-url", upstream.baseUrl, "--api-key", "sk-up", "--models", "remote-model"], { home });
  expect(provider.code, provider.stderr).toBe(0);
  const file = path.join(home, "greeter.yaml");
  fs.writeFileSync(file, definition);
  const created = await runAiplus(["agents", "create", file], { home });
  expect(created.code, created.stderr).toBe(0);
});
afterAll(async () => {
  await upstream?.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

describe("aiplus run", () => {
  it("prints the agent's answer and exits 0; the calls are in the ledger", async () => {
    upstream.reset();
    upstream.on("user: Say hello", { text: "Hello from the greeter." });
    const result = await runAiplus(["run", "greeter", "Say hello"], { home });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("Hello from the greeter.\n");
    expect(upstream.requests[0]?.messages[0]?.content).toContain("Agent greeter.");
    const usage = await runAiplus(["usage", "--json"], { home });
    expect(usage.stdout).toContain("remote-model");
  });

  it("--follow streams the text and shows tool calls on stderr; memory persists across runs of the same user", async () => {
    upstream.reset();
    upstream.on("user: Remember tea", { toolCall: { name: "memory_append", arguments: { label: "notes", text: "likes tea" } } });
    upstream.on((request) => request.messages.at(-1)?.role === "tool", { text: "Noted." });
    const result = await runAiplus(["run", "greeter", "Remember tea", "--follow", "--user", "sam"], { home });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("Noted.\n");
    expect(result.stderr).toMatch(/\[tool\] memory_append\(.*likes tea.*\) → memory block 'notes' now holds 9 of 100 characters/);
    upstream.reset();
    upstream.on("user: What do I like?", { text: "Tea." });
    expect((await runAiplus(["run", "greeter", "What do I like?", "--user", "sam"], { home })).code).toBe(0);
    expect(upstream.requests[0]?.messages[0]?.content).toContain("likes tea");
  });

  it("an unknown agent or a run that ends incomplete is one error line and a non-zero exit", async () => {
    const unknown = await runAiplus(["run", "nobody", "Hi"], { home });
    expect(unknown.code).not.toBe(0);
    expect(oneLineError(unknown)).toContain("nobody");
    upstream.reset();
    upstream.on("user: Loop forever", { toolCall: { name: "memory_append", arguments: { label: "notes", text: "x" } } });
    upstream.on((request) => request.messages.at(-1)?.role === "tool", { toolCall: { name: "memory_append", arguments: { label: "notes", text: "x" } } });
    const looping = await runAiplus(["run", "greeter", "Loop forever"], { home });
    expect(looping.code).not.toBe(0);
    expect(oneLineError(looping)).toBe("aiplus: the run ended incomplete: max_steps");
  });
});
