import { Hono } from "hono";
import type { EvalRunRecord, EvalService } from "../../eval/index.js";
import {
  customJudgeModel,
  evalComparisonView,
  evalItemView,
  evalReportOf,
  evalReportView,
  evalRunView,
  parseCustomTask,
  parseCustomTaskValue,
  renderReportHtml,
  requiresCodeExecution,
} from "../../eval/index.js";
import type { KeyPrincipal } from "../../maas/index.js";
import { InvalidRequestError, NotFoundError, PermissionDeniedError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { requestRateLimit } from "../middleware/index.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { compareQuerySchema, createEvalRunSchema, itemsQuerySchema, listRunsQuerySchema, reportQuerySchema } from "./eval-request-schemas.js";
import { wireEvalTask } from "./eval-wire.js";

export type EvalRouteDependencies = RouteDependencies & { evaluation: EvalService };

/** A run is visible to admin keys and to the key that started it (others get 404). */
function assertVisible(principal: KeyPrincipal, run: EvalRunRecord): void {
  if (!principal.isAdmin && run.keyId !== principal.id) throw new NotFoundError({ message: `no eval run ${run.id}`, param: "id", code: "run_not_found" });
}

/**
 * `/v1/evals`: start a durable eval run (executed in the background, billed to the key), follow its progress and
 * metrics, read its items, cancel it, compare two runs, list the built-in tasks.
 */
export function evalRoutes(dependencies: EvalRouteDependencies): Hono<AppEnvironment> {
  const { evaluation } = dependencies;
  const rateLimit = requestRateLimit({ rateLimiter: dependencies.maas.rateLimiter });
  const visibleRun = async (principal: KeyPrincipal, id: string): Promise<EvalRunRecord> => {
    const run = await evaluation.getRun(id);
    assertVisible(principal, run);
    return run;
  };

  return new Hono<AppEnvironment>()
    .get("/tasks", async (c) => {
      const principal = c.get("principal");
      const tasks = await evaluation.tasks();
      return c.json({ object: "list", data: tasks.map((task) => wireEvalTask(task, principal.isAdmin)) });
    })
    .get("/compare", async (c) => {
      const query = parseWithSchema(compareQuerySchema, c.req.query());
      const principal = c.get("principal");
      await visibleRun(principal, query.a);
      await visibleRun(principal, query.b);
      return c.json(evalComparisonView(await evaluation.compareRuns(query.a, query.b, query.metric)));
    })
    .post("/", rateLimit, async (c) => {
      const body = parseWithSchema(createEvalRunSchema, await readJsonBody(c));
      const principal = c.get("principal");
      if ((body.data !== undefined || body.few_shot_data !== undefined) && !principal.isAdmin) {
        throw new PermissionDeniedError({
          message: "'data' and 'few_shot_data' name files on the server; only admin keys may set them (other keys use the configured datasets)",
          param: body.data !== undefined ? "data" : "few_shot_data",
          code: "admin_key_required",
        });
      }
      const taskDefinition =
        body.task_definition === undefined
          ? undefined
          : typeof body.task_definition === "string"
            ? parseCustomTask(body.task_definition, "task_definition")
            : parseCustomTaskValue(body.task_definition, "task_definition");
      if (taskDefinition && !principal.isAdmin && (taskDefinition.dataset.path !== undefined || taskDefinition.fewShot?.path !== undefined)) {
        throw new PermissionDeniedError({
          message: "a task definition's dataset.path and fewShot.path name files on the server; only admin keys may set them (other keys give dataset.records)",
          param: taskDefinition.dataset.path !== undefined ? "task_definition.dataset.path" : "task_definition.fewShot.path",
          code: "admin_key_required",
        });
      }
      if (requiresCodeExecution({ task: body.task, taskDefinition }) && !principal.isAdmin && !principal.allowCodeExecution) {
        throw new PermissionDeniedError({
          message: "this task executes model-written code (in the sandbox); only admin keys and keys an admin granted code execution (allow_code_execution) may run it",
          param: taskDefinition ? "task_definition.scorer.type" : "task",
          code: "code_execution_not_allowed",
        });
      }
      await dependencies.gateway.languageModel(body.model); // 404 for an unknown model, before anything is stored
      dependencies.maas.assertModelAllowed(principal, body.model);
      const judgeModel = taskDefinition ? customJudgeModel(taskDefinition, { judgeModel: body.judge_model }) : body.judge_model;
      if (judgeModel !== undefined) {
        await dependencies.gateway.languageModel(judgeModel); // an unknown judge is a 404 too
        dependencies.maas.assertModelAllowed(principal, judgeModel);
      }
      const { run } = await evaluation.createRun({
        task: body.task ?? taskDefinition!.name,
        taskDefinition,
        judgeModel: body.judge_model,
        model: body.model,
        dataPath: body.data,
        fewShotPath: body.few_shot_data,
        scoring: body.scoring,
        limit: body.limit,
        shots: body.shots,
        subjects: body.subjects,
        addBos: body.add_bos,
        samples: body.samples,
        timeoutMs: body.timeout_ms,
        keyId: principal.id,
      });
      return c.json(evalRunView(run), 202);
    })
    .get("/report", async (c) => {
      const query = parseWithSchema(reportQuerySchema, c.req.query());
      const principal = c.get("principal");
      const runs: EvalRunRecord[] = [];
      for (const id of query.runs) {
        const run = await evaluation.getRun(id).catch((error: unknown) => {
          throw error instanceof NotFoundError ? new NotFoundError({ message: `no eval run ${id}`, param: "runs", code: "run_not_found" }) : error;
        });
        if (!principal.isAdmin && run.keyId !== principal.id) throw new NotFoundError({ message: `no eval run ${id}`, param: "runs", code: "run_not_found" });
        if (run.metrics === undefined || run.metrics.length === 0) {
          throw new InvalidRequestError({ message: `eval run ${id} has no results yet (${run.status}); a report covers runs with metrics`, param: "runs", code: "run_not_finished" });
        }
        runs.push(run);
      }
      const generatedAt = new Date((dependencies.now ?? Date.now)());
      const report = evalReportOf(runs, { title: query.title, generatedAt });
      if (query.format !== "html") return c.json(evalReportView(runs, report, generatedAt));
      return c.body(renderReportHtml(report, { radar: "dimensions" }), 200, {
        "content-type": "text/html; charset=utf-8",
        "content-disposition": 'attachment; filename="aiplus-eval-report.html"',
        // A self-contained page (inline CSS, inline SVG): nothing may run or load from it.
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        "x-content-type-options": "nosniff",
      });
    })
    .get("/", async (c) => {
      const query = parseWithSchema(listRunsQuerySchema, c.req.query());
      const principal = c.get("principal");
      const limit = query.limit ?? 100;
      // One more than asked: whether another page follows.
      const runs = await evaluation.listRuns({ ...query, limit: limit + 1, keyId: principal.isAdmin ? undefined : principal.id });
      return c.json({ object: "list", data: runs.slice(0, limit).map(evalRunView), has_more: runs.length > limit });
    })
    .get("/:id", async (c) => c.json(evalRunView(await visibleRun(c.get("principal"), c.req.param("id")))))
    .get("/:id/items", async (c) => {
      const query = parseWithSchema(itemsQuerySchema, c.req.query());
      const run = await visibleRun(c.get("principal"), c.req.param("id"));
      const items = await evaluation.listItems(run.id, { offset: query.offset ?? 0, limit: query.limit ?? 100 });
      return c.json({ object: "list", run_id: run.id, total: run.doneItems, data: items.map(evalItemView) });
    })
    .post("/:id/cancel", async (c) => {
      const run = await visibleRun(c.get("principal"), c.req.param("id"));
      return c.json(evalRunView(await evaluation.cancelRun(run.id)));
    });
}
