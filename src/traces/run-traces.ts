import { InvalidRequestError } from "../spec/index.js";
import type { DatabaseExecutor } from "../store/index.js";
import { buildRunSteps } from "./build-run-steps.js";
import { buildRunTrace } from "./build-run-trace.js";
import { loadRunSources, runStateOf, type StoredRunFields } from "./run-source.js";
import { summarizeRun } from "./summarize-run.js";
import type { RunState, RunStepDetail, RunSummary, RunTrace } from "./trace-types.js";

/** Whose runs a reader sees: one key's (`keyId`), or every key's (`keyId` undefined: an admin, the local operator). */
export type RunScope = { keyId: string | undefined };

export type RunListQuery = RunScope & {
  /** Only runs in this state. */
  state?: RunState | undefined;
  /** Only runs of this agent (its id; any version). */
  agentId?: string | undefined;
  /** A run id: list the runs created before it (newest first). */
  after?: string | undefined;
  /** 1-100. */
  limit: number;
};

/** The `responses.status` values a run state can have. */
const statusesOf: Record<RunState, string[]> = {
  queued: ["queued", "in_progress"],
  running: ["in_progress"],
  awaiting_approval: ["in_progress"],
  completed: ["completed"],
  failed: ["failed"],
  cancelled: ["cancelled"],
  incomplete: ["incomplete"],
};

/** A page of a run's steps: those after step index `after`, at most `limit` (1-100). */
export type RunStepsQuery = { after?: number | undefined; limit: number };

const batchSize = 100;

/**
 * Reads runs (responses executed as durable runs) with their summaries and traces, computed on read from the run
 * log and the ledger: nothing is written for them while a run executes.
 */
export type RunTraces = ReturnType<typeof createRunTraces>;

export function createRunTraces(database: DatabaseExecutor) {
  const { db } = database;

  async function source(id: string, scope: RunScope) {
    const found = (await loadRunSources(database, [id])).get(id);
    return found && (scope.keyId === undefined || found.keyId === scope.keyId) ? found : undefined;
  }

  return {
    /** Runs newest first, one page; `after` must name a run the scope sees (else a 400 on `after`). */
    async list(query: RunListQuery): Promise<{ runs: RunSummary[]; hasMore: boolean }> {
      let base = db.selectFrom("responses").where("run_event_watermark", "is not", null);
      if (query.keyId !== undefined) base = base.where("key_id", "=", query.keyId);
      let cursor: { createdAt: number; id: string } | undefined;
      if (query.after !== undefined) {
        const anchor = await base.select(["id", "created_at"]).where("id", "=", query.after).executeTakeFirst();
        if (!anchor) throw new InvalidRequestError({ message: `No run with id '${query.after}'.`, param: "after" });
        cursor = { createdAt: Number(anchor.created_at), id: anchor.id };
      }
      if (query.state !== undefined) base = base.where("status", "in", statusesOf[query.state]);
      const ids: string[] = [];
      while (ids.length <= query.limit) {
        let page = base.select(["id", "created_at", "status", "response"]);
        const at = cursor;
        if (at) page = page.where((expression) => expression.or([expression("created_at", "<", at.createdAt), expression.and([expression("created_at", "=", at.createdAt), expression("id", "<", at.id)])]));
        const rows = await page.orderBy("created_at", "desc").orderBy("id", "desc").limit(batchSize).execute();
        for (const row of rows) {
          const fields = storedFields(row.response);
          const stateMatches = query.state === undefined || runStateOf({ status: row.status, response: fields }) === query.state;
          const agentMatches = query.agentId === undefined || fields.agent?.id === query.agentId;
          if (stateMatches && agentMatches) ids.push(row.id);
        }
        const last = rows.at(-1);
        if (rows.length < batchSize || !last) break;
        cursor = { createdAt: Number(last.created_at), id: last.id };
      }
      const page = ids.slice(0, query.limit);
      const sources = await loadRunSources(database, page);
      return { runs: page.flatMap((id) => { const found = sources.get(id); return found ? [summarizeRun(found)] : []; }), hasMore: ids.length > query.limit };
    },

    /** A run's summary; undefined when the scope does not see it (or it is not a run). */
    async get(id: string, scope: RunScope): Promise<RunSummary | undefined> {
      const found = await source(id, scope);
      return found && summarizeRun(found);
    },

    /** A page of a run's steps with their content; undefined when the scope does not see the run. */
    async steps(id: string, scope: RunScope, query: RunStepsQuery): Promise<{ steps: RunStepDetail[]; hasMore: boolean } | undefined> {
      const found = await source(id, scope);
      if (!found) return undefined;
      const after = query.after ?? -1;
      const following = buildRunSteps(found).filter((step) => step.index > after);
      return { steps: following.slice(0, query.limit), hasMore: following.length > query.limit };
    },

    /** A run's trace; undefined when the scope does not see it. */
    async trace(id: string, scope: RunScope): Promise<RunTrace | undefined> {
      const found = await source(id, scope);
      return found && buildRunTrace(found);
    },
  };
}

/** The stored Response fields a listing filters on: `run_status` and the agent's id. */
function storedFields(text: string): StoredRunFields {
  try {
    const value = JSON.parse(text) as { run_status?: unknown; agent?: { id?: unknown; version?: unknown } | null };
    const fields: StoredRunFields = {};
    if (typeof value.run_status === "string") fields.run_status = value.run_status;
    if (typeof value.agent?.id === "string" && typeof value.agent.version === "number") fields.agent = { id: value.agent.id, version: value.agent.version };
    return fields;
  } catch {
    return {};
  }
}
