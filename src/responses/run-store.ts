import type { Transaction } from "kysely";
import { affectedRows, type DatabaseExecutor, type DatabaseSchema } from "../store/index.js";
import { parseJsonColumn, storedItemSchema, storedResponseSchema } from "./stored-schemas.js";
import type { OutputItem, ResponseItem, ResponseObject, ResponseParameters, ResponseStreamEvent } from "./types.js";

/** `plan`: an agent's planner model call (its output holds the plan item); `handoff`: the run's agent changed. */
export type RunStepKind = "model_call" | "tool_call" | "approval" | "plan" | "handoff";

/** One logged step of a run (see migration 0013). `input` and `output` are the step's own JSON. */
export type RunStep = {
  index: number;
  kind: RunStepKind;
  callId: string | null;
  status: "running" | "completed";
  input: unknown;
  output: unknown;
  ledgerRequestId: string | null;
  firstEvent: number;
};

/** What a run executes: its response as last saved, its owner, its parameters and input. */
export type RunRecord = {
  response: ResponseObject;
  keyId: string;
  parameters: ResponseParameters;
  inputItems: ResponseItem[];
  /** Events numbered from here on were written after the last commit (replayed after a crash). */
  eventWatermark: number | null;
};

/** An approval request as stored. */
export type ApprovalRecord = {
  id: string;
  responseId: string;
  keyId: string;
  callId: string;
  serverLabel: string;
  name: string;
  arguments: string;
  status: "pending" | "approved" | "denied";
  reason: string | null;
  decidedBy: string | null;
  continuedBy: string | null;
  expiresAt: number;
  createdAt: number;
};

/**
 * One atomic write of a run (one transaction): a step started or finished, output items appended, the response saved,
 * an approval request added. Written only while the response is still `queued` or `in_progress`.
 */
export type RunCommit = {
  insertStep?: Omit<RunStep, "output"> | undefined;
  completeStep?: { index: number; output: unknown } | undefined;
  appendItems?: OutputItem[] | undefined;
  response?: ResponseObject | undefined;
  insertApproval?: Omit<ApprovalRecord, "status" | "reason" | "decidedBy" | "continuedBy"> | undefined;
};

type Executor = Transaction<DatabaseSchema> | DatabaseExecutor["db"];

const activeStatuses = ["queued", "in_progress"];

/** The durable state of response runs: steps, the event log, approvals, and the response row they advance. */
export type RunStore = ReturnType<typeof createRunStore>;

