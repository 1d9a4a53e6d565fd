import { z } from "zod";
import { customTaskSchema } from "../custom/custom-task-schema.js";

/** What `aiplus eval run` / `POST /v1/evals` asks for; stored as the run's config so it can be resumed. */
export const evalRunRequestSchema = z.object({
  /**
   * Built-in task: log-likelihood (`hellaswag`, `winogrande`, `arc_challenge`, `arc_easy`, `mmlu`, `truthfulqa_mc1`,
   * `truthfulqa_mc2`), generative (`gsm8k`, `humaneval`, `do_not_answer`), or the name of `taskDefinition`.
   */
  task: z.string().min(1),
  model: z.string().min(1),
  /** Dataset file (MMLU: folder of test CSVs). Required for built-in tasks; custom tasks name theirs in the definition. */
  dataPath: z.string().min(1).optional(),
  /**
   * The configured dataset's files kept in the database (content address and names) that the run reads instead of
   * `dataPath` / `fewShotPath` (then where they came from), so any instance can execute or resume it.
   */
  storedDataset: z.object({ digest: z.string().min(1), dataName: z.string().min(1), fewShotName: z.string().min(1).optional() }).optional(),
  /**
   * A custom task (YAML/JSON definition, paths already absolute): stored with the run, so a resume uses this very
   * definition even when the file changed or is gone.
   */
  taskDefinition: customTaskSchema.optional(),
  /**
   * Judge model (a gateway model name) of `do_not_answer` (optional: the transparent rules alone when absent) and of
   * custom `llm-judge` scorers that name no judge. Its traffic is billed like the model's.
   */
  judgeModel: z.string().min(1).optional(),
  /** Scoring convention of log-likelihood tasks. Defaults to `llama.cpp` (`lm-eval` for truthfulqa_mc2, which llama.cpp cannot score). */
  scoring: z.enum(["llama.cpp", "lm-eval"]).optional(),
  /** Only the first N items. */
  limit: z.number().int().positive().optional(),
  /** MMLU: 0 or 5 shots (default 0). GSM8K: 0–5 shots from train (default 5). */
  shots: z.number().int().min(0).max(5).optional(),
  /** MMLU: folder of dev CSVs. GSM8K: the train jsonl the shots come from (default `train.jsonl` beside the test file). */
  fewShotPath: z.string().optional(),
  /** MMLU: restrict to these subjects. */
  subjects: z.array(z.string()).optional(),
  /** lm-eval convention: whether the tokenizer adds BOS. Defaults to true. */
  addBos: z.boolean().optional(),
  /** HumanEval: completions per problem (n of pass@k; k = 1 and every power of ten up to n). Defaults to 1 (greedy). */
  samples: z.number().int().min(1).max(100).optional(),
  /** HumanEval: sandbox wall-clock limit per program in ms. Defaults to 3000. */
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
  /** API key that runs (and is billed for) the evaluation. */
  keyId: z.string().optional(),
});

export type EvalRunRequest = z.input<typeof evalRunRequestSchema>;
export type ParsedEvalRunRequest = z.output<typeof evalRunRequestSchema>;
