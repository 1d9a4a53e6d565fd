export { collectOutput, type CollectedOutput, type CollectOutputOptions, type ServerCall } from "./collect-output.js";
export { finishResponse, toResponseUsage } from "./finish-response.js";
export { functionName, inputItemSchema, type InputItem } from "./input-item-schema.js";
export { notSupportedYet } from "./not-supported-yet.js";
export { newResponseId, type ResponseIdGenerator, type ResponseIdPrefix } from "./response-ids.js";
export {
  createResponseRepository,
  type ItemPage,
  type ItemPageQuery,
  type ResponseRepository,
  type ResponseRepositoryOptions,
} from "./response-repository.js";
export { toChatMessages } from "./to-chat-messages.js";
export { toResponseItems } from "./to-response-items.js";
export type * from "./types.js";
export { createRunStore, type ApprovalRecord, type RunCommit, type RunRecord, type RunStep, type RunStepKind, type RunStore } from "./run-store.js";
