import { z } from "zod";

/** What `aiplus eval run` / `POST /v1/evals` asks for; stored as the run's config so it can be resumed. */
export const evalRunRequestSchema = z.object({
  /** Built-in log-likelihood task (`hellaswag`, `winogrande`, `arc_challenge`, `arc_easy`, `mmlu`, `truthfulqa_mc1`, `truthfulqa_mc2`). */
  task: z.string().min(1),
  model: z.string().min(1),
  /** Dataset file (MMLU: folder of test CSVs). */
  dataPath: z.string().min(1),
  /** Scoring convention. Defaults to `llama.cpp` (`lm-eval` for truthfulqa_mc2, which llama.cpp cannot score). */
  scoring: z.enum(["llama.cpp", "lm-eval"]).optional(),
  /** Only the first N items. */
  limit: z.number().int().positive().optional(),
  /** MMLU: 0 or 5 shots. */
  shots: z.number().int().min(0).max(5).optional(),
  /** MMLU: folder of dev CSVs. */
  fewShotPath: z.string().optional(),
  /** MMLU: restrict to these subjects. */
  subjects: z.array(z.string()).optional(),
  /** lm-eval convention: whether the tokenizer adds BOS. Defaults to true. */
  addBos: z.boolean().optional(),
  /** API key that runs (and is billed for) the evaluation. */
  keyId: z.string().optional(),
});

export type EvalRunRequest = z.input<typeof evalRunRequestSchema>;
export type ParsedEvalRunRequest = z.output<typeof evalRunRequestSchema>;