export function createRunStore(database: DatabaseExecutor, options: { now?: (() => number) | undefined } = {}) {
  const { db } = database;
  const now = options.now ?? Date.now;

  async function appendItems(executor: Executor, responseId: string, items: OutputItem[], at: number): Promise<void> {
    if (items.length === 0) return;
    const last = await executor.selectFrom("response_items").select((expression) => expression.fn.max("position").as("position")).where("response_id", "=", responseId).executeTakeFirst();
    const start = last?.position === null || last?.position === undefined ? 0 : Number(last.position) + 1;
    await executor
      .insertInto("response_items")
      .values(items.map((item, index) => ({ response_id: responseId, position: start + index, kind: "output", item_id: item.id, item_type: item.type, item: JSON.stringify(item), created_at: at })))
      .execute();
  }

  async function saveResponse(executor: Executor, response: ResponseObject, at: number, eventWatermark?: number): Promise<boolean> {
    const result = await executor
      .updateTable("responses")
      .set({
        status: response.status,
        response: JSON.stringify(response),
        error: response.error ? JSON.stringify(response.error) : null,
        input_tokens: response.usage?.input_tokens ?? null,
        output_tokens: response.usage?.output_tokens ?? null,
        updated_at: at,
        completed_at: response.completed_at === null ? null : at,
        ...(eventWatermark === undefined ? {} : { run_event_watermark: eventWatermark }),
      })
      .where("id", "=", response.id)
      .where("status", "in", activeStatuses)
      .executeTakeFirst();
    return affectedRows(result) === 1;
  }

  const toApproval = (row: DatabaseSchema["run_approvals"]): ApprovalRecord => ({
    id: row.id,
    responseId: row.response_id,
    keyId: row.key_id,
    callId: row.call_id,
    serverLabel: row.server_label,
    name: row.name,
    arguments: row.arguments,
    status: row.status as ApprovalRecord["status"],
    reason: row.reason,
    decidedBy: row.decided_by,
    continuedBy: row.continued_by,
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
  });

  return {
    /** A run by response id (no key scope: the executor's view). */
    async load(id: string): Promise<RunRecord | undefined> {
      const row = await db.selectFrom("responses").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) return undefined;
      const inputs = await db.selectFrom("response_items").select("item").where("response_id", "=", id).where("kind", "=", "input").orderBy("position").execute();
      return {
        response: parseJsonColumn(row.response, storedResponseSchema, "responses.response"),
        keyId: row.key_id,
        parameters: JSON.parse(row.request) as ResponseParameters,
        inputItems: inputs.map((input) => parseJsonColumn(input.item, storedItemSchema, "response_items.item")),
        eventWatermark: row.run_event_watermark === null ? null : Number(row.run_event_watermark),
      };
    },

    /** A response's status and run state (for followers of its events); undefined when it does not exist. */
    async state(id: string): Promise<{ status: string; runStatus: string | undefined } | undefined> {
      const row = await db.selectFrom("responses").select(["status", "response"]).where("id", "=", id).executeTakeFirst();
      return row && { status: row.status, runStatus: parseJsonColumn(row.response, storedResponseSchema, "responses.response").run_status };
    },

    async steps(id: string): Promise<RunStep[]> {
      const rows = await db.selectFrom("run_steps").selectAll().where("response_id", "=", id).orderBy("step_index").execute();
      return rows.map((row) => ({
        index: row.step_index,
        kind: row.kind as RunStepKind,
        callId: row.call_id,
        status: row.status as RunStep["status"],
        input: JSON.parse(row.input) as unknown,
        output: row.output === null ? undefined : (JSON.parse(row.output) as unknown),
        ledgerRequestId: row.ledger_request_id,
        firstEvent: row.first_event,
      }));
    },

    /**
     * Writes one unit of a run atomically, covering the events numbered below `eventWatermark`; false (nothing
     * written) when the response is no longer active.
     */
    async commit(responseId: string, commit: RunCommit, eventWatermark: number): Promise<boolean> {
      const at = now();
      return db.transaction().execute(async (transaction) => {
        const current = await transaction.selectFrom("responses").select("status").where("id", "=", responseId).executeTakeFirst();
        if (!current || !activeStatuses.includes(current.status)) return false;
        const step = commit.insertStep;
        if (step) {
          await transaction
            .insertInto("run_steps")
            .values({
              response_id: responseId, step_index: step.index, kind: step.kind, call_id: step.callId, status: step.status, input: JSON.stringify(step.input ?? null),
              output: null, ledger_request_id: step.ledgerRequestId, first_event: step.firstEvent, created_at: at, updated_at: at,
            })
            .execute();
        }
        if (commit.completeStep) {
          await transaction
            .updateTable("run_steps")
            .set({ status: "completed", output: JSON.stringify(commit.completeStep.output ?? null), updated_at: at })
            .where("response_id", "=", responseId)
            .where("step_index", "=", commit.completeStep.index)
            .execute();
        }
        const approval = commit.insertApproval;
        if (approval) {
          await transaction
            .insertInto("run_approvals")
            .values({
              id: approval.id, response_id: approval.responseId, key_id: approval.keyId, call_id: approval.callId, server_label: approval.serverLabel, name: approval.name,
              arguments: approval.arguments, status: "pending", reason: null, decided_by: null, continued_by: null, expires_at: approval.expiresAt, created_at: at, decided_at: null,
            })
            .execute();
        }
        if (commit.appendItems) await appendItems(transaction, responseId, commit.appendItems, at);
        if (commit.response) await saveResponse(transaction, commit.response, at, eventWatermark);
        else await transaction.updateTable("responses").set({ run_event_watermark: eventWatermark, updated_at: at }).where("id", "=", responseId).execute();
        return true;
      });
    },

    /**
     * Writes a new run's first events (numbered from 0) and steps (approvals it continues) and covers them; in
     * `executor`'s transaction when given.
     */
    async seed(responseId: string, events: ResponseStreamEvent[], steps: Array<Omit<RunStep, "output">>, executor: Executor = db): Promise<void> {
      const at = now();
      if (events.length > 0) {
        await executor
          .insertInto("run_events")
          .values(events.map((event) => ({ response_id: responseId, sequence_number: event.sequence_number, type: event.type, payload: JSON.stringify(event), created_at: at })))
          .execute();
      }
      if (steps.length > 0) {
        await executor
          .insertInto("run_steps")
          .values(
            steps.map((step) => ({
              response_id: responseId, step_index: step.index, kind: step.kind, call_id: step.callId, status: step.status, input: JSON.stringify(step.input ?? null),
              output: null, ledger_request_id: step.ledgerRequestId, first_event: step.firstEvent, created_at: at, updated_at: at,
            })),
          )
          .execute();
      }
      await executor.updateTable("responses").set({ run_event_watermark: events.length }).where("id", "=", responseId).execute();
    },

    /** Forgets the steps from `fromStep` on (a model call cut by a crash) and the events from `fromEvent` on. */
    async truncate(responseId: string, fromStep: number | undefined, fromEvent: number): Promise<void> {
      await db.transaction().execute(async (transaction) => {
        if (fromStep !== undefined) await transaction.deleteFrom("run_steps").where("response_id", "=", responseId).where("step_index", ">=", fromStep).execute();
        await transaction.deleteFrom("run_events").where("response_id", "=", responseId).where("sequence_number", ">=", fromEvent).execute();
      });
    },

    /** The next free event sequence number. */
    async nextSequence(responseId: string): Promise<number> {
      const row = await db.selectFrom("run_events").select((expression) => expression.fn.max("sequence_number").as("last")).where("response_id", "=", responseId).executeTakeFirst();
      return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
    },

    async appendEvent(responseId: string, event: ResponseStreamEvent): Promise<void> {
      await db.insertInto("run_events").values({ response_id: responseId, sequence_number: event.sequence_number, type: event.type, payload: JSON.stringify(event), created_at: now() }).execute();
    },

    /** Events after `after` (exclusive), oldest first, as stored JSON. */
    async eventsAfter(responseId: string, after: number, limit: number): Promise<Array<{ sequenceNumber: number; type: string; payload: string }>> {
      const rows = await db
        .selectFrom("run_events")
        .select(["sequence_number", "type", "payload"])
        .where("response_id", "=", responseId)
        .where("sequence_number", ">", after)
        .orderBy("sequence_number")
        .limit(limit)
        .execute();
      return rows.map((row) => ({ sequenceNumber: row.sequence_number, type: row.type, payload: row.payload }));
    },

    /**
     * Ends a run from outside its executor (cancel with no executor here, or a run superseded by a later response):
     * saves the response if it is still active and appends its last event. False when it was no longer active.
     */
    async close(response: ResponseObject, eventType: ResponseStreamEvent["type"], transactionHook?: (transaction: Transaction<DatabaseSchema>) => Promise<void>): Promise<boolean> {
      const at = now();
      return db.transaction().execute(async (transaction) => {
        const last = await transaction.selectFrom("run_events").select((expression) => expression.fn.max("sequence_number").as("last")).where("response_id", "=", response.id).executeTakeFirst();
        const sequenceNumber = last?.last === null || last?.last === undefined ? 0 : Number(last.last) + 1;
        if (!(await saveResponse(transaction, response, at, sequenceNumber + 1))) return false;
        const event = { type: eventType, response, sequence_number: sequenceNumber };
        await transaction.insertInto("run_events").values({ response_id: response.id, sequence_number: sequenceNumber, type: eventType, payload: JSON.stringify(event), created_at: at }).execute();
        await transactionHook?.(transaction);
        return true;
      });
    },

    async approval(id: string): Promise<ApprovalRecord | undefined> {
      const row = await db.selectFrom("run_approvals").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toApproval(row);
    },

    /** Approvals of one response, oldest first. */
    async approvalsOf(responseId: string): Promise<ApprovalRecord[]> {
      const rows = await db.selectFrom("run_approvals").selectAll().where("response_id", "=", responseId).orderBy("created_at").orderBy("id").execute();
      return rows.map(toApproval);
    },

    /** Pending approvals, oldest first: of one key's runs, or every run's (`keyId` undefined). */
    async pendingApprovals(keyId: string | undefined, limit: number): Promise<ApprovalRecord[]> {
      let query = db.selectFrom("run_approvals").selectAll().where("status", "=", "pending");
      if (keyId !== undefined) query = query.where("key_id", "=", keyId);
      const rows = await query.orderBy("created_at").orderBy("id").limit(limit).execute();
      return rows.map(toApproval);
    },

    /** Decides a pending approval (conditional: one decision wins); false when it was already decided. */
    async decide(id: string, decision: { approve: boolean; reason: string | null; decidedBy: string | null; continuedBy: string }, executor: Executor = db): Promise<boolean> {
      const result = await executor
        .updateTable("run_approvals")
        .set({ status: decision.approve ? "approved" : "denied", reason: decision.reason, decided_by: decision.decidedBy, continued_by: decision.continuedBy, decided_at: now() })
        .where("id", "=", id)
        .where("status", "=", "pending")
        .executeTakeFirst();
      return affectedRows(result) === 1;
    },

    /** Pending approvals whose time is over. */
    async dueApprovals(at: number): Promise<ApprovalRecord[]> {
      const rows = await db.selectFrom("run_approvals").selectAll().where("status", "=", "pending").where("expires_at", "<=", at).execute();
      return rows.map(toApproval);
    },
  };
}
