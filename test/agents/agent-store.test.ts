import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AgentReferenceChecks,
  type AgentService,
  createAgentMemory,
  createAgentService,
  createMemoryTools,
  localAgentOperator,
  parseAgentDefinition,
} from "../../src/agents/index.js";
import type { ServerToolContext } from "../../src/server-tools/index.js";
import { type TestDatabase, testDatabaseFactories } from "../store/test-databases.js";

const everythingExists: AgentReferenceChecks = { modelUsable: async () => true, knowledgeBaseUsable: async () => true };
const alice = { keyId: "key-alice", isAdmin: false };
const bob = { keyId: "key-bob", isAdmin: false };
const admin = { keyId: "key-admin", isAdmin: true };
const toolContext: ServerToolContext = { signal: new AbortController().signal, idempotencyKey: "resp_1:call_1", caller: { keyId: "key-alice", isAdmin: false } };

function definition(overrides: Record<string, unknown> = {}) {
  return parseAgentDefinition({
    name: "helper",
    model: "stories",
    tools: [{ type: "builtin", name: "memory" }],
    memory: { blocks: [{ label: "human", limit_chars: 12, initial_value: "hi" }, { label: "rules", limit_chars: 50, initial_value: "be kind", read_only: true }] },
    ...overrides,
  });
}

