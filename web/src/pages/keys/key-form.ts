import type { AdminKey, BudgetPeriod, KeyFields } from "./keys-api";

/** What the key form holds: text as typed, so the API (not the browser) judges every value and its error shows. */
export type KeyFormValues = {
  name: string;
  models: string[];
  rpm: string | number;
  tpm: string | number;
  maxConcurrentRequests: string | number;
  budget: string | number;
  budgetPeriod: BudgetPeriod;
  /** `datetime-local` text in the browser's time zone, or "". */
  expires: string;
  isAdmin: boolean;
  allowCodeExecution: boolean;
  /** A guardrail policy name, or "" for the default policy alone. */
  policy: string;
};

export const emptyKeyForm: KeyFormValues = {
  name: "",
  models: [],
  rpm: "",
  tpm: "",
  maxConcurrentRequests: "",
  budget: "",
  budgetPeriod: "month",
  expires: "",
  isAdmin: false,
  allowCodeExecution: false,
  policy: "",
};

const pad = (value: number) => String(value).padStart(2, "0");

/** Unix seconds as `datetime-local` text in the browser's time zone. */
export function toLocalInput(unixSeconds: number | null): string {
  if (unixSeconds === null) return "";
  const date = new Date(unixSeconds * 1000);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** `datetime-local` text (browser time zone) as unix seconds; text the browser cannot read is sent as typed. */
function expiresField(text: string): number | null | string {
  if (text.trim() === "") return null;
  const time = new Date(text).getTime();
  return Number.isFinite(time) ? Math.floor(time / 1000) : text;
}

const numberField = (value: string | number): number | null => (value === "" ? null : Number(value));

export function formValuesOf(key: AdminKey): KeyFormValues {
  return {
    name: key.name,
    models: key.models ?? [],
    rpm: key.rpm ?? "",
    tpm: key.tpm ?? "",
    maxConcurrentRequests: key.max_concurrent_requests ?? "",
    budget: key.budget ?? "",
    budgetPeriod: key.budget_period,
    expires: toLocalInput(key.expires_at),
    isAdmin: key.is_admin,
    allowCodeExecution: key.allow_code_execution,
    policy: key.policy ?? "",
  };
}

/** The request body of `POST /v1/admin/keys`: empty limits are left unlimited (`null`). */
export function fieldsOf(values: KeyFormValues): KeyFields {
  return {
    name: values.name,
    models: values.models.length === 0 ? null : values.models,
    rpm: numberField(values.rpm),
    tpm: numberField(values.tpm),
    max_concurrent_requests: numberField(values.maxConcurrentRequests),
    budget: numberField(values.budget),
    budget_period: values.budgetPeriod,
    expires_at: expiresField(values.expires),
    is_admin: values.isAdmin,
    allow_code_execution: values.allowCodeExecution,
    policy: values.policy === "" ? null : values.policy,
  };
}

/** The `PATCH` body: only what changed, a cleared limit as `null` (removes it). */
export function changedFields(original: AdminKey, values: KeyFormValues): Partial<KeyFields> {
  const before = fieldsOf(formValuesOf(original));
  const after = fieldsOf(values);
  const changes: Partial<Record<keyof KeyFields, unknown>> = {};
  for (const field of Object.keys(after) as Array<keyof KeyFields>) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) changes[field] = after[field];
  }
  return changes as Partial<KeyFields>;
}
