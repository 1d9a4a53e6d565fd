import { toAiplusError } from "../../../errors/to-aiplus-error.js";

/**
 * Starts a model call with the first model that answers: `start(model)` for each of `models` in order, going on to
 * the next only when the call failed before any output with a retryable or unavailable error (5xx, 429, timeouts,
 * an unknown model); any other error, or the last model's, is thrown.
 */
export async function startWithFallback<Started>(models: readonly string[], start: (model: string) => Promise<Started>, onFallback?: (model: string, error: unknown) => void): Promise<Started> {
  for (const [index, model] of models.entries()) {
    try {
      return await start(model);
    } catch (error) {
      if (index === models.length - 1 || !canFallBack(error)) throw error;
      onFallback?.(model, error);
    }
  }
  throw new Error("no model to call");
}

function canFallBack(error: unknown): boolean {
  const { error: mapped } = toAiplusError(error);
  return mapped.isRetryable || mapped.statusCode >= 500 || mapped.statusCode === 404;
}
