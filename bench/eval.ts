/**
 * npm run bench:eval — HellaSwag items/s on stories260K with 1 thread (our `llama.cpp` convention, in-process,
 * shared-prefix scoring, AIPLUS_EVAL_CONCURRENCY items in flight on as many sequences of one context, default 4)
 * against `llama-perplexity --hellaswag` on the same file in the same run, when a reference build is present
 * (`LLAMA_PERPLEXITY`, else the default output of bench/build-llama-perplexity.sh, i.e.
 * `$LLAMA_CPP_DIR/source/build/bin/llama-perplexity` with LLAMA_CPP_DIR defaulting to ../cache/llama.cpp next to the
 * repository, else `llama-perplexity` on PATH). Without one, the ratio is reported as absent and, clearly labelled,
 * compared with the timing recorded in ../shared/datasets/llamacpp-reference/*.log (WinoGrande: its log records the
 * scoring time; the HellaSwag log does not). Also prints item-level agreement with the recorded fixture (and with the
 * live reference output when there is one).
 * Last line: `eval: hellaswag items/s ours/llama.cpp=… agreement=…%`.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {
  createLocalLoglikelihoodBackend,
  evaluateMultipleChoiceItem,
  getBuiltInTask,
  llamaCppHellaswagOrder,
  parseLlamaPerplexityHellaswag,
  parseLlamaPerplexityWinogrande,
  type LoglikelihoodBackend,
  type MultipleChoiceRecord,
} from "../src/eval/index.js";
import { createRuntime, inspectGguf } from "../src/runtime/index.js";
import { datasetPath } from "../test/eval/support/datasets-path.js";
import { testModelPath } from "../test/support/test-models.js";

const threads = Number(process.env.AIPLUS_THREADS ?? 1);
const concurrency = Number(process.env.AIPLUS_EVAL_CONCURRENCY ?? 4);
const repositoryRoot = path.resolve(import.meta.dirname, "..");
const hellaswagFile = datasetPath("hellaswag", "hellaswag_val_first200.txt");
const winograndeFile = datasetPath("winogrande", "winogrande-debiased-eval.first200.csv");
const referenceFolder = datasetPath("llamacpp-reference");

async function scoreTask(backend: LoglikelihoodBackend, task: string, file: string): Promise<{ records: MultipleChoiceRecord[]; itemsPerSecond: number }> {
  const definition = getBuiltInTask(task);
  if (definition.kind !== "loglikelihood") throw new Error(`${task} is not a log-likelihood task`);
  const items = await definition.loadItems({ path: file });
  const started = performance.now();
  const records: MultipleChoiceRecord[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) {
      records[index] = await evaluateMultipleChoiceItem(backend, items[index]!, { convention: "llama.cpp" });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return { records, itemsPerSecond: items.length / ((performance.now() - started) / 1000) };
}

function findReference(): string | undefined {
  if (process.env.LLAMA_PERPLEXITY) return process.env.LLAMA_PERPLEXITY;
  const built = path.join(process.env.LLAMA_CPP_DIR ?? path.join(repositoryRoot, "..", "cache", "llama.cpp"), "source", "build", "bin", "llama-perplexity");
  if (fs.existsSync(built)) return built;
  for (const folder of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(folder, "llama-perplexity");
    if (folder && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Seconds between llama.cpp log timestamps `M.SS.mmm.uuu` of the first line matching `from` and of `to`. */
function loggedSeconds(log: string, from: RegExp, to: RegExp): number | undefined {
  const stamp = (pattern: RegExp) => {
    const line = log.split("\n").find((candidate) => pattern.test(candidate));
    const match = line ? /^(\d+)\.(\d+)\.(\d+)\.(\d+)/.exec(line) : null;
    return match ? Number(match[1]) * 60 + Number(match[2]) + Number(match[3]) / 1e3 + Number(match[4]) / 1e6 : undefined;
  };
  const start = stamp(from);
  const end = stamp(to);
  return start !== undefined && end !== undefined ? end - start : undefined;
}

