import { z } from "zod";
import { arenaVotes } from "../../eval/index.js";

/** `POST /v1/evals`. `data` / `few_shot_data` are server paths: admin keys only (others use the configured datasets). */
export const createEvalRunSchema = z
  .object({
    /** A built-in task; optional with `task_definition` (then, when given, it must be the definition's name). */
    task: z.string().min(1).optional(),
    /**
     * A custom task definition: the YAML/JSON schema as a JSON object, or its YAML or JSON text (parsed on the server, so
     * a syntax error is a 400 naming `task_definition`); validated by the eval module.
     */
    task_definition: z.union([z.record(z.string(), z.unknown()), z.string().min(1)]).optional(),
    /** Judge model of do_not_answer and of llm-judge custom tasks; billed to the key like the model. */
    judge_model: z.string().min(1).optional(),
    model: z.string().min(1),
    data: z.string().min(1).optional(),
    few_shot_data: z.string().min(1).optional(),
    scoring: z.enum(["llama.cpp", "lm-eval"]).optional(),
    limit: z.number().int().positive().optional(),
    shots: z.number().int().min(0).max(5).optional(),
    subjects: z.array(z.string().min(1)).optional(),
    add_bos: z.boolean().optional(),
    samples: z.number().int().min(1).max(100).optional(),
    timeout_ms: z.number().int().min(100).max(60_000).optional(),
  })
  .strict()
  .refine((body) => body.task !== undefined || body.task_definition !== undefined, { message: "Missing required parameter: 'task' (or 'task_definition').", path: ["task"] });

/** `POST /v1/arena/battles`. */
export const createBattleSchema = z
  .object({
    prompt: z.string().min(1),
    /** Candidate models (default: every language model the key may use). */
    models: z.array(z.string().min(1)).min(2).optional(),
    category: z.string().min(1).max(64).optional(),
    stream: z.boolean().optional(),
    max_tokens: z.number().int().positive().optional(),
    temperature: z.number().min(0).max(2).optional(),
    /** `balanced` (default) favours pairs with fewer battles; `uniform` draws every pair alike. */
    sampling: z.enum(["balanced", "uniform"]).optional(),
  })
  .strict();

/** `POST /v1/arena/battles/{id}/vote`. */
export const voteSchema = z.object({ winner: z.enum(arenaVotes) }).strict();

const positiveInteger = z.coerce.number().int().positive();

/** Query strings. */
export const listRunsQuerySchema = z.object({
  task: z.string().optional(),
  model: z.string().optional(),
  /** `interrupted`: running runs whose process is gone (until a runner takes them over). */
  status: z.enum(["pending", "running", "completed", "failed", "cancelled", "interrupted"]).optional(),
  limit: positiveInteger.max(1000).optional(),
  /** Runs to skip (newest first), for paging; the answer's `has_more` says whether another page follows. */
  offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
});
export const itemsQuerySchema = z.object({ offset: z.coerce.number().int().min(0).optional(), limit: positiveInteger.max(1000).optional() });
export const compareQuerySchema = z.object({ a: z.string().min(1), b: z.string().min(1), metric: z.string().min(1).optional() });
/** Most runs one report may cover. */
export const maximumReportRuns = 50;
/** `GET /v1/evals/report?runs=a,b&format=json|html&title=`. */
export const reportQuerySchema = z.object({
  runs: z
    .string()
    .transform((value) => [...new Set(value.split(",").map((id) => id.trim()).filter((id) => id !== ""))])
    .pipe(z.array(z.string()).min(1, "give at least one run id (comma-separated)").max(maximumReportRuns, `at most ${maximumReportRuns} runs per report`)),
  format: z.enum(["json", "html"]).optional(),
  title: z.string().min(1).max(200).optional(),
});
export const leaderboardQuerySchema = z.object({
  category: z.string().min(1).optional(),
  rounds: positiveInteger.max(1000).optional(),
  seed: z.coerce.number().int().min(0).optional(),
});
