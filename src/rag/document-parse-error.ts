import { AiplusError, type AiplusErrorOptions } from "../spec/errors/index.js";

/** Why a document could not be parsed. */
export type DocumentParseFailure = "unsupported" | "corrupt";

/**
 * A document that cannot be ingested: an unsupported format (400) or a corrupt / mislabelled file (422).
 * Raised per document; it never leaves a knowledge base half-written.
 */
export class DocumentParseError extends AiplusError {
  readonly statusCode: 400 | 422;
  readonly type = "invalid_request_error" as const;
  override readonly isRetryable = false;
  readonly failure: DocumentParseFailure;
  readonly documentName: string | undefined;

  constructor(options: AiplusErrorOptions & { failure: DocumentParseFailure; documentName?: string | undefined }) {
    super({ code: options.failure === "unsupported" ? "unsupported_document" : "corrupt_document", ...options });
    this.failure = options.failure;
    this.documentName = options.documentName;
    this.statusCode = options.failure === "unsupported" ? 400 : 422;
  }
}
