/**
 * The HTTP API's JSON views: every `--json` output prints what the API returns for the same thing (snake_case fields,
 * unix seconds in `*_at` fields). Loaded inside actions (`await loadApiViews()`), so `--help` stays fast.
 */
export async function loadApiViews() {
  const [keys, models, providers, prices, usage, policies, audit, runs, workflows, agents, mcp, knowledge, evals] = await Promise.all([
    import("../api/admin/keys-routes.js"),
    import("../api/admin/model-view.js"),
    import("../api/admin/providers-routes.js"),
    import("../api/admin/prices-routes.js"),
    import("../api/admin/usage-routes.js"),
    import("../api/admin/policies-routes.js"),
    import("../api/admin/audit-routes.js"),
    import("../api/runs/run-wire.js"),
    import("../api/workflows/workflows-routes.js"),
    import("../api/agents/agent-wire.js"),
    import("../api/mcp/mcp-wire.js"),
    import("../api/knowledge/knowledge-wire.js"),
    import("../api/evals/eval-wire.js"),
  ]);
  return {
    keyView: keys.keyView,
    modelView: models.toRegisteredModelView,
    providerView: providers.toProviderRecordView,
    priceView: prices.toPriceView,
    usageRowView: usage.toRowView,
    policyView: policies.policyView,
    auditView: audit.auditView,
    runView: runs.toRunView,
    traceView: runs.toTraceView,
    workflowView: workflows.wireWorkflow,
    workflowRunView: workflows.wireWorkflowRun,
    workflowVersionView: workflows.wireWorkflowVersion,
    agentView: agents.wireAgent,
    agentSummaryView: agents.wireAgentSummary,
    mcpServerView: mcp.wireMcpServer,
    mcpToolView: mcp.wireMcpTool,
    knowledgeBaseView: knowledge.wireKnowledgeBase,
    documentView: knowledge.wireDocument,
    passageView: knowledge.wirePassage,
    ingestResultView: knowledge.wireIngestResult,
    evalTaskView: evals.wireEvalTask,
    evalDatasetView: evals.wireEvalDataset,
    leaderboardView: evals.wireLeaderboard,
  };
}
