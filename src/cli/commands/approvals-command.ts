import { Command, InvalidArgumentError } from "commander";
import type { KeyPrincipal } from "../../maas/index.js";
import type { ApiKeyId } from "../../spec/index.js";
import { resolveConfig, withDatabase, withPlatform } from "../cli-context.js";
import { formatTime, printJson, printLine, printTable } from "../output.js";

type JsonFlag = { json?: boolean };

/** The operator at this machine: decides every key's approvals (recorded as decided by `local`). */
const localOperator: KeyPrincipal = {
  id: "local" as ApiKeyId,
  name: "local operator",
  prefix: "",
  isAdmin: true,
  allowCodeExecution: false,
  models: undefined,
  rpm: undefined,
  tpm: undefined,
  budgetNanos: undefined,
};

/**
 * `aiplus approvals ls | approve | deny`: the approvals inbox as the local operator (every key's runs). A decision
 * goes through the same service as `POST /v1/approvals/{id}/approve|deny`, then this process continues the run until
 * it ends or waits again.
 */
export function approvalsCommand(): Command {
  const approvals = new Command("approvals").description("approvals: server tool calls of runs waiting for a person's decision");

  approvals
    .command("ls")
    .description("list pending approval requests, oldest first")
    .option("--json", "print JSON")
    .action(async (options: JsonFlag, command: Command) => {
      const pending = await withDatabase(await resolveConfig(command), async (database) => {
        const { createRunStore } = await import("../../responses/index.js");
        return createRunStore(database).pendingApprovals(undefined, 100);
      });
      if (options.json) {
        printJson(pending);
        return;
      }
      printTable(
        ["ID", "RUN", "TOOL", "ARGUMENTS", "CREATED", "EXPIRES"],
        pending.map((approval) => [approval.id, approval.responseId, `${approval.serverLabel}/${approval.name}`, truncate(approval.arguments, 60), formatTime(approval.createdAt), formatTime(approval.expiresAt)]),
        "no pending approvals",
      );
    });

  approvals
    .command("approve")
    .description("approve a pending request and continue its run")
    .argument("<id>", "the approval request id (mcpr_…)")
    .action(async (id: string, _options: unknown, command: Command) => {
      printLine(await decide(command, id, { approve: true, reason: null }));
    });

  approvals
    .command("deny")
    .description("deny a pending request (the run goes on with the denial as the call's result)")
    .argument("<id>", "the approval request id (mcpr_…)")
    .option("--reason <text>", "why (shown to the model and in the run; at most 1000 characters)", parseReason)
    .action(async (id: string, options: { reason?: string }, command: Command) => {
      printLine(await decide(command, id, { approve: false, reason: options.reason ?? null }));
    });

  return approvals;
}

async function decide(command: Command, id: string, decision: { approve: boolean; reason: string | null }): Promise<string> {
  return withPlatform(await resolveConfig(command), async (platform) => {
    const approval = await platform.runs.decide(id, localOperator, decision);
    // The run continues in this process: wait until it ends or waits for another decision.
    await platform.runs.settled(approval.responseId);
    const run = await platform.traces.get(approval.responseId, { keyId: undefined });
    return `${decision.approve ? "approved" : "denied"} ${approval.id} (${approval.name}); run ${approval.responseId} is ${run?.state ?? "unknown"}`;
  });
}

function parseReason(value: string): string {
  if (value.length > 1000) throw new InvalidArgumentError("Must be at most 1000 characters.");
  return value;
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
