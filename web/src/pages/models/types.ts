/** `/v1/admin/models` entries (see the README's admin API). */
export type ModelView = {
  id: string;
  object: "model";
  name: string;
  path: string;
  kind: "llm" | "embedding";
  architecture: string;
  parameter_count: number | null;
  quantization: string | null;
  context_length: number | null;
  embedding_length: number | null;
  expert_count: number | null;
  expert_used_count: number | null;
  has_chat_template: boolean;
  vocabulary_size: number | null;
  file_size_bytes: number;
  modalities: { input: string[]; output: string[] };
  sha256: string | null;
  loaded: boolean;
  memory_bytes: number | null;
  active_sequences: number;
  last_used_at: number | null;
  created_at: number | null;
};

export type PullStatus = "queued" | "running" | "completed" | "failed" | "cancelled";

/** `/v1/admin/model-pulls` entries: a download job with its live figures. */
export type PullView = {
  id: string;
  object: "model.pull";
  source: string;
  url: string;
  file_name: string;
  name: string;
  sha256_expected: string | null;
  status: PullStatus;
  bytes_done: number;
  bytes_total: number | null;
  rate_bytes_per_second: number | null;
  eta_seconds: number | null;
  resumed_from: number;
  error: { code: string; message: string } | null;
  model: string | null;
  path: string | null;
  sha256: string | null;
  verified_against: "option" | "etag" | null;
  attempts: number;
  created_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number | null;
};

export const modelsQueryKey = ["admin-models"] as const;
export const pullsQueryKey = ["admin-model-pulls"] as const;
