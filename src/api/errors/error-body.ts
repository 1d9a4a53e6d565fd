import type { AiplusError } from "../../spec/index.js";

/** OpenAI's error JSON. */
export type OpenAIErrorBody = {
  error: { message: string; type: string; param: string | null; code: string | null };
};

export function errorBody(error: AiplusError): OpenAIErrorBody {
  return { error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code ?? null } };
}
