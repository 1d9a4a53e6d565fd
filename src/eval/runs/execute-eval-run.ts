import { InvalidRequestError } from "../../spec/index.js";
import { summarizeRecords } from "../scoring/run-multiple-choice-items.js";
import { createEvalItemRepository, type EvalItemRecord } from "../store/eval-item-repository.js";
import { createEvalRunRepository, type EvalRunRecord, type EvalRunStatus } from "../store/eval-run-repository.js";
import type { EvalRunDependencies, ExecuteEvalRunOptions } from "./eval-run-dependencies.js";
import { type EvalRunRequest, evalRunRequestSchema } from "./eval-run-request.js";
import { createEvalRun } from "./eval-runs.js";
import { loadRunPlan, type RunItem } from "./run-plan.js";

/** The final run, and which items this execution scored (a resumed run scores only the missing ones). */
export type EvalRunExecution = { run: EvalRunRecord; computedItems: number[] };

/** Creates a run and executes it to the end (completed, failed or cancelled). */
export async function startEvalRun(dependencies: EvalRunDependencies, request: EvalRunRequest, options: ExecuteEvalRunOptions = {}): Promise<EvalRunExecution> {
  const run = await createEvalRun(dependencies, request);
  return executeEvalRun(dependencies, run.id, ["pending"], options);
}

/**
 * Continues a run that was interrupted (its process killed: still `running`), failed, cancelled or never started:
 * items already stored are kept and not recomputed. Do not resume a run that another live process is executing.
 */
export function resumeEvalRun(dependencies: EvalRunDependencies, id: string, options: ExecuteEvalRunOptions = {}): Promise<EvalRunExecution> {
  return executeEvalRun(dependencies, id, ["pending", "running", "failed", "cancelled"], options);
}

async function executeEvalRun(
  dependencies: EvalRunDependencies,
  id: string,
  claimable: readonly EvalRunStatus[],
  options: ExecuteEvalRunOptions,
): Promise<EvalRunExecution> {
  const now = dependencies.now ?? Date.now;
  const runs = createEvalRunRepository(dependencies.database);
  const itemsRepository = createEvalItemRepository(dependencies.database);
  const run = await runs.get(id);
  if (!run) throw new InvalidRequestError({ message: `no eval run ${id}`, param: "id", code: "run_not_found" });
  if (!(await runs.transition(id, claimable, "running", now()))) {
    throw new InvalidRequestError({ message: `eval run ${id} is ${run.status}; it cannot be ${claimable.length === 1 ? "started" : "resumed"}`, param: "id", code: "run_not_resumable" });
  }
  const computedItems: number[] = [];
  const stored: EvalItemRecord[] = [];
  const pending: EvalItemRecord[] = [];
  let stoppedElsewhere = false;
  const flush = async (): Promise<void> => {
    const batch = pending.splice(0);
    await dependencies.database.db.transaction().execute(async (transaction) => {
      await createEvalItemRepository({ db: transaction }).insertMany(batch);
      const running = await createEvalRunRepository({ db: transaction }).recordProgress(id, { doneItems: stored.length + batch.length, at: now() });
      if (!running) stoppedElsewhere = true;
    });
    stored.push(...batch);
  };
  try {
    const request = evalRunRequestSchema.parse(run.config);
    const plan = await loadRunPlan((await dependencies.datasetPaths?.(request)) ?? request);
    const total = plan.items.length;
    stored.push(...(await itemsRepository.list(id)));
    for (const item of stored) {
      if (plan.items[item.itemIndex]?.id !== item.itemId) {
        throw new InvalidRequestError({ message: `the dataset of run ${id} changed: item ${item.itemIndex} was ${item.itemId}`, param: "data", code: "dataset_changed" });
      }
    }
    const execute = async <Backend extends { description: string; itemsInFlight?: number | undefined }>(items: RunItem<Backend>[], backend: Backend): Promise<void> => {
      await runs.recordProgress(id, { doneItems: stored.length, totalItems: total, backend: backend.description, at: now() });
      const done = new Set(stored.map((item) => item.itemIndex));
      const queue = items.map((_, index) => index).filter((index) => !done.has(index));
      const commitEvery = Math.max(1, options.commitEvery ?? 4);
      let finished = stored.length;
      const worker = async (): Promise<void> => {
        for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
          if (options.signal?.aborted || stoppedElsewhere) return;
          const item = items[index]!;
          const outcome = await item.evaluate(backend, options.signal);
          computedItems.push(index);
          pending.push({ runId: id, itemIndex: index, itemId: item.id, ...outcome, createdAt: now() });
          finished += 1;
          options.onProgress?.(finished, total);
          if (pending.length >= commitEvery) await flush();
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? backend.itemsInFlight ?? 1) }, worker));
    };
    switch (plan.kind) {
      case "loglikelihood":
        await execute(plan.items, await dependencies.loglikelihoodBackend(run.model, run));
        break;
      case "generative": {
        if (!dependencies.generationBackend) {
          throw new InvalidRequestError({ message: `task ${run.task} is generative and this executor has no generation backend`, param: "task", code: "unsupported_task" });
        }
        await execute(plan.items, await dependencies.generationBackend(run.model, run));
        break;
      }
      case "judged": {
        const generationBackend = dependencies.generationBackend;
        if (!generationBackend) {
          throw new InvalidRequestError({ message: `task ${run.task} is generative and this executor has no generation backend`, param: "task", code: "unsupported_task" });
        }
        const model = await generationBackend(run.model, run);
        const judge = plan.judgeModel === undefined ? undefined : await generationBackend(plan.judgeModel, run);
        await execute(plan.items, { description: judge ? `${model.description}; judge ${judge.description}` : `${model.description}; rules only`, model, judge });
        break;
      }
      default:
        plan satisfies never;
    }
    await flush();
    if (options.signal?.aborted || stoppedElsewhere) return await finishAs("cancelled");
    const ordered = [...stored].sort((a, b) => a.itemIndex - b.itemIndex);
    const metrics = [...summarizeRecords(ordered, options.bootstrap), ...(plan.kind === "judged" ? (plan.extraMetrics?.(ordered) ?? []) : [])];
    await runs.finish(id, { status: "completed", metrics, at: now() });
    return { run: (await runs.get(id))!, computedItems };
  } catch (error) {
    if (pending.length > 0) await flush().catch(() => undefined);
    if (options.signal?.aborted) return finishAs("cancelled");
    await runs.finish(id, { status: "failed", error: error instanceof Error ? error.message : String(error), at: now() });
    return { run: (await runs.get(id))!, computedItems };
  }

  async function finishAs(status: "cancelled"): Promise<EvalRunExecution> {
    const partial = stored.length > 0 ? summarizeRecords(stored, options.bootstrap) : undefined;
    await runs.finish(id, { status, metrics: partial, at: now() });
    return { run: (await runs.get(id))!, computedItems };
  }
}
