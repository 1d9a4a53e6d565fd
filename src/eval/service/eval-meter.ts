import { assertModelAllowed, type Maas, toPrincipal } from "../../maas/index.js";
import { PermissionDeniedError, type Usage } from "../../spec/index.js";

/** One ledger entry of an evaluation call (a scored item or a generation), settled exactly once. */
export type EvalMeterEntry = {
  /** The ledger entry's id (usage record): the guardrail decisions of the call are recorded against it. */
  readonly id: string;
  /** `failedAttempts`: the gateway's abandoned attempts, recorded as provider cost only (see `SettleOutcome`). */
  settle(outcome: {
    usage: Usage;
    route?: string | undefined;
    status: "ok" | "error" | "cancelled";
    error?: string | undefined;
    failedAttempts?: readonly Usage[] | undefined;
  }): Promise<void>;
};

/** What one evaluation call may cost at most, and who pays. */
export type EvalMeterRequest = {
  /** The key the run bills; undefined for the local operator (CLI runs): recorded without a key and without a budget. */
  keyId: string | undefined;
  model: string;
  maxInputTokens: number;
  maxOutputTokens: number;
};

/** Opens a ledger entry before an evaluation call. */
export type EvalMeter = (request: EvalMeterRequest) => Promise<EvalMeterEntry>;

export type EvalMeterOptions = {
  maas: Pick<Maas, "keys" | "openMeteredRequest" | "openOperatorRequest">;
};

/**
 * Bills evaluation traffic like API traffic (endpoint `completions`): runs of an API key reserve against its budget and
 * settle through the metered ledger (the key must still exist and may use the model); runs of the local operator are
 * written to the ledger with no key through `maas.openOperatorRequest`, like `aiplus chat` turns.
 */
export function createEvalMeter(options: EvalMeterOptions): EvalMeter {
  return async (request) => {
    if (request.keyId !== undefined) {
      const record = await options.maas.keys.get(request.keyId);
      if (!record || record.revokedAt !== undefined) {
        throw new PermissionDeniedError({ message: `the API key ${request.keyId} that started this evaluation was revoked`, code: "key_revoked" });
      }
      const principal = toPrincipal(record);
      assertModelAllowed(principal, request.model);
      const metered = await options.maas.openMeteredRequest({
        principal,
        model: request.model,
        endpoint: "completions",
        maxInputTokens: request.maxInputTokens,
        maxOutputTokens: request.maxOutputTokens,
      });
      return {
        id: metered.id,
        async settle(outcome) {
          if (outcome.route !== undefined) metered.setRoute(outcome.route);
          await metered.settle({ usage: outcome.usage, status: outcome.status, error: outcome.error, failedAttempts: outcome.failedAttempts });
        },
      };
    }
    const entry = await options.maas.openOperatorRequest({ model: request.model, endpoint: "completions" });
    return {
      id: entry.id,
      async settle(outcome) {
        if (outcome.route !== undefined) entry.setRoute(outcome.route);
        await entry.settle({ usage: outcome.usage, status: outcome.status, error: outcome.error, failedAttempts: outcome.failedAttempts });
      },
    };
  };
}
