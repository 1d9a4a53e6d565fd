import { describe, expect, it } from "vitest";
import {
  builtInTasks,
  buildHellaswagItems,
  buildMmluItems,
  buildTruthfulqaMc1Items,
  getBuiltInTask,
  loadHellaswagText,
  loadMmlu,
  loadTruthfulqaMc,
  type LoglikelihoodTaskDefinition,
  type MultipleChoiceRecord,
  preprocessHellaswagText,
  runMultipleChoiceItems,
  truthfulqaPrimer,
} from "../../src/eval/index.js";
import { InvalidRequestError, NotFoundError } from "../../src/spec/index.js";
import { datasetPath } from "./support/datasets-path.js";
import { ToyBackend } from "./support/toy-backend.js";

const loglikelihood = (name: string) => getBuiltInTask(name) as LoglikelihoodTaskDefinition;

describe("task templates", () => {
  it("builds MMLU 0-shot and 5-shot prompts from dev with first_n", async () => {
    const [subject] = await loadMmlu({ testFolder: datasetPath("mmlu/data/test_first4"), devFolder: datasetPath("mmlu/data/dev"), subjects: ["abstract_algebra"] });
    const zeroShot = buildMmluItems(subject!.test, subject!.dev)[0]!;
    expect(zeroShot.lmEval).toEqual({
      kind: "choices",
      context:
        "The following are multiple choice questions (with answers) about abstract algebra.\n\n" +
        "Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.\nA. 0\nB. 4\nC. 2\nD. 6\nAnswer:",
      choices: ["A", "B", "C", "D"],
      delimiter: " ",
    });
    expect(zeroShot.goldIndex).toBe(1);
    const fiveShot = buildMmluItems(subject!.test, subject!.dev, { shots: 5 })[0]!;
    const context = fiveShot.lmEval.kind === "choices" ? fiveShot.lmEval.context : "";
    expect(context.startsWith("The following are multiple choice questions (with answers) about abstract algebra.\n\nFind all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.\nA. 0\nB. 1\nC. 2\nD. 3\nAnswer: B\n\n")).toBe(true);
    expect(context.split("\nAnswer:")).toHaveLength(7);
    expect(fiveShot.llamaCpp).toMatchObject({ kind: "candidates", candidates: ["A", "B", "C", "D"].map((letter) => `${context} ${letter}`) });
    expect(() => buildMmluItems(subject!.test, subject!.dev, { shots: 6 })).toThrow(InvalidRequestError);
  });

  it("builds TruthfulQA MC1 with the 6-QA primer for lm-eval and the raw question for llama.cpp", async () => {
    const [item] = buildTruthfulqaMc1Items(await loadTruthfulqaMc(datasetPath("truthfulqa/mc_task.first100.json")));
    expect(truthfulqaPrimer.split("\n\n")).toHaveLength(6);
    expect(item!.lmEval).toMatchObject({ context: `${truthfulqaPrimer}\n\nQ: What happens if you eat a pomegranate?\nA:` });
    expect(item!.llamaCpp).toMatchObject({ candidates: expect.arrayContaining(["What happens if you eat a pomegranate? You will die."]) });
    expect(item!.goldIndex).toBe(0);
  });

  it("applies lm-eval's HellaSwag preprocessing to the txt lines", async () => {
    expect(preprocessHellaswagText(" Cooking [title] Make soup. [step] Stir  it ")).toBe("Cooking. Make soup. Stir it");
    const [item] = buildHellaswagItems(await loadHellaswagText(datasetPath("hellaswag/hellaswag_val_first200.txt")));
    expect(item!.llamaCpp).toMatchObject({ candidates: ["Roof shingle removal: A man is sitting on a roof. he is using wrap to wrap a pair of skis.", expect.any(String), expect.any(String), expect.any(String)] });
  });
});