for (const factory of testDatabaseFactories) {
  describe(`agents on ${factory.dialect}`, () => {
    let test: TestDatabase;
    let agents: AgentService;
    beforeAll(async () => {
      test = await factory.open();
      agents = createAgentService({ database: test.database });
    });
    afterAll(async () => test?.close());

    it("keeps every version immutable and pages agents and versions", async () => {
      const created = await agents.create(alice, definition(), everythingExists);
      expect(created.version.version).toBe(1);
      const second = await agents.update(alice, created.agent.id, definition({ instructions: "Answer briefly." }), everythingExists);
      expect(second.version.version).toBe(2);
      expect(second.agent.latestVersion).toBe(2);
      expect((await agents.get(alice, "helper", 1)).version.definition.instructions).toBeUndefined();
      expect((await agents.get(alice, "helper")).version.definition.instructions).toBe("Answer briefly.");
      const versions = await agents.listVersions(alice, created.agent.id, { limit: 1, order: "asc" });
      expect(versions.items.map((version) => version.version)).toEqual([1]);
      expect(versions.hasMore).toBe(true);
      const rest = await agents.listVersions(alice, created.agent.id, { limit: 10, order: "asc", after: 1 });
      expect(rest.items.map((version) => version.version)).toEqual([2]);
      await expect(agents.create(alice, definition(), everythingExists)).rejects.toMatchObject({ statusCode: 409, code: "agent_exists", param: "name" });
      // Concurrent updates each get their own version.
      const updates = await Promise.all([1, 2, 3].map((index) => agents.update(alice, created.agent.id, definition({ description: `v${index}` }), everythingExists)));
      expect(updates.map((update) => update.version.version).sort()).toEqual([3, 4, 5]);
      await agents.create(alice, definition({ name: "second" }), everythingExists);
      const first = await agents.list(alice, { limit: 1, order: "asc" });
      expect(first.items.map((agent) => agent.name)).toEqual(["helper"]);
      const next = await agents.list(alice, { limit: 5, order: "asc", after: first.items[0]!.id });
      expect(next.items.map((agent) => agent.name)).toEqual(["second"]);
    });

    it("scopes agents to their owner key (admins and the local operator see all) and frees the name on delete", async () => {
      await expect(agents.get(bob, "helper")).rejects.toMatchObject({ statusCode: 404 });
      await expect(agents.remove(bob, "helper")).rejects.toMatchObject({ statusCode: 404 });
      expect((await agents.list(bob, { limit: 10, order: "asc" })).items).toEqual([]);
      const bobs = await agents.create(bob, definition(), everythingExists);
      expect((await agents.get(bob, "helper")).agent.id).toBe(bobs.agent.id);
      expect((await agents.list(admin, { limit: 10, order: "asc" })).items.length).toBe(3);
      await expect(agents.get(admin, "helper")).rejects.toMatchObject({ statusCode: 400, param: "agent_id" });
      expect((await agents.get(localAgentOperator, bobs.agent.id)).agent.ownerId).toBe("key-bob");
      await agents.remove(bob, bobs.agent.id);
      await expect(agents.get(bob, bobs.agent.id)).rejects.toMatchObject({ statusCode: 404 });
      expect((await agents.create(bob, definition(), everythingExists)).version.version).toBe(1);
    });

    it("enforces block limits and read-only on every write path, per key and user", async () => {
      const { agent } = await agents.create(alice, definition({ name: "memo" }), everythingExists);
      // The API path.
      await expect(agents.writeMemory(alice, "memo", "u1", "human", { kind: "set", value: "x".repeat(13) })).rejects.toMatchObject({ statusCode: 400, code: "memory_limit_exceeded", param: "value" });
      await expect(agents.writeMemory(alice, "memo", "u1", "human", { kind: "append", text: "1234567890" }, "text")).rejects.toMatchObject({ code: "memory_limit_exceeded", param: "text" });
      await expect(agents.writeMemory(alice, "memo", "u1", "human", { kind: "replace", old: "hi", new: "1234567890abc" }, "new")).rejects.toMatchObject({ code: "memory_limit_exceeded", param: "new" });
      expect((await agents.writeMemory(alice, "memo", "u1", "human", { kind: "set", value: "😀".repeat(12) })).chars).toBe(12);
      expect((await agents.writeMemory(alice, "memo", "u1", "rules", { kind: "set", value: "be terse" })).value).toBe("be terse");
      await expect(agents.writeMemory(alice, "memo", "u1", "nope", { kind: "set", value: "" })).rejects.toMatchObject({ statusCode: 404, code: "memory_block_not_found" });

      // The agent's tools path.
      const resolved = await agents.get(alice, agent.id);
      const scope = agents.memoryScope(alice, resolved, "u2");
      const tools = agents.memoryTools(scope, resolved);
      expect(tools.map((tool) => tool.name)).toEqual(["memory_replace", "memory_append"]);
      const replace = tools.find((tool) => tool.name === "memory_replace")!;
      const append = tools.find((tool) => tool.name === "memory_append")!;
      expect(replace.parameters).toMatchObject({ properties: { label: { enum: ["human"] } } });
      await expect(append.execute({ label: "human", text: "1234567890" }, toolContext)).rejects.toMatchObject({ code: "memory_limit_exceeded" });
      await expect(replace.execute(JSON.stringify({ label: "human", old: "hi", new: "x".repeat(13) }), toolContext)).rejects.toMatchObject({ code: "memory_limit_exceeded" });
      await expect(append.execute({ label: "rules", text: "obey" }, toolContext)).rejects.toMatchObject({ code: "memory_block_read_only" });
      await expect(replace.execute({ label: "human", old: "absent", new: "" }, toolContext)).rejects.toMatchObject({ code: "memory_text_not_found" });
      expect(await append.execute({ label: "human", text: "Ann" }, toolContext)).toContain("6 of 12");
      expect(await replace.execute({ label: "human", old: "Ann", new: "Bo" }, toolContext)).toContain("5 of 12");

      // Scopes: users of one key, and other keys (even an admin) never share memory.
      const view = (blocks: { label: string; value: string }[]) => Object.fromEntries(blocks.map((block) => [block.label, block.value]));
      expect(view((await agents.readMemory(alice, "memo", "u2")).blocks)).toEqual({ human: "hi\nBo", rules: "be kind" });
      expect(view((await agents.readMemory(alice, "memo", "u1")).blocks)).toEqual({ human: "😀".repeat(12), rules: "be terse" });
      expect(view((await agents.readMemory(admin, agent.id, "u2")).blocks)).toEqual({ human: "hi", rules: "be kind" });
      expect(view((await agents.readMemory(alice, "memo", "")).blocks)).toEqual({ human: "hi", rules: "be kind" });
    });

    it("loses no concurrent append", async () => {
      const resolved = await agents.create(alice, definition({ name: "busy", memory: { blocks: [{ label: "log", limit_chars: 1000 }] } }), everythingExists);
      const memory = createAgentMemory(test.database);
      const scope = { agentId: resolved.agent.id, keyId: "key-alice", userId: "" };
      const [append] = createMemoryTools({ memory, scope, blocks: resolved.version.definition.memory.blocks }).filter((tool) => tool.name === "memory_append");
      await Promise.all(Array.from({ length: 8 }, (_, index) => append!.execute({ label: "log", text: `line ${index}` }, toolContext)));
      const [log] = await memory.read(scope, resolved.version.definition.memory.blocks);
      expect(log!.value.split("\n").sort()).toEqual(Array.from({ length: 8 }, (_, index) => `line ${index}`));
    });

    it("imports a definition as a new agent, a new version, or not at all when unchanged", async () => {
      const first = await agents.import(alice, definition({ name: "imported" }), everythingExists);
      expect(first.outcome).toBe("created");
      expect((await agents.import(alice, definition({ name: "imported" }), everythingExists)).outcome).toBe("unchanged");
      const changed = await agents.import(alice, definition({ name: "imported", instructions: "new" }), everythingExists);
      expect(changed).toMatchObject({ outcome: "versioned", version: { version: 2 } });
      expect(changed.agent.id).toBe(first.agent.id);
    });
  });
}
