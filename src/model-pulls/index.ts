export { type CreatePullInput, defaultPullName, type ModelPull, ModelPullService, type ModelPullServiceOptions } from "./model-pull-service.js";
export { modelPullJobKind } from "./pull-job.js";