describe("built-in task registry", () => {
  it("lists the issue's tasks with dimension tags", () => {
    expect(Object.keys(builtInTasks).sort()).toEqual(["arc_challenge", "arc_easy", "do_not_answer", "gsm8k", "hellaswag", "humaneval", "mmlu", "truthfulqa_mc1", "truthfulqa_mc2", "winogrande"]);
    expect(builtInTasks.humaneval!.tags).toEqual({ dimension: "general", capabilities: ["code"] });
    expect(() => getBuiltInTask("nope")).toThrow(NotFoundError);
  });

  it("loads every log-likelihood task from the dev subsets", async () => {
    const counts = {
      hellaswag: (await loglikelihood("hellaswag").loadItems({ path: datasetPath("hellaswag/hellaswag_val_first200.txt") })).length,
      winogrande: (await loglikelihood("winogrande").loadItems({ path: datasetPath("winogrande/winogrande-debiased-eval.first200.csv") })).length,
      winograndeJsonl: (await loglikelihood("winogrande").loadItems({ path: datasetPath("winogrande/dev.first200.jsonl") })).length,
      arc: (await loglikelihood("arc_challenge").loadItems({ path: datasetPath("arc/ARC-Challenge-Test.first200.jsonl") })).length,
      arcBin: (await loglikelihood("arc_challenge").loadItems({ path: datasetPath("llamacpp-mc/arc-challenge-test.first200.derived.bin") })).length,
      arcEasy: (await loglikelihood("arc_easy").loadItems({ path: datasetPath("arc/llm-foundry/arc_easy.first200.jsonl") })).length,
      mmlu: (await loglikelihood("mmlu").loadItems({ path: datasetPath("mmlu/data/test_first4"), shots: 5 })).length,
      mc1: (await loglikelihood("truthfulqa_mc1").loadItems({ path: datasetPath("truthfulqa/mc_task.first100.json") })).length,
      mc1Bin: (await loglikelihood("truthfulqa_mc1").loadItems({ path: datasetPath("llamacpp-mc/truthfulqa-mc.first100.derived.bin") })).length,
      mc2: (await loglikelihood("truthfulqa_mc2").loadItems({ path: datasetPath("truthfulqa/mc_task.first100.json") })).length,
    };
    expect(counts).toEqual({ hellaswag: 200, winogrande: 200, winograndeJsonl: 200, arc: 200, arcBin: 200, arcEasy: 200, mmlu: 228, mc1: 100, mc1Bin: 100, mc2: 100 });
    await expect(loglikelihood("hellaswag").loadItems({ path: datasetPath("gsm8k/test.first100.jsonl") })).rejects.toThrow(/unsupported dataset format/);
    await expect(loglikelihood("arc_challenge").loadItems({ path: datasetPath("arc/llm-foundry/arc_easy.first200.jsonl") })).rejects.toThrow(/defective/);
  });

  it("runs HellaSwag items under both conventions, resumes without rescoring and summarises metrics", async () => {
    const items = (await loglikelihood("hellaswag").loadItems({ path: datasetPath("hellaswag/hellaswag_val_first200.txt") })).slice(0, 12);
    const backend = new ToyBackend({ table: { "e| ": -0.2, "s| ": -0.4, " |t": -0.3 } });
    const llama = await runMultipleChoiceItems(backend, items, { convention: "llama.cpp", bootstrap: { rounds: 200 } });
    expect(llama.records).toHaveLength(12);
    expect(llama.metrics.map((metric) => metric.name)).toEqual(["acc"]);
    const lmEval = await runMultipleChoiceItems(backend, items, { convention: "lm-eval", bootstrap: { rounds: 200 } });
    expect(lmEval.metrics.map((metric) => metric.name)).toEqual(["acc", "acc_norm", "acc_bytes"]);
    const accuracy = lmEval.metrics[0]!;
    expect(accuracy.value).toBe(lmEval.records.filter((record) => record.metrics.acc === 1).length / 12);
    // Resume: the first 5 records are reused, only 7 items are scored again.
    const persisted: MultipleChoiceRecord[] = [];
    const before = backend.requests.length;
    const resumed = await runMultipleChoiceItems(backend, items, {
      convention: "lm-eval",
      completed: lmEval.records.slice(0, 5),
      onRecord: (record) => {
        persisted.push(record);
      },
    });
    expect(backend.requests.length - before).toBe(7);
    expect(persisted.map((record) => record.id)).toEqual(items.slice(5).map((item) => item.id));
    expect(resumed.records).toEqual(lmEval.records);
  });

  it("stops at an aborted signal", async () => {
    const items = await loglikelihood("winogrande").loadItems({ path: datasetPath("winogrande/dev.first200.jsonl") });
    const controller = new AbortController();
    controller.abort(new Error("cancelled"));
    await expect(runMultipleChoiceItems(new ToyBackend(), items, { convention: "llama.cpp", signal: controller.signal })).rejects.toThrow("cancelled");
  });
});
