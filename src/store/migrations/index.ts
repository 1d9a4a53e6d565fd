import type { Migration, MigrationProvider } from "kysely";
import * as foundation from "./0001-foundation.js";
import * as evaluation from "./0002-eval.js";
import * as jobsKnowledge from "./0003-jobs-knowledge.js";
import * as codeExecutionPermission from "./0004-code-execution-permission.js";
import * as usageStatus from "./0005-usage-status.js";
import * as knowledgeIdentity from "./0006-knowledge-identity.js";
import * as evalRunsImports from "./0007-eval-runs-imports.js";
import * as modelNameCase from "./0008-model-name-case.js";
import * as responses from "./0009-responses.js";
import * as attemptCost from "./0010-attempt-cost.js";
import * as mcp from "./0011-mcp.js";
import * as agents from "./0012-agents.js";
import * as runs from "./0013-runs.js";
import * as workflows from "./0014-workflows.js";
import * as mcpStdio from "./0015-mcp-stdio.js";
import * as consoleSessions from "./0016-console-sessions.js";
import * as knowledgeDocumentTasks from "./0020-knowledge-document-tasks.js";
import * as usageCreatedIndex from "./0019-usage-created-index.js";
import * as modelPulls from "./0018-model-pulls.js";
import * as guardrailPolicies from "./0023-guardrail-policies.js";
import * as auditLog from "./0024-audit-log.js";
import * as sharedRateLimits from "./0025-shared-rate-limits.js";
import * as auditRequestId from "./0028-audit-request-id.js";
import * as workflowVersionsNestedCosts from "./0029-workflow-versions-nested-costs.js";
import * as knowledgeCoveringPostings from "./0032-knowledge-covering-postings.js";
import * as knowledgePostgres from "./0026-knowledge-postgres.js";
import * as sharedState from "./0027-shared-state.js";

/** Migrations are TypeScript modules listed here in order (no folder scanning, so bundling works). */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      "0001-foundation": foundation,
      "0002-eval": evaluation,
      "0003-jobs-knowledge": jobsKnowledge,
      "0004-code-execution-permission": codeExecutionPermission,
      "0005-usage-status": usageStatus,
      "0006-knowledge-identity": knowledgeIdentity,
      "0007-eval-runs-imports": evalRunsImports,
      "0008-model-name-case": modelNameCase,
      "0009-responses": responses,
      "0010-attempt-cost": attemptCost,
      "0011-mcp": mcp,
      "0012-agents": agents,
      "0013-runs": runs,
      "0014-workflows": workflows,
      "0015-mcp-stdio": mcpStdio,
      "0016-console-sessions": consoleSessions,
      "0020-knowledge-document-tasks": knowledgeDocumentTasks,
      "0019-usage-created-index": usageCreatedIndex,
      "0018-model-pulls": modelPulls,
      "0023-guardrail-policies": guardrailPolicies,
      "0024-audit-log": auditLog,
      "0025-shared-rate-limits": sharedRateLimits,
      "0026-knowledge-postgres": knowledgePostgres,
      "0027-shared-state": sharedState,
      "0028-audit-request-id": auditRequestId,
      "0029-workflow-versions-nested-costs": workflowVersionsNestedCosts,
      "0032-knowledge-covering-postings": knowledgeCoveringPostings,
    };
  },
};
