export type { AppDependencies } from "./app-dependencies.js";
export type { AppEnvironment, AppVariables } from "./app-environment.js";
export { createApp } from "./create-app.js";
export { errorBody, type OpenAIErrorBody } from "./errors/error-body.js";
export { InFlightRequests } from "./metering/index.js";
export { workflowStepRunners } from "./workflows/index.js";
export { createResponseRunService, type ResponseRunService, type ResponseRunServiceOptions } from "./responses/index.js";
