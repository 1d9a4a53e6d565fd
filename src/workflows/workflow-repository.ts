import { ConflictError } from "../spec/index.js";
import { affectedRows, type DatabaseExecutor, isUniqueViolation } from "../store/index.js";
import { workflowDefinitionSchema } from "./workflow-definition-schema.js";
import type { WorkflowDefinition } from "./workflow-definition-schema.js";
import type { WorkflowRecord, WorkflowRunRecord, WorkflowRunStatus, WorkflowStepRecord, WorkflowStepStatus, WorkflowVersionRecord } from "./types.js";

type WorkflowRow = { id: string; name: string; owner_id: string; version: number | string; definition: string; created_at: number | string; updated_at: number | string };
type VersionRow = { workflow_id: string; version: number | string; definition: string; created_at: number | string };

const columns = ["id", "name", "owner_id", "version", "definition", "created_at", "updated_at"] as const;
const nameTaken = (name: string, cause: unknown) => new ConflictError({ message: `a workflow named '${name}' already exists; remove it first`, param: "name", code: "workflow_exists", cause });

/** Workflows, their runs and the runs' step logs (SQLite or PostgreSQL). Access control is the service's. */
export type WorkflowRepository = ReturnType<typeof createWorkflowRepository>;

export function createWorkflowRepository(database: DatabaseExecutor, options: { now?: (() => number) | undefined } = {}) {
  const { db } = database;
  const now = options.now ?? Date.now;
  const toWorkflow = (row: WorkflowRow): WorkflowRecord => ({
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    version: Number(row.version),
    definition: workflowDefinitionSchema.parse(JSON.parse(row.definition)),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  });
  const toVersion = (row: VersionRow): WorkflowVersionRecord => ({
    workflowId: row.workflow_id,
    version: Number(row.version),
    definition: workflowDefinitionSchema.parse(JSON.parse(row.definition)),
    createdAt: Number(row.created_at),
  });
  const live = () => db.selectFrom("workflows").select(columns).where("deleted_at", "is", null);

  const repository = {
    /** ConflictError `workflow_exists` when the owner has a live workflow of that name. */
    async create(entry: { id: string; ownerId: string; definition: WorkflowDefinition }): Promise<WorkflowRecord> {
      const at = now();
      const definition = JSON.stringify(entry.definition);
      try {
        await db.transaction().execute(async (transaction) => {
          await transaction.insertInto("workflows").values({ id: entry.id, name: entry.definition.name, owner_id: entry.ownerId, version: 1, definition, created_at: at, updated_at: at, deleted_at: null }).execute();
          await transaction.insertInto("workflow_versions").values({ workflow_id: entry.id, version: 1, definition, created_at: at }).execute();
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(entry.definition.name, error);
        throw error;
      }
      return { id: entry.id, name: entry.definition.name, ownerId: entry.ownerId, version: 1, definition: entry.definition, createdAt: at, updatedAt: at };
    },

    /**
     * Adds the next version (the definition may rename the workflow; ConflictError `workflow_exists` when the owner has
     * another live workflow of that name); undefined when the workflow is gone. Concurrent updates each get their own
     * version number (a lost race retries).
     */
    async addVersion(workflowId: string, definition: WorkflowDefinition): Promise<WorkflowRecord | undefined> {
      for (;;) {
        const current = await live().where("id", "=", workflowId).executeTakeFirst();
        if (!current) return undefined;
        const version = Number(current.version) + 1;
        const at = now();
        const text = JSON.stringify(definition);
        try {
          const won = await db.transaction().execute(async (transaction) => {
            const moved = await transaction
              .updateTable("workflows")
              .set({ version, name: definition.name, definition: text, updated_at: at })
              .where("id", "=", workflowId)
              .where("version", "=", Number(current.version))
              .where("deleted_at", "is", null)
              .executeTakeFirst();
            if (affectedRows(moved) === 0) return false;
            await transaction.insertInto("workflow_versions").values({ workflow_id: workflowId, version, definition: text, created_at: at }).execute();
            return true;
          });
          if (!won) continue;
        } catch (error) {
          if (isUniqueViolation(error)) throw nameTaken(definition.name, error);
          throw error;
        }
        return { ...toWorkflow(current), name: definition.name, version, definition, updatedAt: at };
      }
    },

    /** One version of a workflow (deleted workflows' too). */
    async getVersion(workflowId: string, version: number): Promise<WorkflowVersionRecord | undefined> {
      const row = await db.selectFrom("workflow_versions").selectAll().where("workflow_id", "=", workflowId).where("version", "=", version).executeTakeFirst();
      return row && toVersion(row);
    },

    /** A page of a workflow's versions by version number (`after` exclusive); `hasMore` when more follow. */
    async listVersions(workflowId: string, page: { after: number | undefined; limit: number; order: "asc" | "desc" }): Promise<{ items: WorkflowVersionRecord[]; hasMore: boolean }> {
      let query = db.selectFrom("workflow_versions").selectAll().where("workflow_id", "=", workflowId);
      if (page.after !== undefined) query = query.where("version", page.order === "asc" ? ">" : "<", page.after);
      const rows = await query.orderBy("version", page.order).limit(page.limit + 1).execute();
      return { items: rows.slice(0, page.limit).map(toVersion), hasMore: rows.length > page.limit };
    },

    /** Live workflows whose id or name is `reference`. */
    async find(reference: string): Promise<WorkflowRecord[]> {
      const rows = await live().where((expression) => expression.or([expression("id", "=", reference), expression("name", "=", reference)])).execute();
      return rows.map(toWorkflow);
    },

    /** A workflow by id, deleted ones too (a run's workflow). */
    async get(id: string): Promise<WorkflowRecord | undefined> {
      const row = await db.selectFrom("workflows").select(columns).where("id", "=", id).executeTakeFirst();
      return row && toWorkflow(row);
    },

    /** Live workflows, oldest first: one owner's, or all (`ownerId` undefined). */
    async list(ownerId: string | undefined): Promise<WorkflowRecord[]> {
      let query = live();
      if (ownerId !== undefined) query = query.where("owner_id", "=", ownerId);
      return (await query.orderBy("created_at").orderBy("id").limit(1000).execute()).map(toWorkflow);
    },

    async remove(id: string): Promise<boolean> {
      return affectedRows(await db.updateTable("workflows").set({ deleted_at: now() }).where("id", "=", id).where("deleted_at", "is", null).executeTakeFirst()) === 1;
    },

    async createRun(entry: { id: string; workflowId: string; workflowVersion: number; keyId: string; definition: WorkflowDefinition; inputs: Record<string, unknown> }): Promise<void> {
      const at = now();
      await db
        .insertInto("workflow_runs")
        .values({ id: entry.id, workflow_id: entry.workflowId, workflow_version: entry.workflowVersion, key_id: entry.keyId, status: "queued", definition: JSON.stringify(entry.definition), inputs: JSON.stringify(entry.inputs), output: null, error: null, created_at: at, updated_at: at, finished_at: null })
        .execute();
    },

    async getRun(id: string): Promise<WorkflowRunRecord | undefined> {
      const row = await db.selectFrom("workflow_runs").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        workflowId: row.workflow_id,
        workflowVersion: Number(row.workflow_version),
        keyId: row.key_id,
        status: row.status as WorkflowRunStatus,
        definition: workflowDefinitionSchema.parse(JSON.parse(row.definition)),
        inputs: JSON.parse(row.inputs) as Record<string, unknown>,
        output: row.output === null ? null : (JSON.parse(row.output) as unknown),
        error: row.error === null ? null : (JSON.parse(row.error) as { code: string; message: string }),
        createdAt: Number(row.created_at),
        updatedAt: Number(row.updated_at),
        finishedAt: row.finished_at === null ? null : Number(row.finished_at),
      };
    },

    /** Moves a run to `status` when it is in one of `from`; false when it was not (ended or moved meanwhile). */
    async moveRun(id: string, from: WorkflowRunStatus[], status: WorkflowRunStatus, fields: { output?: unknown; error?: { code: string; message: string } } = {}): Promise<boolean> {
      const at = now();
      const finished = status === "completed" || status === "failed" || status === "cancelled";
      const result = await db
        .updateTable("workflow_runs")
        .set({
          status,
          updated_at: at,
          ...(finished ? { finished_at: at } : {}),
          ...("output" in fields ? { output: JSON.stringify(fields.output ?? null) } : {}),
          ...(fields.error ? { error: JSON.stringify(fields.error) } : {}),
        })
        .where("id", "=", id)
        .where("status", "in", from)
        .executeTakeFirst();
      return affectedRows(result) === 1;
    },

    async steps(runId: string): Promise<Map<string, WorkflowStepRecord>> {
      const rows = await db.selectFrom("workflow_run_steps").selectAll().where("run_id", "=", runId).orderBy("created_at").execute();
      return new Map(
        rows.map((row) => [
          row.step_key,
          {
            key: row.step_key,
            status: row.status as WorkflowStepStatus,
            output: row.output === null ? null : (JSON.parse(row.output) as unknown),
            error: row.error,
            attempts: row.attempts,
            createdAt: Number(row.created_at),
            updatedAt: Number(row.updated_at),
          },
        ]),
      );
    },

    /**
     * Writes a step's state (inserted, or updated; `start` counts an attempt). A step's output is written here before any
     * dependant starts. False when the run is no longer active (nothing written).
     */
    async writeStep(runId: string, key: string, state: { status: WorkflowStepStatus; output?: unknown; error?: string | null; start?: boolean }): Promise<boolean> {
      const at = now();
      return db.transaction().execute(async (transaction) => {
        const run = await transaction.selectFrom("workflow_runs").select("status").where("id", "=", runId).executeTakeFirst();
        if (!run || !["queued", "running", "awaiting_input"].includes(run.status)) return false;
        const output = state.output === undefined ? null : JSON.stringify(state.output);
        const existing = await transaction.selectFrom("workflow_run_steps").select("attempts").where("run_id", "=", runId).where("step_key", "=", key).executeTakeFirst();
        if (!existing) {
          await transaction
            .insertInto("workflow_run_steps")
            .values({ run_id: runId, step_key: key, status: state.status, output, error: state.error ?? null, attempts: state.start ? 1 : 0, created_at: at, updated_at: at })
            .execute();
        } else {
          await transaction
            .updateTable("workflow_run_steps")
            .set({ status: state.status, output, error: state.error ?? null, attempts: existing.attempts + (state.start ? 1 : 0), updated_at: at })
            .where("run_id", "=", runId)
            .where("step_key", "=", key)
            .execute();
        }
        return true;
      });
    },

    /** Completes a waiting human-input step with `output` (one answer wins) and moves a run that awaited it back to `queued`. */
    async provideInput(runId: string, key: string, output: unknown): Promise<boolean> {
      return repository.resolveWaiting(runId, key, { status: "completed", output: output ?? null });
    },

    /**
     * Ends a waiting step (one decision wins): `completed` (an answer), `running` (a decided tool call, run or refused
     * when the run resumes) or `failed` (a denied question: the run fails with `runError`). A run that awaited it moves
     * back to `queued` (or `failed`). False when the step was not waiting.
     */
    async resolveWaiting(runId: string, key: string, outcome: { status: "completed" | "running" | "failed"; output: unknown; error?: string; runError?: { code: string; message: string } }): Promise<boolean> {
      const at = now();
      return db.transaction().execute(async (transaction) => {
        const result = await transaction
          .updateTable("workflow_run_steps")
          .set({ status: outcome.status, output: JSON.stringify(outcome.output), error: outcome.error ?? null, updated_at: at })
          .where("run_id", "=", runId)
          .where("step_key", "=", key)
          .where("status", "=", "waiting")
          .executeTakeFirst();
        if (affectedRows(result) !== 1) return false;
        const failed = outcome.status === "failed";
        await transaction
          .updateTable("workflow_runs")
          .set({ status: failed ? "failed" : "queued", updated_at: at, ...(failed ? { finished_at: at, error: JSON.stringify(outcome.runError ?? { code: "step_failed", message: outcome.error ?? "failed" }) } : {}) })
          .where("id", "=", runId)
          .where("status", failed ? "in" : "=", failed ? ["awaiting_input", "queued", "running"] : "awaiting_input")
          .execute();
        return true;
      });
    },

    /** Waiting steps of active runs, oldest first: one key's runs', or all (`keyId` undefined). */
    async waitingSteps(keyId: string | undefined, limit: number): Promise<Array<WorkflowStepRecord & { runId: string; keyId: string; workflowId: string; workflowVersion: number }>> {
      let query = db
        .selectFrom("workflow_run_steps")
        .innerJoin("workflow_runs", "workflow_runs.id", "workflow_run_steps.run_id")
        .select(["workflow_run_steps.run_id", "workflow_run_steps.step_key", "workflow_run_steps.status", "workflow_run_steps.output", "workflow_run_steps.error", "workflow_run_steps.attempts", "workflow_run_steps.created_at", "workflow_run_steps.updated_at", "workflow_runs.key_id", "workflow_runs.workflow_id", "workflow_runs.workflow_version"])
        .where("workflow_run_steps.status", "=", "waiting")
        .where("workflow_runs.status", "in", ["queued", "running", "awaiting_input"]);
      if (keyId !== undefined) query = query.where("workflow_runs.key_id", "=", keyId);
      const rows = await query.orderBy("workflow_run_steps.updated_at").orderBy("workflow_run_steps.run_id").limit(limit).execute();
      return rows.map((row) => ({
        runId: row.run_id,
        keyId: row.key_id,
        workflowId: row.workflow_id,
        workflowVersion: Number(row.workflow_version),
        key: row.step_key,
        status: row.status as WorkflowStepStatus,
        output: row.output === null ? null : (JSON.parse(row.output) as unknown),
        error: row.error,
        attempts: row.attempts,
        createdAt: Number(row.created_at),
        updatedAt: Number(row.updated_at),
      }));
    },
  };
  return repository;
}
