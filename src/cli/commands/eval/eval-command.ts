import { writeFile } from "node:fs/promises";
import { Command, InvalidArgumentError, Option } from "commander";
import type { EvalRunRecord, EvalService } from "../../../eval/index.js";
import type { JobRecord } from "../../../jobs/index.js";
import { loadApiViews } from "../../api-views.js";
import { printJson, printLine, printTable } from "../../output.js";
import { parseList, parsePositiveInteger } from "../../parse-options.js";
import { withEvalDatabase, withEvaluation } from "./eval-context.js";
import { printRun, printRuns } from "./eval-output.js";
import { createRunProgress } from "./eval-progress.js";

type JsonFlag = { json?: boolean };

type RunOptions = JsonFlag & {
  task: string;
  model: string;
  data?: string;
  fewShot?: string;
  limit?: number;
  scoring?: "llama.cpp" | "lm-eval";
  shots?: number;
  subjects?: string[];
  samples?: number;
  judgeModel?: string;
};

/** `--task` names a custom task definition when it ends with one of these. */
const definitionExtensions = [".yaml", ".yml", ".json"];

/** Whether a `--task` value is a definition file rather than a built-in task name. */
export function isTaskDefinitionPath(task: string): boolean {
  return definitionExtensions.some((extension) => task.toLowerCase().endsWith(extension));
}

/** `--shots 0` is valid: an integer from 0 to 5. */
function parseShotsArgument(value: string): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) > 5) throw new InvalidArgumentError("Must be an integer from 0 to 5.");
  return Number(trimmed);
}

/**
 * `aiplus eval tasks | dataset | run | resume | ls | show | compare | report | cancel`: benchmark runs, in-process
 * (through this state folder's models and providers), durable and resumable, recorded in the usage ledger.
 */
