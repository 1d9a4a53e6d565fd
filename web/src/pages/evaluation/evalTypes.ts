/** Shapes of the `/v1/evals` answers (see the README's "Evaluation" reference). */

export type Dimension = "general" | "industry" | "application" | "safety";

export type MetricView = { name: string; value: number; standard_error: number | null; interval: [number, number] | null; count: number };

export type EvalRunStatus = "pending" | "running" | "completed" | "failed" | "cancelled" | "interrupted";

export type EvalRun = {
  id: string;
  object: "eval.run";
  task: string;
  custom_task: boolean;
  tags: { dimension: Dimension; capabilities: string[] };
  judge_model: string | null;
  model: string;
  scoring: string | null;
  status: EvalRunStatus;
  progress: { done: number; total: number };
  primary_metric: string;
  accuracy: { value: number; interval: [number, number] | null; standard_error: number | null } | null;
  metrics: MetricView[];
  error: string | null;
  created_at: number;
  finished_at: number | null;
};

export type EvalRunList = { object: "list"; data: EvalRun[]; has_more: boolean };

export type EvalItem = {
  index: number;
  item_id: string;
  prompt: unknown;
  choices: unknown;
  scores: unknown;
  prediction: unknown;
  reference: unknown;
  metrics: Record<string, number>;
  details: unknown;
};

export type EvalItemList = { object: "list"; run_id: string; total: number; data: EvalItem[] };

export type EvalTask = {
  name: string;
  kind: "loglikelihood" | "generative";
  description: string;
  tags: { dimension: Dimension; capabilities: string[] };
  primary_metric: string;
  formats: string[];
  dataset_configured: boolean;
};

export type EvalComparison = {
  object: "eval.comparison";
  task: string;
  metric: string;
  run_a: string;
  run_b: string;
  difference: number;
  standard_error: number | null;
  interval: [number, number] | null;
  count: number;
  unmatched: number;
};

export type DimensionScoreView = { dimension: Dimension; score: number | null; item_weighted_score: number | null; tasks: string[]; count: number };

export type EvalReport = {
  object: "eval.report";
  title: string;
  generated_at: number;
  dimensions: Dimension[];
  runs: string[];
  models: {
    model: string;
    dimensions: DimensionScoreView[];
    tasks: {
      task: string;
      run_id: string | null;
      custom_task: boolean;
      dimension: Dimension;
      capabilities: string[];
      primary_metric: string;
      value: number | null;
      standard_error: number | null;
      interval: [number, number] | null;
      count: number;
    }[];
  }[];
};

/** Whether a run may still change (the console polls it). */
export function isActive(run: Pick<EvalRun, "status">): boolean {
  switch (run.status) {
    case "pending":
    case "running":
    case "interrupted":
      return true;
    case "completed":
    case "failed":
    case "cancelled":
      return false;
    default:
      return run.status satisfies never;
  }
}
