import { z } from "zod";
import type { DatabaseExecutor } from "../store/index.js";
import type { RunState } from "./trace-types.js";

/** What a run's trace and summary are computed from: rows that the run loop and the ledger already wrote. */
export type RunSource = {
  id: string;
  keyId: string;
  /** The name of the key that started the run; null when the key is gone. */
  keyName: string | null;
  model: string;
  /** `responses.status`. */
  status: string;
  background: boolean;
  createdAt: number;
  updatedAt: number;
  /** The stored Response object's fields this module reads. */
  response: StoredRunFields;
  agentName: string | null;
  steps: StepRow[];
  approvals: Map<string, ApprovalRow>;
  /** Ledger rows of the run's model calls, by request id. */
  ledger: Map<string, LedgerRow>;
  /** Ledger rows of the model calls that agents used as tools made inside the run (any depth), by request id. */
  nestedLedger: Map<string, LedgerRow>;
  /** The guardrail decisions (audit log entries) of the run's model calls, by ledger request id, oldest first. */
  guardrailDecisions: Map<string, GuardrailDecisionRow[]>;
};

/** A guardrail decision about a run's model call, as the audit log holds it (never the value). */
export type GuardrailDecisionRow = {
  seq: number;
  createdAt: number;
  route: string | null;
  policy: string | null;
  rule: string;
  action: string;
  entityType: string | null;
  locations: string[];
  occurrences: number;
};

/** Guardrail decisions read per trace (a run with more gets the first ones). */
const maxGuardrailDecisions = 2000;

export type StepRow = {
  index: number;
  kind: string;
  callId: string | null;
  status: string;
  input: unknown;
  output: unknown;
  ledgerRequestId: string | null;
  createdAt: number;
  updatedAt: number;
};

export type ApprovalRow = {
  id: string;
  name: string;
  serverLabel: string;
  status: string;
  reason: string | null;
  decidedBy: string | null;
  createdAt: number;
  decidedAt: number | null;
};

export type LedgerRow = {
  id: string;
  model: string;
  route: string | null;
  status: string;
  inputTokens: number | null;
  outputTokens: number | null;
  costNanos: number;
  latencyMs: number | null;
  createdAt: number;
  finishedAt: number | null;
};

const storedRunFieldsSchema = z.looseObject({
  run_status: z.string().optional(),
  incomplete_details: z.object({ reason: z.string() }).nullish(),
  error: z.object({ code: z.string(), message: z.string() }).nullish(),
  agent: z.object({ id: z.string(), version: z.number() }).nullish(),
});

export type StoredRunFields = z.infer<typeof storedRunFieldsSchema>;

const positionsSchema = z.array(z.looseObject({ location: z.string() }));
const occurrencesSchema = z.looseObject({ occurrences: z.number().int().positive() });

