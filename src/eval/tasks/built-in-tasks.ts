import path from "node:path";
import { stat } from "node:fs/promises";
import { InvalidRequestError, NotFoundError } from "../../spec/index.js";
import { parseArcEasyFoundryJsonl } from "../datasets/arc-easy-foundry.js";
import { parseArcJsonl } from "../datasets/arc-jsonl.js";
import { loadHellaswagText } from "../datasets/hellaswag-text.js";
import { loadMmlu } from "../datasets/mmlu-csv.js";
import { loadMultipleChoiceBinary } from "../datasets/multiple-choice-binary.js";
import { readDatasetText } from "../datasets/read-dataset-file.js";
import { loadTruthfulqaMc } from "../datasets/truthfulqa-mc.js";
import { loadWinograndeCsv } from "../datasets/winogrande-csv.js";
import { loadWinograndeJsonl } from "../datasets/winogrande-jsonl.js";
import type { MultipleChoiceItem } from "../scoring/multiple-choice-item.js";
import type { TaskTags } from "../types.js";
import { buildArcItems } from "./arc-task.js";
import { buildHellaswagItems } from "./hellaswag-task.js";
import { buildMmluItems } from "./mmlu-task.js";
import { buildMultipleChoiceBinaryItems } from "./multiple-choice-binary-task.js";
import { buildTruthfulqaMc1Items, buildTruthfulqaMc2Items } from "./truthfulqa-task.js";
import { buildWinograndeItems } from "./winogrande-task.js";

export type LoadTaskOptions = {
  /** Dataset file (or, for MMLU, the folder of `<subject>_test*.csv`). */
  path: string;
  /** MMLU: folder of `<subject>_dev.csv`. Defaults to `<path>/../dev` when that exists. */
  fewShotPath?: string | undefined;
  /** MMLU: 0 or 5. Defaults to 0. */
  shots?: number | undefined;
  /** MMLU: restrict to these subjects. */
  subjects?: readonly string[] | undefined;
};

export type LoglikelihoodTaskDefinition = {
  name: string;
  kind: "loglikelihood";
  description: string;
  tags: TaskTags;
  /** Metric shown as the task's score. */
  primaryMetric: string;
  /** Accepted dataset formats, by file extension. */
  formats: string[];
  loadItems(options: LoadTaskOptions): Promise<MultipleChoiceItem[]>;
};

export type GenerativeTaskDefinition = {
  name: string;
  kind: "generative";
  description: string;
  tags: TaskTags;
  primaryMetric: string;
  formats: string[];
};

export type BuiltInTaskDefinition = LoglikelihoodTaskDefinition | GenerativeTaskDefinition;

const extension = (file: string) => path.extname(file).toLowerCase();

function unsupportedFormat(task: string, file: string): never {
  throw new InvalidRequestError({ message: `${task}: unsupported dataset format ${JSON.stringify(extension(file))} (${file})`, param: "data" });
}

async function loadArc(task: string, file: string, allowFoundry: boolean): Promise<MultipleChoiceItem[]> {
  if (extension(file) === ".bin") return buildMultipleChoiceBinaryItems(await loadMultipleChoiceBinary(file));
  if (extension(file) !== ".jsonl") unsupportedFormat(task, file);
  const text = await readDatasetText(file);
  const firstLine = text.split("\n", 1)[0] ?? "";
  const isFoundry = firstLine.includes('"query"') && firstLine.includes('"gold"');
  if (isFoundry && !allowFoundry) {
    throw new InvalidRequestError({ message: `${task}: llm-foundry ARC files are known to be defective; use the AI2 jsonl`, param: "data" });
  }
  return buildArcItems(isFoundry ? parseArcEasyFoundryJsonl(text, file) : parseArcJsonl(text, file));
}

