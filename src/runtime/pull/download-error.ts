import { UpstreamError, type AiplusErrorOptions } from "../../spec/index.js";

/** Why a download failed; `unreachable` means the host could not be contacted at all. */
export type DownloadFailure = "unreachable" | "http-status" | "interrupted" | "checksum-mismatch" | "invalid-file" | "file-exists";

/**
 * `aiplus pull` failed: host unreachable, HTTP error, a cut connection (the `.partial` stays), a bad checksum or a
 * download that is not a complete GGUF file (`invalid-file`; deleted).
 */
export class DownloadError extends UpstreamError {
  readonly failure: DownloadFailure;

  constructor(options: AiplusErrorOptions & { failure: DownloadFailure; upstreamStatus?: number | undefined }) {
    super({ ...options, code: options.code ?? options.failure, isRetryable: options.failure === "unreachable" || options.failure === "interrupted" });
    this.failure = options.failure;
  }
}
