import type { DatabaseExecutor } from "../../../../store/index.js";

/** The nano-dollars the ledger charged for these entries (a run's model calls), as settled so far. */
export async function ledgerCostNanos(database: DatabaseExecutor, ledgerIds: string[]): Promise<number> {
  if (ledgerIds.length === 0) return 0;
  const rows = await database.db.selectFrom("usage_records").select("cost_nanos").where("id", "in", ledgerIds).execute();
  return rows.reduce((total, row) => total + Number(row.cost_nanos), 0);
}