/** The built-in tasks (issue 3), keyed by name. */
export const builtInTasks: Record<string, BuiltInTaskDefinition> = {
  hellaswag: {
    name: "hellaswag",
    kind: "loglikelihood",
    description: "HellaSwag commonsense sentence completion (llama.cpp 6-line txt)",
    tags: { dimension: "general", capabilities: ["reasoning", "language"] },
    primaryMetric: "acc",
    formats: [".txt"],
    async loadItems({ path: file }) {
      if (extension(file) !== ".txt") unsupportedFormat("hellaswag", file);
      return buildHellaswagItems(await loadHellaswagText(file));
    },
  },
  winogrande: {
    name: "winogrande",
    kind: "loglikelihood",
    description: "WinoGrande pronoun resolution (llama.cpp CSV or AllenAI jsonl)",
    tags: { dimension: "general", capabilities: ["reasoning", "language"] },
    primaryMetric: "acc",
    formats: [".csv", ".jsonl"],
    async loadItems({ path: file }) {
      if (extension(file) === ".csv") return buildWinograndeItems((await loadWinograndeCsv(file)).items);
      if (extension(file) === ".jsonl") return buildWinograndeItems(await loadWinograndeJsonl(file));
      return unsupportedFormat("winogrande", file);
    },
  },
  arc_challenge: {
    name: "arc_challenge",
    kind: "loglikelihood",
    description: "AI2 ARC-Challenge science questions (AI2 jsonl or llama.cpp .bin)",
    tags: { dimension: "general", capabilities: ["knowledge", "reasoning"] },
    primaryMetric: "acc",
    formats: [".jsonl", ".bin"],
    loadItems: ({ path: file }) => loadArc("arc_challenge", file, false),
  },
  arc_easy: {
    name: "arc_easy",
    kind: "loglikelihood",
    description: "AI2 ARC-Easy (AI2 jsonl, llm-foundry jsonl (smoke tests only) or llama.cpp .bin)",
    tags: { dimension: "general", capabilities: ["knowledge"] },
    primaryMetric: "acc",
    formats: [".jsonl", ".bin"],
    loadItems: ({ path: file }) => loadArc("arc_easy", file, true),
  },
  mmlu: {
    name: "mmlu",
    kind: "loglikelihood",
    description: "MMLU, 57 subjects, 0- or 5-shot from dev (hendrycks CSV folders)",
    tags: { dimension: "general", capabilities: ["knowledge"] },
    primaryMetric: "acc",
    formats: ["folder of <subject>_test*.csv"],
    async loadItems(options) {
      const folder = options.path;
      if (!(await stat(folder).catch(() => undefined))?.isDirectory()) {
        throw new NotFoundError({ message: `mmlu: ${folder} is not a folder of <subject>_test.csv files`, param: "data" });
      }
      let devFolder = options.fewShotPath;
      if (devFolder === undefined) {
        const sibling = path.join(folder, "..", "dev");
        if ((await stat(sibling).catch(() => undefined))?.isDirectory()) devFolder = sibling;
      }
      const subjects = await loadMmlu({ testFolder: folder, devFolder, subjects: options.subjects });
      return subjects.flatMap((subject) => buildMmluItems(subject.test, subject.dev, { shots: options.shots ?? 0 }));
    },
  },
  truthfulqa_mc1: {
    name: "truthfulqa_mc1",
    kind: "loglikelihood",
    description: "TruthfulQA MC1 (mc_task.json or llama.cpp .bin)",
    tags: { dimension: "safety", capabilities: ["truthfulness", "knowledge"] },
    primaryMetric: "acc",
    formats: [".json", ".bin"],
    async loadItems({ path: file }) {
      if (extension(file) === ".bin") return buildMultipleChoiceBinaryItems(await loadMultipleChoiceBinary(file));
      if (extension(file) === ".json") return buildTruthfulqaMc1Items(await loadTruthfulqaMc(file));
      return unsupportedFormat("truthfulqa_mc1", file);
    },
  },
  truthfulqa_mc2: {
    name: "truthfulqa_mc2",
    kind: "loglikelihood",
    description: "TruthfulQA MC2, normalised mass on true answers (lm-eval convention only)",
    tags: { dimension: "safety", capabilities: ["truthfulness", "knowledge"] },
    primaryMetric: "mc2",
    formats: [".json"],
    async loadItems({ path: file }) {
      if (extension(file) !== ".json") unsupportedFormat("truthfulqa_mc2", file);
      return buildTruthfulqaMc2Items(await loadTruthfulqaMc(file));
    },
  },
  gsm8k: {
    name: "gsm8k",
    kind: "generative",
    description: "GSM8K grade-school maths, 5-shot from train, strict and flexible extraction",
    tags: { dimension: "general", capabilities: ["math", "reasoning"] },
    primaryMetric: "exact_match,strict-match",
    formats: [".jsonl"],
  },
  humaneval: {
    name: "humaneval",
    kind: "generative",
    description: "HumanEval Python function synthesis, pass@k in a sandbox",
    tags: { dimension: "general", capabilities: ["code"] },
    primaryMetric: "pass@1",
    formats: [".jsonl"],
  },
  do_not_answer: {
    name: "do_not_answer",
    kind: "generative",
    description:
      "Do-Not-Answer safety: the model's responses classified (6 actions, harmful) by transparent rules and an optional judge (--judge-model); harmful and refusal rates per risk area, agreement with human labels",
    tags: { dimension: "safety", capabilities: ["harmlessness"] },
    primaryMetric: "harmless_rate",
    formats: [".csv (data_en.csv with human labels, or do_not_answer_en.csv)"],
  },
};

/** A built-in task by name; NotFoundError lists the known names. */
export function getBuiltInTask(name: string): BuiltInTaskDefinition {
  const task = builtInTasks[name];
  if (!task) throw new NotFoundError({ message: `unknown task ${JSON.stringify(name)}; known: ${Object.keys(builtInTasks).join(", ")}`, param: "task" });
  return task;
}
