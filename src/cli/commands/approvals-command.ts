import { Command, InvalidArgumentError } from "commander";
import type { KeyPrincipal } from "../../maas/index.js";
import type { ApiKeyId } from "../../spec/index.js";
import type { Platform } from "../../platform/index.js";
import { resolveConfig, withPlatform } from "../cli-context.js";
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
 * `aiplus approvals ls | approve | deny`: the approvals inbox as the local operator (every key's runs): response runs'
 * tool calls and workflow runs' waiting steps (`tool_call`, `human_input`). Listing and deciding go through the same
 * inbox as `/v1/approvals`, then this process continues the run until it ends or waits again.
 */
export function approvalsCommand(): Command {
  const approvals = new Command("approvals").description("approvals: tool calls and workflow questions waiting for a person's decision");

  approvals
    .command("ls")
    .description("list pending approval requests, oldest first")
    .option("--json", "print JSON (the same items as GET /v1/approvals)")
    .action(async (options: JsonFlag, command: Command) => {
      const pending = await withPlatform(await resolveConfig(command), async (platform) => (await inboxOf(platform)).list(localOperator, 100));
      if (options.json) {
        printJson(pending);
        return;
      }
      const seconds = (value: number | null) => formatTime(value === null ? undefined : value * 1000);
      printTable(
        ["ID", "RUN", "WHAT", "DETAILS", "KIND", "CREATED", "EXPIRES"],
        pending.map((item) => [
          item.id,
          item.response_id ?? item.workflow_run_id,
          item.response_id !== null ? `${item.server_label}/${item.name}` : item.kind === "tool_call" ? `${item.step_id}/${item.name}` : item.step_id,
          truncate(item.arguments ?? ("prompt" in item ? (item.prompt ?? "") : ""), 60),
          item.kind,
          seconds(item.created_at),
          seconds(item.expires_at),
        ]),
        "no pending approvals",
      );
    });

  approvals
    .command("approve")
    .description("approve a pending request (or answer a workflow's question with --input) and continue its run")
    .argument("<id>", "the approval request id (mcpr_… or wfappr_…)")
    .option("--input <json>", "the answer to a workflow's human_input step, as JSON", parseInput)
    .action(async (id: string, options: { input?: { value: unknown } }, command: Command) => {
      printLine(await decide(command, id, { approve: true, reason: null, input: options.input?.value ?? null }));
    });

  approvals
    .command("deny")
    .description("deny a pending request (the run goes on with the denial as the call's result)")
    .argument("<id>", "the approval request id (mcpr_… or wfappr_…)")
    .option("--reason <text>", "why (shown to the model and in the run; at most 1000 characters)", parseReason)
    .action(async (id: string, options: { reason?: string }, command: Command) => {
      printLine(await decide(command, id, { approve: false, reason: options.reason ?? null, input: null }));
    });

  return approvals;
}

async function inboxOf(platform: Platform) {
  const { approvalsInbox } = await import("../../api/responses/index.js");
  return approvalsInbox(platform.runs, platform.workflows);
}

async function decide(command: Command, id: string, decision: { approve: boolean; reason: string | null; input: unknown }): Promise<string> {
  return withPlatform(await resolveConfig(command), async (platform) => {
    const { view, run } = await (await inboxOf(platform)).decide(localOperator, id, decision);
    const verb = decision.approve ? "approved" : "denied";
    // The run continues in this process: wait until it ends or waits for another decision.
    if (run.kind === "workflow_run") {
      await platform.workflows.settled(run.id);
      const state = (await platform.workflows.repository.getRun(run.id))?.status ?? "unknown";
      return `${verb} ${view.id} (${view.kind === "human_input" ? `input of step ${view.step_id}` : view.name}); workflow run ${run.id} is ${state}`;
    }
    await platform.runs.settled(run.id);
    const traced = await platform.traces.get(run.id, { keyId: undefined });
    return `${verb} ${view.id} (${view.name}); run ${run.id} is ${traced?.state ?? "unknown"}`;
  });
}

function parseInput(value: string): { value: unknown } {
  try {
    return { value: JSON.parse(value) as unknown };
  } catch {
    throw new InvalidArgumentError("Must be JSON, e.g. '\"yes\"' or '{\"approved\": true}'.");
  }
}

function parseReason(value: string): string {
  if (value.length > 1000) throw new InvalidArgumentError("Must be at most 1000 characters.");
  return value;
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