const agreementOf = (records: readonly MultipleChoiceRecord[], correct: ReadonlyMap<number, boolean>) =>
  (100 * records.filter((record, index) => (record.metrics.acc === 1) === correct.get(index)).length) / records.length;

const modelPath = await testModelPath("stories260K.gguf");
const runtime = createRuntime({ gpu: "cpu", threads, sequences: Math.max(1, concurrency), idleUnloadSeconds: 0 });
try {
  const backend = createLocalLoglikelihoodBackend(runtime, { name: "stories260K", path: modelPath, kind: "llm", metadata: await inspectGguf(modelPath) });
  await backend.tokenize("warm up", { addBos: true }); // loads the model outside the timing
  const ours = await scoreTask(backend, "hellaswag", hellaswagFile);
  const accuracy = (100 * ours.records.filter((record) => record.metrics.acc === 1).length) / ours.records.length;
  const recorded = parseLlamaPerplexityHellaswag(fs.readFileSync(path.join(referenceFolder, "stories260K.hellaswag.first200.out"), "utf8"), llamaCppHellaswagOrder(200));
  const agreement = agreementOf(ours.records, recorded);
  console.log(`ours: hellaswag 200 items (${concurrency} in flight), ${ours.itemsPerSecond.toFixed(2)} items/s, acc ${accuracy.toFixed(2)}%, agreement with the recorded fixture ${agreement.toFixed(1)}%`);

  const reference = findReference();
  let ratio = "absent";
  if (reference) {
    const started = performance.now();
    const result = spawnSync(reference, ["-m", modelPath, "-f", hellaswagFile, "--hellaswag", "--hellaswag-tasks", "200", "-t", String(threads)], { encoding: "utf8", maxBuffer: 64 << 20 });
    const seconds = (performance.now() - started) / 1000; // includes model load: a few ms for this model
    if (result.status !== 0) throw new Error(`${reference} failed: ${result.stderr.slice(-2000)}`);
    const live = parseLlamaPerplexityHellaswag(result.stdout, llamaCppHellaswagOrder(200));
    const referenceItemsPerSecond = 200 / seconds;
    ratio = (ours.itemsPerSecond / referenceItemsPerSecond).toFixed(2);
    console.log(`llama.cpp: ${reference}: ${referenceItemsPerSecond.toFixed(2)} items/s (process wall clock), agreement with its live output ${agreementOf(ours.records, live).toFixed(1)}%`);
  } else {
    console.log("llama.cpp: reference absent (run bench/build-llama-perplexity.sh, set LLAMA_PERPLEXITY or put llama-perplexity on PATH); the recorded HellaSwag log has no end timestamp");
    const log = fs.readFileSync(path.join(referenceFolder, "stories260K.winogrande.first200.log"), "utf8");
    const seconds = loggedSeconds(log, /calculating winogrande score/, /Final Winogrande score/);
    if (seconds !== undefined) {
      const winogrande = await scoreTask(backend, "winogrande", winograndeFile);
      const lines = parseLlamaPerplexityWinogrande(fs.readFileSync(path.join(referenceFolder, "stories260K.winogrande.first200.out"), "utf8"));
      const winoAgreement = (100 * winogrande.records.filter((record, index) => record.prediction + 1 === lines[index]?.predicted).length) / lines.length;
      console.log(
        `RECORDED (other run, other load; not a same-run comparison): llama-perplexity --winogrande 200 tasks in ${seconds.toFixed(3)} s = ${(200 / seconds).toFixed(1)} items/s; ` +
          `ours now ${winogrande.itemsPerSecond.toFixed(2)} items/s, ratio ${(winogrande.itemsPerSecond / (200 / seconds)).toFixed(2)}, prediction agreement ${winoAgreement.toFixed(1)}%`,
      );
    }
  }
  console.log(`eval: hellaswag items/s ours/llama.cpp=${ratio} agreement=${agreement.toFixed(1)}%`);
} finally {
  await runtime.dispose();
}
