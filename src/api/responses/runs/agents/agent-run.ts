import { type AgentAccessor, type ResolvedAgent } from "../../../../agents/index.js";
import type { IncompleteReason, McpCallItem, ResponseParameters } from "../../../../responses/index.js";
import type { ServerTool } from "../../../../server-tools/index.js";
import type { ToolDefinition } from "../../../../spec/index.js";
import { dollarsToNanos } from "../../../../maas/index.js";
import type { RunExecution } from "../run-execution.js";
import type { ToolStepInput } from "../run-types.js";
import type { AgentRunSupport } from "./agent-run-support.js";
import { type AgentTurn, type AgentTurnContext, buildAgentTurn } from "./agent-turn.js";
import { ledgerCostNanos, nestedCallLedgerIds, type RunBudget } from "./run-cost.js";
import { writePlan } from "./write-plan.js";

/** The input of a `handoff` step: the tool step that transferred, and the agent the run continues with. */
export type HandoffStepInput = { transferStep: number; from: string; to: { id: string; version: number; name: string } };

/** What a model call of an agent's run uses: the parameters (instructions, tools), its server tools, its models. */
export type AgentCallSetup = { parameters: ResponseParameters; serverTools: ToolDefinition[]; models: string[] };

/**
 * A response run by an agent (`agent: {id, version}`): which agent is active (the response's, or the last one a
 * handoff moved to), its tools for the run loop, and what happens before each model call: handoff steps logged,
 * limits (`max_steps`, `max_cost`) checked, the plan written or revised. Everything is derived from the run's log,
 * so a resumed run continues with the same agent and plan.
 */
export class AgentRun {
  private turn!: AgentTurn;
  /** Every tool any turn of this execution offered (a reply's calls settle with the tools of the agent that made it). */
  private readonly tools = new Map<string, ServerTool>();

  private constructor(
    private readonly execution: RunExecution,
    private readonly support: AgentRunSupport,
    private readonly context: AgentTurnContext,
    private readonly root: ResolvedAgent,
  ) {}

  static async load(execution: RunExecution, support: AgentRunSupport): Promise<AgentRun> {
    const { run, principal, dependencies } = execution;
    const reference = run.parameters.agent!;
    const accessor: AgentAccessor = { keyId: run.keyId, isAdmin: principal.isAdmin };
    const root = await support.service.get(accessor, reference.id, reference.version);
    const context: AgentTurnContext = {
      support,
      registry: dependencies.tools,
      metering: dependencies.metering,
      logger: dependencies.logger,
      principal,
      accessor,
      userId: run.parameters.user ?? "",
      depth: 0,
      responseId: execution.id,
    };
    const maxCost = root.version.definition.limits.max_cost;
    const budget: RunBudget = {
      responseId: execution.id,
      maxCostNanos: maxCost === undefined ? undefined : dollarsToNanos(maxCost),
      spentNanos: async () => {
        const own = execution.steps.flatMap((step) => (step.ledgerRequestId !== null ? [step.ledgerRequestId] : []));
        return ledgerCostNanos(support.database, [...own, ...(await nestedCallLedgerIds(support.database, execution.id))]);
      },
    };
    context.budget = budget;
    const agentRun = new AgentRun(execution, support, context, root);
    await agentRun.prepareTurn();
    return agentRun;
  }

  /** A server tool of this run's agents by name (the run loop settles calls with it). */
  tool(name: string): ServerTool | undefined {
    return this.tools.get(name);
  }

  /**
   * Before each model call: logs handoffs, checks the run's limits (the response's agent's `max_steps`: model calls;
   * `max_cost`: dollars the ledger charged for the run's calls, its handed-off agents' and its agents used as tools'
   * nested calls included), rebuilds the active agent's turn (memory re-read),
   * and writes the plan (first call) or revises it (after a failed tool call). Returns why the run must end
   * incomplete, or undefined to go on.
   */
  async beforeModelCall(): Promise<IncompleteReason | undefined> {
    await this.logHandoffs();
    const { limits } = this.root.version.definition;
    const steps = this.execution.steps;
    if (limits.max_steps !== undefined && steps.filter((step) => step.kind === "model_call").length >= limits.max_steps) return "max_steps";
    const budget = this.context.budget;
    if (budget?.maxCostNanos !== undefined && (await budget.spentNanos()) >= budget.maxCostNanos) return "max_cost";
    await this.prepareTurn();
    if (this.turn.agent.version.definition.planning) {
      const plans = this.execution.steps.filter((step) => step.kind === "plan" && step.status === "completed");
      const failure = this.lastToolFailure(plans.at(-1)?.index ?? -1);
      if (plans.length === 0) await writePlan(this.execution, this.turn, this.context, { revision: 1, failure: undefined });
      else if (failure) await writePlan(this.execution, this.turn, this.context, { revision: plans.length + 1, failure });
    }
    return undefined;
  }

