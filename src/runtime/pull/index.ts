export { DownloadError, type DownloadFailure } from "./download-error.js";
export { pullModel, type PullModelOptions, type PullProgress, type PullResult } from "./pull-model.js";
export { type PullSource, resolvePullSource } from "./resolve-pull-source.js";
