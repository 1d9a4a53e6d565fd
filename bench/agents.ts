/**
 * npm run bench:agents [-- --dataset DIR] [--tokenizer-model PATH.gguf]
 * Grammar coverage of tool calls on the Berkeley Function-Calling Leaderboard data (../shared/datasets/tools, or DIR in
 * the same layout): every function schema must convert to aiplus's tool-call grammar, and every ground-truth call,
 * written as aiplus's wire format `{"name": …, "arguments": {…}}`, must be accepted token by token by llama.cpp's
 * grammar sampler, complete (no sampling; see src/runtime/grammar-acceptance.ts). The reference is node-llama-cpp's own
 * JSON-schema grammar (aiplus's previous path), measured in the same run, as a prefix (generation stops at the first
 * complete JSON value). With --dataset only coverage is measured.
 * Then the agent loop (bench/agents-loop.ts), on a scripted upstream: step_overhead_ms, the p50 per step of a 2-step
 * server-tool run's wall time minus the same two model calls made directly through /v1/chat/completions (target
 * ≤ 2 ms), with the run log's writes per step; resume_ok, 1 when a run killed (kill -9) during its tool call resumed
 * after a restart to an uninterrupted run's transcript with its side effect once, else 0.
 * Last line: `agents: bfcl_grammar_coverage=… step_overhead_ms=… resume_ok=…` (coverage in percent).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getLlama, LlamaLogLevel, type Llama, type LlamaGrammar } from "node-llama-cpp";
import type { ToolDefinition } from "../src/spec/index.js";
import { failuresByFeature, loadBfclDataset, measureGrammarCoverage, type CallFailure, type GrammarCoverageReport, type Tally } from "../src/tools/bfcl/index.js";
import { testModelPath } from "../test/support/test-models.js";
import { measureResume, measureStepOverhead } from "./agents-loop.js";

const argumentsList = process.argv.slice(2);
const option = (name: string) => {
  const index = argumentsList.indexOf(name);
  return index >= 0 ? argumentsList[index + 1] : undefined;
};
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const datasetFolder = option("--dataset") ?? path.resolve(repositoryRoot, "../shared/datasets/tools");
const coverageOnly = option("--dataset") !== undefined;

const percent = (tally: Tally) => (tally.total === 0 ? "NA" : ((100 * tally.accepted) / tally.total).toFixed(1));

/** aiplus's tool-call grammar before src/tools: node-llama-cpp's createGrammarForJsonSchema over the call envelope. */
async function nodeLlamaCppToolCallGrammar(llama: Llama, tools: readonly ToolDefinition[], forcedName?: string): Promise<LlamaGrammar> {
  const candidates = forcedName === undefined ? tools : tools.filter((tool) => tool.name === forcedName);
  const callSchema = (tool: ToolDefinition) => ({ type: "object", properties: { name: { const: tool.name }, arguments: tool.parameters }, required: ["name", "arguments"] });
  return llama.createGrammarForJsonSchema((candidates.length === 1 ? callSchema(candidates[0]!) : { oneOf: candidates.map(callSchema) }) as never);
}

function printFailures(title: string, failures: readonly CallFailure[]): void {
  if (failures.length === 0) return;
  console.log(`  ${title} by feature (calls whose rejected argument has the feature):`);
  for (const [feature, ids] of failuresByFeature(failures)) console.log(`    ${feature}: ${ids.length} (${[...new Set(ids)].slice(0, 6).join(", ")}${ids.length > 6 ? ", …" : ""})`);
}

function printReport(label: string, report: GrammarCoverageReport, details: boolean): void {
  console.log(`${label}: schemas converted ${report.schemas.accepted}/${report.schemas.total}, calls accepted ${report.calls.accepted}/${report.calls.total} (${percent(report.calls)}%)`);
  for (const [category, tally] of Object.entries(report.calls.categories)) console.log(`  ${category}: ${tally.accepted}/${tally.total}`);
  for (const failure of report.schemas.failures.slice(0, 10)) console.log(`  schema ${failure.id} ${failure.toolName}: ${failure.message}`);
  printFailures("rejections", report.calls.failures);
  if (!details) return;
  for (const failure of report.calls.failures.slice(0, 10)) console.log(`  ${failure.id}: ${failure.reason}: ${failure.text}`);
  const { filled, spaced, alternatives } = report.extra;
  console.log(`  extra: optional parameters filled in ${filled.accepted}/${filled.total}, json.dumps spacing ${spaced.accepted}/${spaced.total}, other alternatives ${alternatives.accepted}/${alternatives.total}`);
  for (const failure of filled.failures) console.log(`    filled ${failure.id}: ${failure.reason}: ${failure.text}`);
  for (const failure of alternatives.failures) console.log(`    alternative ${failure.id} ${failure.parameter}=${JSON.stringify(failure.alternative)}: ${failure.reason}`);
  console.log(`  dotted function names: ${report.dottedNames.names} (OpenAI-style "." → "_" collisions: ${report.dottedNames.collisions.length})`);
  const features = Object.entries(report.features).sort((first, second) => second[1].calls - first[1].calls);
  console.log(`  features exercised (calls/rejected): ${features.map(([feature, tally]) => `${feature} ${tally.calls}/${tally.rejected}`).join("; ")}`);
}

async function main(): Promise<void> {
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
  const tokenizerPath = option("--tokenizer-model") ?? (await testModelPath("llama-2-tiny-random.gguf"));
  const model = await llama.loadModel({ modelPath: tokenizerPath, gpuLayers: 0 });
  try {
    const categories = loadBfclDataset(datasetFolder);
    console.log(`agents: grammar coverage of ${datasetFolder} (tokenizer of ${path.basename(tokenizerPath)})`);
    const report = await measureGrammarCoverage({ llama, model, categories });
    printReport("aiplus tool-call grammar", report, true);
    const coverage = percent(report.calls);
    if (coverageOnly) {
      console.log(`agents: bfcl_grammar_coverage=${coverage}`);
      return;
    }
    const reference = await measureGrammarCoverage({ llama, model, categories, extraChecks: false, requireComplete: false, grammarFor: nodeLlamaCppToolCallGrammar });
    printReport("reference: node-llama-cpp createGrammarForJsonSchema", reference, false);
    const overhead = await measureStepOverhead(200);
    console.log(
      `agent loop: ${overhead.iterations} runs of 2 steps: run p50 ${overhead.runMs.toFixed(2)} ms, direct chat calls p50 ${overhead.directMs.toFixed(2)} ms, ` +
        `overhead p50 ${overhead.overheadMs.toFixed(2)} ms per step (target ≤ 2; CPU time ${overhead.cpuOverheadMs.toFixed(2)} ms), log writes per step ${overhead.logWritesPerStep.toFixed(1)}`,
    );
    const resume = await measureResume();
    console.log(`resume after kill -9 during a tool call: ${resume.detail}`);
    console.log(`agents: bfcl_grammar_coverage=${coverage} step_overhead_ms=${overhead.overheadMs.toFixed(2)} resume_ok=${resume.ok ? 1 : 0}`);
  } finally {
    await model.dispose();
    await llama.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:agents: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
