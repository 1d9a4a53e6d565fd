import { Command, InvalidArgumentError, Option } from "commander";
import type { Config } from "../../config/index.js";
import { NotFoundError } from "../../spec/index.js";
import type { RunState, RunSummary, RunTraces } from "../../traces/index.js";
import { loadApiViews } from "../api-views.js";
import { resolveConfig, withDatabase, withPlatform } from "../cli-context.js";
import { formatDollars, formatTime, printJson, printLine, printTable } from "../output.js";

type JsonFlag = { json?: boolean };

// The states of a run (kept here so `--help` does not load the traces module).
const runStates: RunState[] = ["queued", "running", "awaiting_approval", "completed", "failed", "cancelled", "incomplete"];

/**
 * `aiplus runs ls | show | trace | cancel`: durable runs (background responses, server tools, agents) as the local
 * operator (every key's runs). Reads work with or without a server on the same AIPLUS_HOME.
 */
export function runsCommand(): Command {
  const runs = new Command("runs").description("runs: durable agent and background responses, their steps, tokens, cost and traces");

  runs
    .command("ls")
    .description("list runs, newest first")
    .addOption(new Option("--status <state>", "only runs in this state").choices(runStates))
    .option("--limit <n>", "most runs to list (1-100, default 20)", parseLimit)
    .option("--json", "print JSON")
    .action(async (options: JsonFlag & { status?: RunState; limit?: number }, command: Command) => {
      const limit = options.limit ?? 20;
      const page = await withTraces(await resolveConfig(command), (traces) => traces.list({ keyId: undefined, state: options.status, limit }));
      if (options.json) {
        printJson(page.runs.map((await loadApiViews()).runView));
        return;
      }
      printTable(
        ["ID", "STATUS", "MODEL", "STEPS", "TOKENS", "COST", "CREATED"],
        page.runs.map((run) => [run.id, describeState(run), run.agent ? `${run.agent.name ?? run.agent.id} (${run.model})` : run.model, String(run.steps), String(run.inputTokens + run.outputTokens), formatDollars(run.costUsd), formatTime(run.createdAt)]),
        options.status ? `no ${options.status} runs` : "no runs yet",
      );
    });

  runs
    .command("show")
    .description("show a run: state, steps, tokens and cost")
    .argument("<id>", "the run id (its response id, resp_…)")
    .option("--json", "print JSON")
    .action(async (id: string, options: JsonFlag, command: Command) => {
      const run = await withTraces(await resolveConfig(command), async (traces) => (await traces.get(id, { keyId: undefined })) ?? notFound(id));
      if (options.json) {
        printJson((await loadApiViews()).runView(run));
        return;
      }
      const lines: Array<[string, string]> = [
        ["id", run.id],
        ["status", describeState(run)],
        ["model", run.model],
        ...(run.agent ? [["agent", `${run.agent.name ?? run.agent.id} (version ${run.agent.version})`] as [string, string]] : []),
        ...(run.error ? [["error", `${run.error.code}: ${run.error.message}`] as [string, string]] : []),
        ["key", run.keyId],
        ["background", run.background ? "yes" : "no"],
        ["steps", `${run.steps} (${run.modelCalls} model calls, ${run.toolCalls} tool calls, ${run.pendingApprovals} pending approvals)`],
        ["tokens", `${run.inputTokens} in / ${run.outputTokens} out`],
        ["cost", formatDollars(run.costUsd)],
        ["created", formatTime(run.createdAt)],
        ["ended", formatTime(run.endedAt ?? undefined)],
      ];
      for (const [label, value] of lines) printLine(`${`${label}:`.padEnd(12)}${value}`);
    });

  runs
    .command("trace")
    .description("print a run's trace as an indented tree of spans: name, duration, tokens, cost")
    .argument("<id>", "the run id")
    .option("--json", "print the spans as JSON")
    .action(async (id: string, options: JsonFlag, command: Command) => {
      const trace = await withTraces(await resolveConfig(command), async (traces) => (await traces.trace(id, { keyId: undefined })) ?? notFound(id));
      if (options.json) {
        printJson((await loadApiViews()).traceView(trace));
        return;
      }
      const { formatTraceTree } = await import("../../traces/index.js");
      for (const line of formatTraceTree(trace)) printLine(line);
    });

  runs
    .command("cancel")
    .description("cancel a run (its in-flight model or tool call is stopped; pending approvals are denied)")
    .argument("<id>", "the run id")
    .action(async (id: string, _options: unknown, command: Command) => {
      const run = await withPlatform(await resolveConfig(command), async (platform) => {
        const before = (await platform.traces.get(id, { keyId: undefined })) ?? notFound(id);
        const record = await platform.runs.store.load(id);
        if (before.endedAt === null && record) await platform.runs.cancel(record.response);
        return { before, after: (await platform.traces.get(id, { keyId: undefined })) ?? before };
      });
      if (run.before.endedAt !== null) printLine(`run ${id} had already ended (${describeState(run.before)}); nothing to cancel`);
      else printLine(`cancelled run ${id} (${describeState(run.after)})`);
    });

  return runs;
}

function parseLimit(value: string): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > 100) throw new InvalidArgumentError("Must be an integer from 1 to 100.");
  return Number(trimmed);
}

function describeState(run: RunSummary): string {
  return run.incompleteReason ? `${run.state} (${run.incompleteReason})` : run.state;
}

function notFound(id: string): never {
  throw new NotFoundError({ message: `run ${id} not found`, param: "run_id" });
}

async function withTraces<Result>(config: Config, use: (traces: RunTraces) => Promise<Result>): Promise<Result> {
  const { createRunTraces } = await import("../../traces/index.js");
  return withDatabase(config, (database) => use(createRunTraces(database)));
}
