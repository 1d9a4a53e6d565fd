/**
 * npm run bench:eval — HellaSwag, first 200 tasks, llama.cpp convention, 1 thread (AIPLUS_THREADS), on stories260K
 * (512-token vocabulary) and llama-2-tiny-random (32,000-token vocabulary): aiplus's log-likelihood evaluation on the
 * native scorer (bin/aiplus-score; AIPLUS_EVAL_CONCURRENCY items in flight, default an eval run's: 32 on it) against `llama-perplexity
 * --hellaswag` from the same native build (scripts/build-native.sh; AIPLUS_NATIVE_DIR, default
 * ~/.cache/aiplus/native). Both timings are wall clock including model load: ours from creating the runtime to
 * disposing it (worker start, model load, tokenization, scoring, worker exit; the model's registry metadata is read
 * before, as `models add` does once), llama-perplexity's from spawn to exit. Item
 * agreement is counted against llama-perplexity's live output of the same run (and, as a check, against the recorded
 * outputs in ../shared/datasets/llamacpp-reference).
 * Last line: `eval: hellaswag ours/llama.cpp vocab512=… vocab32k=… agreement=…%` (ratio = llama.cpp seconds / ours,
 * so ≥ 1.0 means we are at least as fast).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createLocalLoglikelihoodBackend,
  evaluateMultipleChoiceItem,
  getBuiltInTask,
  llamaCppHellaswagOrder,
  parseLlamaPerplexityHellaswag,
  type LoglikelihoodBackend,
  type MultipleChoiceRecord,
} from "../src/eval/index.js";
import { createRuntime, inspectGguf } from "../src/runtime/index.js";
import { nativeScorerPath } from "../src/runtime/native-score/index.js";
import { datasetPath } from "../test/eval/support/datasets-path.js";
import { testModelPath, type TestModelFile } from "../test/support/test-models.js";

const threads = Number(process.env.AIPLUS_THREADS ?? 1);
/** Items in flight: AIPLUS_EVAL_CONCURRENCY, else what an eval run uses by default (the backend's `itemsInFlight`). */
const configuredConcurrency = process.env.AIPLUS_EVAL_CONCURRENCY === undefined ? undefined : Number(process.env.AIPLUS_EVAL_CONCURRENCY);
let concurrency = configuredConcurrency ?? 1;
const taskCount = 200;
const hellaswagFile = datasetPath("hellaswag", "hellaswag_val_first200.txt");
const referenceFolder = datasetPath("llamacpp-reference");
const nativeDirectory = process.env.AIPLUS_NATIVE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "aiplus", "native");

const scorerBinary = nativeScorerPath("native", nativeDirectory);
const perplexityBinary = process.env.LLAMA_PERPLEXITY ?? path.join(nativeDirectory, "bin", "llama-perplexity");
if (!scorerBinary || !fs.existsSync(perplexityBinary)) {
  console.error(`bench:eval needs the native build in ${nativeDirectory} (bin/aiplus-score and bin/llama-perplexity): run scripts/build-native.sh`);
  process.exit(1);
}

async function scoreHellaswag(backend: LoglikelihoodBackend): Promise<MultipleChoiceRecord[]> {
  concurrency = configuredConcurrency ?? backend.itemsInFlight ?? 1;
  const definition = getBuiltInTask("hellaswag");
  if (definition.kind !== "loglikelihood") throw new Error("hellaswag is not a log-likelihood task");
  const items = (await definition.loadItems({ path: hellaswagFile })).slice(0, taskCount);
  const records: MultipleChoiceRecord[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) {
      records[index] = await evaluateMultipleChoiceItem(backend, items[index]!, { convention: "llama.cpp" });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return records;
}

/** aiplus on the native scorer, wall clock from runtime creation to disposal. */
async function ours(file: TestModelFile): Promise<{ seconds: number; records: MultipleChoiceRecord[] }> {
  const modelPath = await testModelPath(file);
  // The registry's metadata, as `aiplus models add` recorded it once (an eval run reads it, it never re-inspects).
  const metadata = await inspectGguf(modelPath);
  const started = performance.now();
  const runtime = createRuntime({ gpu: "cpu", threads, sequences: 4, idleUnloadSeconds: 0, nativeScorerPath: scorerBinary });
  try {
    const name = path.basename(file, ".gguf");
    const backend = createLocalLoglikelihoodBackend(runtime, { name, path: modelPath, kind: "llm", metadata });
    const records = await scoreHellaswag(backend);
    await runtime.dispose();
    return { seconds: (performance.now() - started) / 1000, records };
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
}

/** `llama-perplexity --hellaswag` of the same build, process wall clock. */
function llamaCpp(file: TestModelFile, modelPath: string): { seconds: number; correct: Map<number, boolean> } {
  const started = performance.now();
  const result = spawnSync(perplexityBinary, ["-m", modelPath, "-f", hellaswagFile, "--hellaswag", "--hellaswag-tasks", String(taskCount), "-t", String(threads)], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${perplexityBinary} failed on ${file}: ${result.stderr.slice(-2000)}`);
  return { seconds, correct: parseLlamaPerplexityHellaswag(result.stdout, llamaCppHellaswagOrder(taskCount)) };
}

const agreeing = (records: readonly MultipleChoiceRecord[], correct: ReadonlyMap<number, boolean>) =>
  records.filter((record, index) => (record.metrics.acc === 1) === correct.get(index)).length;

const models: { file: TestModelFile; label: string }[] = [
  { file: "stories260K.gguf", label: "vocab512" },
  { file: "llama-2-tiny-random.gguf", label: "vocab32k" },
];
const ratios: string[] = [];
let agreed = 0;
let compared = 0;
for (const { file, label } of models) {
  const modelPath = await testModelPath(file);
  const mine = await ours(file);
  const theirs = llamaCpp(file, modelPath);
  const live = agreeing(mine.records, theirs.correct);
  const recordedFile = path.join(referenceFolder, `${path.basename(file, ".gguf")}.hellaswag.first200.out`);
  const recorded = fs.existsSync(recordedFile) ? agreeing(mine.records, parseLlamaPerplexityHellaswag(fs.readFileSync(recordedFile, "utf8"), llamaCppHellaswagOrder(taskCount))) : undefined;
  const accuracy = (100 * mine.records.filter((record) => record.metrics.acc === 1).length) / mine.records.length;
  agreed += live;
  compared += mine.records.length;
  const ratio = theirs.seconds / mine.seconds;
  ratios.push(`${label}=${ratio.toFixed(2)}`);
  console.log(
    `${file} (${label}): ours ${mine.seconds.toFixed(2)} s (native scorer, ${concurrency} items in flight, acc ${accuracy.toFixed(2)}%), ` +
      `llama-perplexity ${theirs.seconds.toFixed(2)} s, ratio ${ratio.toFixed(2)}; agreement ${live}/${mine.records.length} live` +
      (recorded !== undefined ? `, ${recorded}/${mine.records.length} with the recorded output` : ""),
  );
}
console.log(`eval: hellaswag ours/llama.cpp ${ratios.join(" ")} agreement=${((100 * agreed) / compared).toFixed(1)}%`);
