import type { Maas, OperatorRequest } from "../../maas/index.js";

export type CliUsageMeterOptions = {
  /** MaaS over the state database (its instance owns the ledger rows). */
  maas: Pick<Maas, "openOperatorRequest">;
};

/** A ledger entry of one `aiplus chat` turn: no API key (the operator is local), no budget to reserve. */
export type CliMeteredTurn = Pick<OperatorRequest, "setRoute" | "checkpoint" | "settle">;

/**
 * Writes `aiplus chat` turns into the usage ledger with a null key: opened `pending` before the call, checkpointed
 * while streaming (so a crash bills what was shown) and settled once at the model's price.
 */
export function createCliUsageMeter(options: CliUsageMeterOptions) {
  return (model: string): Promise<CliMeteredTurn> => options.maas.openOperatorRequest({ model, endpoint: "chat.completions" });
}
