import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkflowRepository, parseWorkflowDefinition, parseCondition, evaluateCondition } from "../../src/workflows/index.js";
import { type TestDatabase, testDatabaseFactories } from "../store/test-databases.js";

const definition = parseWorkflowDefinition({ name: "w", steps: [{ id: "ask", type: "human_input", prompt: "?" }] });

for (const factory of testDatabaseFactories) {
  describe(`workflow repository on ${factory.dialect}`, () => {
    let test: TestDatabase;
    beforeAll(async () => {
      test = await factory.open();
    });
    afterAll(async () => {
      await test?.close();
    });

    it("stores workflows (one live name per owner), runs and their step log", async () => {
      const repository = createWorkflowRepository(test.database);
      await repository.create({ id: "wf_1", ownerId: "k1", definition });
      await expect(repository.create({ id: "wf_2", ownerId: "k1", definition })).rejects.toMatchObject({ statusCode: 409, code: "workflow_exists" });
      await repository.create({ id: "wf_3", ownerId: "k2", definition });
      expect((await repository.find("w")).map((workflow) => workflow.id).sort()).toEqual(["wf_1", "wf_3"]);
      expect(await repository.remove("wf_1")).toBe(true);
      await repository.create({ id: "wf_4", ownerId: "k1", definition });

      await repository.createRun({ id: "run_1", workflowId: "wf_4", workflowVersion: 1, keyId: "k1", definition, inputs: { a: 1 } });
      expect(await repository.moveRun("run_1", ["queued"], "running")).toBe(true);
      expect(await repository.writeStep("run_1", "ask", { status: "waiting", output: { prompt: "?" } })).toBe(true);
      expect(await repository.moveRun("run_1", ["running"], "awaiting_input")).toBe(true);
      expect(await repository.provideInput("run_1", "ask", { ok: true })).toBe(true);
      expect(await repository.provideInput("run_1", "ask", { ok: false })).toBe(false);
      expect((await repository.getRun("run_1"))?.status).toBe("queued");
      expect((await repository.steps("run_1")).get("ask")).toMatchObject({ status: "completed", output: { ok: true } });
      expect(await repository.moveRun("run_1", ["queued"], "cancelled")).toBe(true);
      expect(await repository.writeStep("run_1", "other", { status: "running", start: true })).toBe(false);
      expect((await repository.getRun("run_1"))?.finishedAt).not.toBeNull();
      expect((await repository.getRun("run_1"))?.workflowVersion).toBe(1);
    });

    it("keeps every version: an update adds the next (renames too), concurrent updates get distinct numbers, runs record theirs", async () => {
      const repository = createWorkflowRepository(test.database);
      const created = await repository.create({ id: "wf_v", ownerId: "kv", definition: { ...definition, name: "versioned" } });
      expect(created.version).toBe(1);
      const second = parseWorkflowDefinition({ name: "versioned", description: "second", steps: [{ id: "ask", type: "human_input", prompt: "again?" }] });
      expect(await repository.addVersion("wf_v", second)).toMatchObject({ version: 2, definition: { description: "second" } });
      const [a, b] = await Promise.all([repository.addVersion("wf_v", { ...second, description: "a" }), repository.addVersion("wf_v", { ...second, description: "b" })]);
      expect([a?.version, b?.version].sort()).toEqual([3, 4]);
      expect((await repository.get("wf_v"))?.version).toBe(4);
      expect((await repository.getVersion("wf_v", 1))?.definition.description).toBeUndefined();
      expect((await repository.getVersion("wf_v", 2))?.definition.description).toBe("second");
      expect(await repository.getVersion("wf_v", 9)).toBeUndefined();
      const page = await repository.listVersions("wf_v", { after: undefined, limit: 2, order: "desc" });
      expect(page.items.map((version) => version.version)).toEqual([4, 3]);
      expect(page.hasMore).toBe(true);
      const rest = await repository.listVersions("wf_v", { after: 3, limit: 2, order: "desc" });
      expect(rest.items.map((version) => version.version)).toEqual([2, 1]);
      expect(rest.hasMore).toBe(false);
      // A rename onto another live workflow's name of the same owner is a conflict; the version is not added.
      await repository.create({ id: "wf_other", ownerId: "kv", definition: { ...definition, name: "taken" } });
      await expect(repository.addVersion("wf_v", { ...second, name: "taken" })).rejects.toMatchObject({ statusCode: 409, code: "workflow_exists" });
      expect((await repository.get("wf_v"))?.version).toBe(4);
      expect(await repository.getVersion("wf_v", 5)).toBeUndefined();
      await repository.createRun({ id: "run_v2", workflowId: "wf_v", workflowVersion: 2, keyId: "kv", definition: second, inputs: {} });
      expect((await repository.getRun("run_v2"))?.workflowVersion).toBe(2);
      expect(await repository.remove("wf_v")).toBe(true);
      expect(await repository.addVersion("wf_v", second)).toBeUndefined();
    });
  });
}

describe("condition expressions", () => {
  const scope = { inputs: { n: 7, tags: ["a", "b"], meta: { team: "billing" } }, steps: { c: { output: '{"label":"billing\\n","score":0.9}' } } };
  it.each([
    ["steps.c.output.label == 'billing'", true],
    ["steps.c.output.score >= 0.5 and not (inputs.n < 3)", true],
    ["inputs.tags contains 'b' or false", true],
    ["inputs.tags contains 'z'", false],
    ["steps.c.output.label matches '^bill'", true],
    ["steps.missing.output == null", true],
    // Objects and lists compare as their JSON, never as "[object Object]" or "a,b".
    ["inputs.tags matches '\"a\",\"b\"'", true],
    ["inputs.meta matches '\"team\":\"billing\"'", true],
    ["inputs.meta matches 'object'", false],
  ])("%s → %s", (source, expected) => {
    expect(evaluateCondition(parseCondition(source), scope)).toBe(expected);
  });

  it("rejects what is not the language", () => {
    expect(() => parseCondition("process.exit()")).toThrow(/not a path/);
    expect(() => parseCondition("inputs.n ==")).toThrow(/ends too early/);
  });
});
