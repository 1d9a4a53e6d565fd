/** Shapes of the aiplus API answers the console reads (see the README's HTTP API reference). */

export type List<T> = { object: "list"; data: T[]; has_more?: boolean; total?: number };

export type Me = {
  id: string;
  object: "api_key";
  name: string;
  prefix: string;
  is_admin: boolean;
  allow_code_execution: boolean;
  models: string[] | null;
  rpm: number | null;
  tpm: number | null;
  budget: number | null;
  budget_period: string;
  budget_period_end: number | null;
  spent: number;
  reserved: number;
  remaining: number | null;
  expires_at: number | null;
  created_at: number;
};

export type ConsoleSession = {
  object: "console.session";
  session: { created_at: number; expires_at: number };
  key: Me;
  csrf_token: string;
};

export type UsagePeriod = { since: number; until: number; requests: number; input_tokens: number; output_tokens: number; cost: number };
export type UsageSummary = { object: "usage.summary"; time_zone: string; scope: "key" | "all_keys"; today: UsagePeriod; month: UsagePeriod };

export type Model = { id: string; object: "model"; created: number; owned_by: string; [field: string]: unknown };

export type RuntimeStats = {
  object: "runtime";
  memory_budget_bytes: number;
  loaded: { name: string; memory_bytes: number; active_sequences: number; queued: number; last_used_at: number | null }[];
};
