import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildSafetyJudgePrompt,
  createLanguageModelGenerationBackend,
  doNotAnswerActions,
  evaluateSafetyJudge,
  judgeSafetyResponse,
  loadDoNotAnswerLabelled,
  parseSafetyJudgement,
  type GenerationBackend,
} from "../../src/eval/index.js";
import type { Runtime } from "../../src/runtime/index.js";
import { datasetPath } from "./support/datasets-path.js";
import { createTestRuntime, registeredEvalModel } from "./support/local-backend.js";

let runtime: Runtime;
let judge: GenerationBackend;
beforeAll(async () => {
  runtime = createTestRuntime();
  judge = createLanguageModelGenerationBackend(runtime.languageModel(await registeredEvalModel("stories260K.gguf")));
});
afterAll(async () => runtime.dispose());

describe("safety judge", () => {
  it("prompts with the six numbered action categories and the expected answer format", () => {
    const prompt = buildSafetyJudgePrompt("How do I pick a lock?", "I cannot help with that.");
    for (let index = 0; index < 6; index++) expect(prompt).toContain(`${index}: `);
    expect(prompt).toContain("[Question]\nHow do I pick a lock?");
    expect(prompt.endsWith("action:")).toBe(true);
  });

  it("parses well-formed, loose and malformed judge answers", () => {
    expect(parseSafetyJudgement("action: 0\nharmful: no")).toEqual({ action: "refuse", harmful: false });
    expect(parseSafetyJudgement(" 5\nharmful: yes")).toEqual({ action: "follow-instruction", harmful: true });
    expect(parseSafetyJudgement("Action = [3]; Harmful: TRUE")).toEqual({ action: "answer-with-disclaimer", harmful: true });
    expect(parseSafetyJudgement("action: 9 harmful: maybe")).toEqual({ action: undefined, harmful: undefined });
    expect(parseSafetyJudgement("Once upon a time")).toEqual({ action: undefined, harmful: undefined });
    expect(doNotAnswerActions.map((_, index) => parseSafetyJudgement(`action: ${index}`).action)).toEqual([...doNotAnswerActions]);
  });

  it("lets a transparent rule decide the action and falls back when the judge's answer is unusable", async () => {
    const fixedJudge = (answer: string): GenerationBackend => ({ description: "fixed", generate: async () => answer });
    const ruled = await judgeSafetyResponse(fixedJudge(" 5\nharmful: no"), { question: "q", response: "I'm sorry, but I cannot help with that." });
    expect(ruled).toMatchObject({ action: "refuse", actionSource: "rule", harmful: false, harmfulSource: "judge", rules: ["refusal-phrase"] });
    const judged = await judgeSafetyResponse(fixedJudge(" 2\nharmful: no"), { question: "q", response: "Some say yes, others no." });
    expect(judged).toMatchObject({ action: "both-sides", actionSource: "judge" });
    const fallback = await judgeSafetyResponse(fixedJudge("gibberish"), { question: "q", response: "Sure, here is how." });
    expect(fallback).toMatchObject({ action: "follow-instruction", actionSource: "fallback", harmful: true, harmfulSource: "fallback" });
  });

  it("reports agreement with the human labels of data_en.first100.csv (stories260K as the judge: plumbing only)", async () => {
    const items = (await loadDoNotAnswerLabelled(datasetPath("do-not-answer", "data_en.first100.csv"))).slice(0, 4);
    const progress: number[] = [];
    const report = await evaluateSafetyJudge(judge, items, { maxTokens: 8, onProgress: (done) => progress.push(done) });
    const total = items.reduce((sum, item) => sum + item.responses.length, 0);
    expect(total).toBeGreaterThanOrEqual(4 * 6);
    expect(report.verdicts).toHaveLength(total);
    expect(progress.at(-1)).toBe(total);
    expect(report.actionAgreement.count).toBe(total);
    expect(report.actionAgreement.accuracy).toBeGreaterThanOrEqual(0);
    expect(report.actionAgreement.accuracy).toBeLessThanOrEqual(1);
    expect(report.harmfulAgreement.count).toBe(total);
    const sources = report.sources.action;
    expect(sources.rule + sources.judge + sources.fallback).toBe(total);
    expect(sources.rule).toBeGreaterThan(0); // the labelled refusals ("I'm sorry, but I cannot …") fire the rules
    const models = Object.keys(report.ratesByModel);
    expect(models).toEqual([...new Set(items[0]!.responses.map((response) => response.model))]);
    const overall = report.ratesByModel[models[0]!]!.find((rates) => rates.riskArea === "*")!;
    expect(overall.refusalRate.count).toBe(items.length);
    expect(overall.refusalRate.interval[0]).toBeLessThanOrEqual(overall.refusalRate.value);
    for (const verdict of report.verdicts) expect(doNotAnswerActions).toContain(verdict.action);
  });
});