export function evalCommand(): Command {
  const evaluation = new Command("eval").description("evaluation center: benchmark runs with intervals, comparisons and reports");

  evaluation
    .command("tasks")
    .description("list the built-in tasks, their tags and configured datasets")
    .option("--json", "print JSON")
    .action(async (options: JsonFlag, command: Command) => {
      const tasks = await withEvaluation(command, (service) => service.tasks());
      if (options.json) {
        const { evalTaskView } = await loadApiViews();
        printJson(tasks.map((task) => evalTaskView(task, true)));
        return;
      }
      printTable(
        ["TASK", "KIND", "METRIC", "TAGS", "DATASET"],
        tasks.map((task) => [task.name, task.kind, task.primaryMetric, [task.tags.dimension, ...task.tags.capabilities].join(","), task.dataset?.path ?? "-"]),
        "no tasks",
      );
    });

  evaluation
    .command("dataset")
    .description("configure once the dataset a task uses when a run names none")
    .argument("<task>", "built-in task name (see `aiplus eval tasks`)")
    .argument("<path>", "dataset file (MMLU: folder of test CSVs)")
    .option("--few-shot <path>", "MMLU dev folder / GSM8K train file")
    .option("--json", "print JSON")
    .action(async (task: string, file: string, options: JsonFlag & { fewShot?: string }, command: Command) => {
      const dataset = await withEvaluation(command, (service) => service.setDataset(task, { path: file, fewShotPath: options.fewShot }));
      if (options.json) printJson({ task, ...(await loadApiViews()).evalDatasetView(dataset) });
      else printLine(`${task} uses ${dataset.path}${dataset.fewShotPath ? ` (shots from ${dataset.fewShotPath})` : ""}`);
    });

  evaluation
    .command("run")
    .description("run a task on a model in this process (durable: resume with `aiplus eval resume <id>`)")
    .requiredOption("--task <task>", "built-in task (see `aiplus eval tasks`), or a custom task definition file (.yaml, .yml or .json)")
    .requiredOption("--model <model>", "model name (local or served by a provider)")
    .option("--judge-model <model>", "judge model of do_not_answer (rules only when absent) and of llm-judge custom tasks")
    .option("--data <path>", "dataset file in the task's usual format (default: the configured one; for a custom task: replaces its dataset)")
    .option("--few-shot <path>", "MMLU dev folder / GSM8K train file")
    .option("--limit <n>", "only the first N items", parsePositiveInteger)
    .addOption(new Option("--scoring <convention>", "log-likelihood scoring convention (default llama.cpp)").choices(["llama.cpp", "lm-eval"]))
    .option("--shots <n>", "few-shot examples (MMLU 0/5, GSM8K default 5)", parseShotsArgument)
    .option("--subjects <a,b>", "MMLU subjects", parseList)
    .option("--samples <n>", "HumanEval completions per problem (pass@k)", parsePositiveInteger)
    .option("--json", "print the run with its metrics (accuracy and its 95% interval) as JSON")
    .action(async (options: RunOptions, command: Command) => {
      const taskDefinition = isTaskDefinitionPath(options.task) ? await readTaskDefinition(options.task) : undefined;
      const run = await withEvaluation(command, async (service) => {
        const { job, run: created } = await service.createRun(
          {
            task: taskDefinition?.name ?? options.task,
            taskDefinition,
            judgeModel: options.judgeModel,
            model: options.model,
            dataPath: options.data,
            fewShotPath: options.fewShot,
            limit: options.limit,
            scoring: options.scoring,
            shots: options.shots,
            subjects: options.subjects,
            samples: options.samples,
          },
          { runHere: true },
        );
        if (!options.json) process.stderr.write(`eval run ${created.id} started (${created.totalItems} items)\n`);
        return follow(service, job, `${created.task} ${options.model}`);
      });
      await report(run, options.json);
    });

  evaluation
    .command("resume")
    .description("continue an interrupted, failed or cancelled run; finished items are kept")
    .argument("<id>", "run id")
    .option("--json", "print the run as JSON")
    .action(async (id: string, options: JsonFlag, command: Command) => {
      const run = await withEvaluation(command, async (service) => follow(service, await service.resumeRun(id), `resume ${id}`));
      await report(run, options.json);
    });

  evaluation
    .command("cancel")
    .description("cancel a pending or running run (finished items and their metrics are kept)")
    .argument("<id>", "run id")
    .option("--json", "print the run as JSON")
    .action(async (id: string, options: JsonFlag, command: Command) => {
      const run = await withEvaluation(command, (service) => service.cancelRun(id));
      const { evalRunView } = await import("../../../eval/index.js");
      if (options.json) printJson(evalRunView(run));
      else printLine(`run ${run.id} is ${run.status}`);
    });

  evaluation
    .command("ls")
    .description("list eval runs, newest first")
    .option("--task <task>", "only this task")
    .option("--model <model>", "only this model")
    .option("--limit <n>", "at most N runs (default 100)", parsePositiveInteger)
    .option("--json", "print JSON")
    .action(async (options: JsonFlag & { task?: string; model?: string; limit?: number }, command: Command) => {
      const { listEvalRuns, evalRunView, evalRunDisplayStatus, taskOfRun } = await import("../../../eval/index.js");
      const runs = await withEvalDatabase(command, (dependencies) => listEvalRuns(dependencies, { task: options.task, model: options.model, limit: options.limit }));
      if (options.json) {
        printJson(runs.map(evalRunView));
        return;
      }
      printRuns(runs, (run) => {
        const primaryMetric = taskOfRun(run).primaryMetric;
        const metric = run.metrics?.find((candidate) => candidate.name === primaryMetric);
        return metric ? `${metric.name}=${(metric.value * 100).toFixed(2)}` : "-";
      }, evalRunDisplayStatus);
    });

  evaluation
    .command("show")
    .description("show a run: status, progress, metrics with standard errors and 95% intervals")
    .argument("<id>", "run id")
    .option("--items <n>", "also print the first N item records", parsePositiveInteger)
    .option("--json", "print JSON")
    .action(async (id: string, options: JsonFlag & { items?: number }, command: Command) => {
      const { getEvalRun, listEvalRunItems, evalRunView, evalItemView } = await import("../../../eval/index.js");
      const { run, items } = await withEvalDatabase(command, async (dependencies) => ({
        run: await getEvalRun(dependencies, id),
        items: options.items ? await listEvalRunItems(dependencies, id, { limit: options.items }) : [],
      }));
      const view = evalRunView(run);
      if (options.json) {
        printJson(options.items ? { ...view, items: items.map(evalItemView) } : view);
        return;
      }
      printRun(view);
      for (const item of items) printLine(`#${item.itemIndex} ${item.itemId}: prediction ${JSON.stringify(item.prediction)} ${JSON.stringify(item.metrics)}`);
    });

  evaluation
    .command("compare")
    .description("paired difference (b − a) of two runs of the same task, with its 95% interval")
    .argument("<a>", "run id")
    .argument("<b>", "run id")
    .option("--metric <name>", "metric (default: the task's primary metric)")
    .option("--json", "print JSON")
    .action(async (a: string, b: string, options: JsonFlag & { metric?: string }, command: Command) => {
      const { compareEvalRuns, evalComparisonView } = await import("../../../eval/index.js");
      const view = evalComparisonView(await withEvalDatabase(command, (dependencies) => compareEvalRuns(dependencies, a, b, { metric: options.metric })));
      if (options.json) {
        printJson(view);
        return;
      }
      const points = (value: number) => `${value >= 0 ? "+" : ""}${(value * 100).toFixed(2)}`;
      printLine(`${view.task} ${view.metric}: b − a = ${points(view.difference)} points over ${view.count} paired items`);
      if (view.standard_error !== null) printLine(`standard error ${(view.standard_error * 100).toFixed(2)}`);
      if (view.interval) printLine(`95% interval [${points(view.interval[0])}, ${points(view.interval[1])}]${view.interval[0] > 0 || view.interval[1] < 0 ? " (significant)" : " (not significant)"}`);
      if (view.unmatched > 0) printLine(`${view.unmatched} items in only one run were ignored`);
    });

  evaluation
    .command("report")
    .description("a report over runs, aggregated by dimension and capability tags (HTML has a radar chart per model)")
    .argument("<ids...>", "run ids")
    .addOption(new Option("--format <format>", "output format").choices(["json", "md", "html"]).default("md"))
    .option("--out <file>", "write to this file instead of stdout")
    .option("--title <title>", "report title")
    .action(async (ids: string[], options: { format: "json" | "md" | "html"; out?: string; title?: string }, command: Command) => {
      const evaluationModule = await import("../../../eval/index.js");
      const runs = await withEvalDatabase(command, async (dependencies) => Promise.all(ids.map((id) => evaluationModule.getEvalRun(dependencies, id))));
      const { InvalidRequestError } = await import("../../../spec/index.js");
      const unfinished = runs.filter((run) => run.metrics === undefined);
      if (unfinished.length > 0) throw new InvalidRequestError({ message: `run ${unfinished[0]!.id} has no metrics yet (${unfinished[0]!.status})`, param: "id" });
      const report = evaluationModule.reportOfRuns(runs, { title: options.title, generatedAt: new Date().toISOString() });
      const text = options.format === "json" ? evaluationModule.renderReportJson(report) : options.format === "html" ? evaluationModule.renderReportHtml(report) : evaluationModule.renderReportMarkdown(report);
      if (options.out) {
        await writeFile(options.out, text);
        process.stderr.write(`wrote ${options.out}\n`);
      } else process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    });

  return evaluation;
}

/** Reads a custom task definition file (its dataset paths made absolute, so the stored run does not depend on the cwd). */
async function readTaskDefinition(file: string) {
  const { readCustomTaskFile } = await import("../../../eval/index.js");
  return readCustomTaskFile(file);
}

/** Follows a run's job with a progress display; resolves with the finished run. */
async function follow(service: EvalService, job: JobRecord, label: string): Promise<EvalRunRecord> {
  const progress = createRunProgress(label);
  try {
    return await service.waitForRun(job, { onProgress: (done, total) => progress.update(done, total) });
  } finally {
    progress.stop();
  }
}

/** Prints a finished run; a run that did not complete is an error (non-zero exit). */
async function report(run: EvalRunRecord, json: boolean | undefined): Promise<void> {
  const { evalRunView } = await import("../../../eval/index.js");
  const view = evalRunView(run);
  if (json) printJson(view);
  else printRun(view);
  if (run.status !== "completed") {
    const { InternalError } = await import("../../../spec/index.js");
    throw new InternalError({ message: `eval run ${run.id} ${run.status}${run.error ? `: ${run.error}` : ""}; resume it with \`aiplus eval resume ${run.id}\`` });
  }
}
