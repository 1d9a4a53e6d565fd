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

      await repository.createRun({ id: "run_1", workflowId: "wf_4", keyId: "k1", definition, inputs: { a: 1 } });
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
    });
  });
}

describe("condition expressions", () => {
  const scope = { inputs: { n: 7, tags: ["a", "b"] }, steps: { c: { output: '{"label":"billing\\n","score":0.9}' } } };
  it.each([
    ["steps.c.output.label == 'billing'", true],
    ["steps.c.output.score >= 0.5 and not (inputs.n < 3)", true],
    ["inputs.tags contains 'b' or false", true],
    ["inputs.tags contains 'z'", false],
    ["steps.c.output.label matches '^bill'", true],
    ["steps.missing.output == null", true],
  ])("%s → %s", (source, expected) => {
    expect(evaluateCondition(parseCondition(source), scope)).toBe(expected);
  });

  it("rejects what is not the language", () => {
    expect(() => parseCondition("process.exit()")).toThrow(/not a path/);
    expect(() => parseCondition("inputs.n ==")).toThrow(/ends too early/);
  });
});