/** Loads the runs among `ids` (responses that ran as runs: they have a run log), keyed by id. */
export async function loadRunSources(database: DatabaseExecutor, ids: string[]): Promise<Map<string, RunSource>> {
  const { db } = database;
  const sources = new Map<string, RunSource>();
  if (ids.length === 0) return sources;
  const rows = await db
    .selectFrom("responses")
    .select(["id", "key_id", "model", "status", "background", "created_at", "updated_at", "response"])
    .where("id", "in", ids)
    .where("run_event_watermark", "is not", null)
    .execute();
  if (rows.length === 0) return sources;
  const runIds = rows.map((row) => row.id);
  const [stepRows, approvalRows] = await Promise.all([
    db.selectFrom("run_steps").selectAll().where("response_id", "in", runIds).orderBy("response_id").orderBy("step_index").execute(),
    db.selectFrom("run_approvals").select(["id", "response_id", "name", "server_label", "status", "reason", "decided_by", "created_at", "decided_at"]).where("response_id", "in", runIds).execute(),
  ]);
  const ledgerIds = stepRows.flatMap((step) => (step.ledger_request_id === null ? [] : [step.ledger_request_id]));
  const nestedRows = await db.selectFrom("run_nested_calls").select(["response_id", "ledger_request_id"]).where("response_id", "in", runIds).execute();
  const ledgerRowIds = [...new Set([...ledgerIds, ...nestedRows.map((row) => row.ledger_request_id)])];
  const ledgerRows =
    ledgerRowIds.length === 0
      ? []
      : await db
          .selectFrom("usage_records")
          .select(["id", "model", "route", "status", "input_tokens", "output_tokens", "cost_nanos", "latency_ms", "created_at", "finished_at"])
          .where("id", "in", ledgerRowIds)
          .execute();
  const decisionRows =
    ledgerIds.length === 0
      ? []
      : await db
          .selectFrom("audit_log")
          .select(["seq", "created_at", "request_id", "route", "policy", "rule", "action", "entity_type", "positions", "details"])
          .where("request_id", "in", ledgerIds)
          .where("kind", "=", "guardrail")
          .orderBy("seq", "asc")
          .limit(maxGuardrailDecisions)
          .execute();
  const guardrailDecisions = new Map<string, GuardrailDecisionRow[]>();
  for (const row of decisionRows) {
    if (row.request_id === null) continue;
    const positions = positionsSchema.safeParse(row.positions === null ? [] : parseJson(row.positions)).data ?? [];
    const occurrences = occurrencesSchema.safeParse(row.details === null ? {} : parseJson(row.details)).data?.occurrences ?? Math.max(1, positions.length);
    const decision: GuardrailDecisionRow = {
      seq: Number(row.seq),
      createdAt: Number(row.created_at),
      route: row.route,
      policy: row.policy,
      rule: row.rule,
      action: row.action,
      entityType: row.entity_type,
      locations: [...new Set(positions.map((position) => position.location))],
      occurrences,
    };
    guardrailDecisions.set(row.request_id, [...(guardrailDecisions.get(row.request_id) ?? []), decision]);
  }
  const ledger = new Map(
    ledgerRows.map((row) => [
      row.id,
      {
        id: row.id,
        model: row.model,
        route: row.route,
        status: row.status,
        inputTokens: nullableNumber(row.input_tokens),
        outputTokens: nullableNumber(row.output_tokens),
        costNanos: Number(row.cost_nanos),
        latencyMs: nullableNumber(row.latency_ms),
        createdAt: Number(row.created_at),
        finishedAt: nullableNumber(row.finished_at),
      } satisfies LedgerRow,
    ]),
  );
  const responses = new Map(rows.map((row) => [row.id, parseStoredFields(row.response)]));
  const keyIds = [...new Set(rows.map((row) => row.key_id))];
  const keyNames = new Map((await db.selectFrom("api_keys").select(["id", "name"]).where("id", "in", keyIds).execute()).map((row) => [row.id, row.name] as const));
  const agentIds = [...new Set([...responses.values()].flatMap((fields) => (fields.agent ? [fields.agent.id] : [])))];
  const agentNames = new Map(
    agentIds.length === 0 ? [] : (await db.selectFrom("agents").select(["id", "name"]).where("id", "in", agentIds).execute()).map((row) => [row.id, row.name] as const),
  );
  for (const row of rows) {
    const response = responses.get(row.id)!;
    const steps = stepRows.filter((step) => step.response_id === row.id);
    sources.set(row.id, {
      id: row.id,
      keyId: row.key_id,
      keyName: keyNames.get(row.key_id) ?? null,
      model: row.model,
      status: row.status,
      background: Number(row.background) === 1,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
      response,
      agentName: response.agent ? (agentNames.get(response.agent.id) ?? null) : null,
      steps: steps.map((step) => ({
        index: step.step_index,
        kind: step.kind,
        callId: step.call_id,
        status: step.status,
        input: parseJson(step.input),
        output: step.output === null ? undefined : parseJson(step.output),
        ledgerRequestId: step.ledger_request_id,
        createdAt: Number(step.created_at),
        updatedAt: Number(step.updated_at),
      })),
      approvals: new Map(
        approvalRows
          .filter((approval) => approval.response_id === row.id)
          .map((approval) => [
            approval.id,
            {
              id: approval.id,
              name: approval.name,
              serverLabel: approval.server_label,
              status: approval.status,
              reason: approval.reason,
              decidedBy: approval.decided_by,
              createdAt: Number(approval.created_at),
              decidedAt: nullableNumber(approval.decided_at),
            },
          ]),
      ),
      ledger: new Map(steps.flatMap((step) => (step.ledger_request_id !== null && ledger.has(step.ledger_request_id) ? [[step.ledger_request_id, ledger.get(step.ledger_request_id)!] as const] : []))),
      nestedLedger: new Map(
        nestedRows.flatMap((nested) => (nested.response_id === row.id && ledger.has(nested.ledger_request_id) ? [[nested.ledger_request_id, ledger.get(nested.ledger_request_id)!] as const] : [])),
      ),
      guardrailDecisions: new Map(
        steps.flatMap((step) => (step.ledger_request_id !== null && guardrailDecisions.has(step.ledger_request_id) ? [[step.ledger_request_id, guardrailDecisions.get(step.ledger_request_id)!] as const] : [])),
      ),
    });
  }
  return sources;
}

/** A run's state from its response's status and the finer `run_status` the run loop keeps in the Response object. */
export function runStateOf(source: Pick<RunSource, "status" | "response">): RunState {
  switch (source.status) {
    case "queued":
      return "queued";
    case "in_progress": {
      const runStatus = source.response.run_status;
      return runStatus === "queued" || runStatus === "awaiting_approval" ? runStatus : "running";
    }
    case "completed":
    case "failed":
    case "cancelled":
    case "incomplete":
      return source.status;
    default:
      return "failed";
  }
}

/** Whether a run state is final. */
export function isEnded(state: RunState): boolean {
  return state === "completed" || state === "failed" || state === "cancelled" || state === "incomplete";
}

function parseStoredFields(text: string): StoredRunFields {
  const parsed = storedRunFieldsSchema.safeParse(parseJson(text));
  return parsed.success ? parsed.data : {};
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function nullableNumber(value: number | string | bigint | null): number | null {
  return value === null ? null : Number(value);
}
