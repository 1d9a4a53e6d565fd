import type { DatabaseExecutor } from "../../../../store/index.js";

/** The nano-dollars the ledger charged for these entries (a run's model calls), as settled so far. */
export async function ledgerCostNanos(database: DatabaseExecutor, ledgerIds: string[]): Promise<number> {
  if (ledgerIds.length === 0) return 0;
  const rows = await database.db.selectFrom("usage_records").select("cost_nanos").where("id", "in", ledgerIds).execute();
  return rows.reduce((total, row) => total + Number(row.cost_nanos), 0);
}

/** Records the ledger row of a model call that an agent used as a tool made inside the response run `responseId`. */
export async function recordNestedCall(database: DatabaseExecutor, responseId: string, ledgerRequestId: string, at: number): Promise<void> {
  await database.db.insertInto("run_nested_calls").values({ response_id: responseId, ledger_request_id: ledgerRequestId, created_at: at }).onConflict((conflict) => conflict.doNothing()).execute();
}

/** The ledger rows of the model calls that agents used as tools made inside the response run `responseId`. */
export async function nestedCallLedgerIds(database: DatabaseExecutor, responseId: string): Promise<string[]> {
  const rows = await database.db.selectFrom("run_nested_calls").select("ledger_request_id").where("response_id", "=", responseId).execute();
  return rows.map((row) => row.ledger_request_id);
}

/**
 * The `max_cost` of a response run by an agent, shared with the agents it uses as tools (at any depth): what the run
 * spent is its own model calls plus every nested call, as the ledger charged them.
 */
export type RunBudget = {
  /** The run the nested calls are recorded under. */
  responseId: string;
  /** The limit in nano-dollars; undefined when the agent sets no `max_cost` (nested calls are still recorded). */
  maxCostNanos: number | undefined;
  /** What the run spent so far (its own calls and the nested ones). */
  spentNanos: () => Promise<number>;
};
