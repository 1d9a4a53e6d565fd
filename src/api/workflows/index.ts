export { workflowStepRunners, type WorkflowStepRunnerOptions } from "./workflow-step-runners.js";
export { wireWorkflow, wireWorkflowRun, wireWorkflowVersion, workflowsRoutes } from "./workflows-routes.js";