  /** The next model call's setup: the active agent's instructions with the plan and a reflection note, its tools. */
  callSetup(): AgentCallSetup {
    const { run } = this.execution;
    const plan = this.execution.response.output.findLast((item) => item.type === "plan");
    const lastModelCall = this.execution.steps.findLast((step) => step.kind === "model_call")?.index ?? -1;
    const failure = this.lastToolFailure(lastModelCall);
    const instructions = [
      this.turn.instructions,
      plan?.type === "plan" ? `Your plan (follow it; steps done so far are in the conversation):\n${plan.content}` : "",
      failure ? `Note: the tool ${failure.name} failed with: ${failure.error}. Reflect on why before going on; revise the plan if it no longer works.` : "",
    ]
      .filter((section) => section !== "")
      .join("\n\n");
    const requestServerTools = run.parameters.tools.flatMap((entry) => {
      if (entry.type !== "server_tool") return [];
      const tool = this.execution.dependencies.tools.get(entry.name);
      return tool ? [tool] : [];
    });
    requestServerTools.push(...this.execution.requestTools.values());
    const serverTools = [...this.turn.serverTools, ...requestServerTools].map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.parameters }));
    const parameters: ResponseParameters = { ...run.parameters, instructions, tools: [...this.turn.functionTools, ...run.parameters.tools] };
    return { parameters, serverTools, models: this.turn.models };
  }

  /** The agent active now: the response's, or the one the last logged handoff moved the run to. */
  private async activeAgent(): Promise<ResolvedAgent> {
    const handoff = this.execution.steps.findLast((step) => step.kind === "handoff");
    if (!handoff) return this.root;
    const { to } = handoff.input as HandoffStepInput;
    return this.support.service.get(this.context.accessor, to.id, to.version);
  }

  private async prepareTurn(): Promise<void> {
    const agent = await this.activeAgent();
    const isRoot = agent.agent.id === this.root.agent.id;
    this.turn = await buildAgentTurn(this.context, agent, {
      requestInstructions: this.execution.run.parameters.instructions,
      primaryModel: isRoot ? this.execution.run.parameters.model : undefined,
    });
    for (const tool of this.turn.serverTools) this.tools.set(tool.name, tool);
  }

  /** Logs a `handoff` step for each completed transfer call since the last one; the run's agent changes with it. */
  private async logHandoffs(): Promise<void> {
    const { steps } = this.execution;
    const lastHandoff = steps.findLast((step) => step.kind === "handoff");
    const after = lastHandoff ? (lastHandoff.input as HandoffStepInput).transferStep : -1;
    for (const step of steps.filter((candidate) => candidate.kind === "tool_call" && candidate.index > after && candidate.status === "completed")) {
      const target = this.turn.transfers.get((step.input as ToolStepInput).name);
      if (target === undefined || (step.output as McpCallItem | undefined)?.status !== "completed") continue;
      const next = await this.support.service.get(this.context.accessor, target);
      const input: HandoffStepInput = { transferStep: step.index, from: this.turn.agent.agent.name, to: { id: next.agent.id, version: next.version.version, name: next.agent.name } };
      await this.execution.commit({ insertStep: { index: this.execution.nextStepIndex, kind: "handoff", callId: step.callId, status: "completed", input, ledgerRequestId: null, firstEvent: this.execution.writer.next } });
      await this.prepareTurn();
    }
  }

  /** The last failed tool call after step `after`, if any. */
  private lastToolFailure(after: number): { name: string; error: string } | undefined {
    const step = this.execution.steps.findLast((candidate) => candidate.kind === "tool_call" && candidate.index > after && candidate.status === "completed");
    const item = step?.output as McpCallItem | undefined;
    return item?.status === "failed" ? { name: item.name, error: item.error ?? "unknown error" } : undefined;
  }
}
