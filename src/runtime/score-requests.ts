import { ContextOverflowError, InvalidRequestError } from "../spec/index.js";
import type { PromptScoreRequest } from "./types.js";

/** Each request scores from a position inside its tokens (both engines' first check, before any model is used). */
export function assertScoreRanges(requests: readonly PromptScoreRequest[]): void {
  for (const request of requests) {
    if (!Number.isInteger(request.from) || request.from < 1 || request.from > request.tokens.length) {
      throw new InvalidRequestError({ message: `score request: from must be an integer from 1 to ${request.tokens.length}, got ${request.from}` });
    }
  }
}

/** Each scored sequence fits the model's context and holds only token ids of its vocabulary. */
export function assertScoreTokens(requests: readonly PromptScoreRequest[], contextSize: number, vocabularySize: number | undefined): void {
  const vocabulary = vocabularySize ?? Number.POSITIVE_INFINITY;
  for (const request of requests) {
    if (request.tokens.length > contextSize) {
      throw new ContextOverflowError({
        message: `a scored sequence has ${request.tokens.length} tokens, more than the model's context of ${contextSize} tokens`,
        code: "context_length_exceeded",
      });
    }
    if (request.tokens.some((token) => !Number.isInteger(token) || token < 0 || token >= vocabulary)) {
      throw new InvalidRequestError({ message: `score request: token ids must be integers from 0 to ${vocabulary - 1}` });
    }
  }
}
