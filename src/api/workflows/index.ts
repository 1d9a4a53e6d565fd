export { workflowStepRunners, type WorkflowStepRunnerOptions } from "./workflow-step-runners.js";
export { wireWorkflow, wireWorkflowRun, workflowsRoutes } from "./workflows-routes.js";
