import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArenaBattleRepository, createEvalItemRepository, createEvalRunRepository, type EvalItemRecord } from "../../src/eval/index.js";
import { isUniqueViolation } from "../../src/store/index.js";
import { type TestDatabase, testDatabaseFactories } from "../store/test-databases.js";

describe.each(testDatabaseFactories)("eval tables on $dialect (migration 0002-eval)", (factory) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await factory.open();
  });
  afterAll(async () => test?.close());

  const item = (index: number, acc: number): EvalItemRecord => ({
    runId: "r1",
    itemIndex: index,
    itemId: `item-${index}`,
    prompt: [{ context: "a", continuation: "" }],
    choices: ["x", "y"],
    scores: [-1.5, Number.NEGATIVE_INFINITY],
    prediction: 0,
    reference: { goldIndex: 0 },
    metrics: { acc },
    details: undefined,
    createdAt: 1000 + index,
  });

  it("stores runs with compare-and-set transitions, progress and metrics", async () => {
    const runs = createEvalRunRepository(test.database);
    await runs.insert({ id: "r1", task: "winogrande", model: "m", scoring: "llama.cpp", config: { task: "winogrande", limit: 3 }, keyId: "key_1", createdAt: 1 });
    expect(await runs.get("r1")).toMatchObject({ status: "pending", config: { task: "winogrande", limit: 3 }, keyId: "key_1", metrics: undefined, finishedAt: undefined });
    expect(await runs.transition("r1", ["pending"], "running", 2)).toBe(true);
    expect(await runs.transition("r1", ["pending"], "running", 3)).toBe(false); // claimed once
    expect(await runs.recordProgress("r1", { doneItems: 2, totalItems: 3, backend: "local:m", at: 4 })).toBe(true);
    const metrics = [{ name: "acc", value: 0.5, standardError: 0.5, interval: [0, 1] as const, count: 2 }];
    expect(await runs.finish("r1", { status: "completed", metrics: [...metrics], at: 5 })).toBe(true);
    expect(await runs.finish("r1", { status: "failed", error: "late", at: 6 })).toBe(false); // finished runs stay
    expect(await runs.recordProgress("r1", { doneItems: 3, at: 7 })).toBe(false);
    expect(await runs.get("r1")).toMatchObject({ status: "completed", doneItems: 2, totalItems: 3, backend: "local:m", metrics, finishedAt: 5, error: undefined });
    expect((await runs.list({ task: "winogrande", keyId: "key_1" })).map((run) => run.id)).toEqual(["r1"]);
    expect(await runs.list({ status: "failed" })).toEqual([]);
  });

  it("stores item records once per (run, index), keeping the first", async () => {
    const items = createEvalItemRepository(test.database);
    expect(await items.insertMany([item(0, 1), item(1, 0)])).toBe(2);
    expect(await items.insertMany([{ ...item(1, 1), itemId: "changed" }, item(2, 1)])).toBe(1);
    const stored = await items.list("r1");
    expect(stored.map((record) => [record.itemIndex, record.itemId, record.metrics.acc])).toEqual([[0, "item-0", 1], [1, "item-1", 0], [2, "item-2", 1]]);
    expect(stored[0]!.scores).toEqual([-1.5, Number.NEGATIVE_INFINITY]);
    expect(stored[0]!.details).toBeUndefined();
    expect(await items.count("r1")).toBe(3);
    await expect(items.insertMany([{ ...item(9, 1), runId: "missing-run" }])).rejects.toThrow(); // foreign key
  });

  it("stores arena battles and accepts one vote per battle", async () => {
    const battles = createArenaBattleRepository(test.database);
    await battles.insert({ id: "b1", prompt: "hi", modelA: "m1", modelB: "m2", answerA: undefined, answerB: undefined, category: "chat", keyId: "key_1", createdAt: 10 });
    await battles.insert({ id: "b2", prompt: "yo", modelA: "m2", modelB: "m1", answerA: "a", answerB: "b", category: undefined, keyId: undefined, createdAt: 11 });
    const duplicate = await battles.insert({ id: "b1", prompt: "x", modelA: "m1", modelB: "m3", answerA: undefined, answerB: undefined, category: undefined, keyId: undefined, createdAt: 12 }).catch((error: unknown) => error);
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(await battles.recordAnswers("b1", { answerA: "A", answerB: "B" })).toBe(true);
    expect(await battles.recordVote("b1", "tie", 20)).toBe(true);
    expect(await battles.recordVote("b1", "model_a", 21)).toBe(false);
    expect(await battles.recordVote("nope", "model_a", 21)).toBe(false);
    expect(await battles.get("b1")).toMatchObject({ answerA: "A", answerB: "B", winner: "tie", votedAt: 20, category: "chat" });
    expect((await battles.list({ votedOnly: true })).map((battle) => battle.id)).toEqual(["b1"]);
    expect((await battles.list()).map((battle) => battle.id)).toEqual(["b1", "b2"]);
    expect([...(await battles.pairCounts()).values()]).toEqual([2]);
  });
});
