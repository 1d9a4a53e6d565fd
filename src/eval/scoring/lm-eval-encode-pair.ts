import { InvalidRequestError } from "../../spec/index.js";
import type { LoglikelihoodBackend } from "../types.js";

export type LmEvalEncodingOptions = {
  /**
   * Whether the tokenizer adds BOS (lm-eval HEAD with an HF Llama tokenizer: yes; 0.4.x causal models: no;
   * llama.cpp: always when the GGUF asks). Pin it per model for parity. Defaults to `true`.
   */
  addBos?: boolean;
};

export type EncodedPair = { contextTokens: number[]; continuationTokens: number[] };

/**
 * lm-eval `_encode_pair`: trailing whitespace of the context moves to the front of the continuation;
 * then `whole = enc(context + continuation)`, `contextTokens = enc(context)` and the continuation is
 * `whole[len(contextTokens):]` (the split is on the token ids of the whole string). An empty context
 * is replaced by the prefix token (`prefix_token_id`), the continuation then encoded alone.
 */
export async function encodeLmEvalPair(
  backend: LoglikelihoodBackend,
  context: string,
  continuation: string,
  options: LmEvalEncodingOptions = {},
): Promise<EncodedPair> {
  const addBos = options.addBos ?? true;
  if (context === "") {
    return { contextTokens: await prefixTokens(backend), continuationTokens: await backend.tokenize(continuation, { addBos: false }) };
  }
  const trailing = context.length - context.trimEnd().length;
  let movedContext = context;
  let movedContinuation = continuation;
  if (trailing > 0) {
    movedContinuation = context.slice(context.length - trailing) + continuation;
    movedContext = context.slice(0, context.length - trailing);
  }
  const [whole, contextTokens] = await Promise.all([
    backend.tokenize(movedContext + movedContinuation, { addBos }),
    backend.tokenize(movedContext, { addBos }),
  ]);
  const continuationTokens = whole.slice(contextTokens.length);
  if (continuationTokens.length === 0) {
    throw new InvalidRequestError({ message: `continuation ${JSON.stringify(continuation)} encodes to no tokens after its context` });
  }
  // A context that was only whitespace (and no BOS) leaves nothing to condition on: use the prefix token.
  return { contextTokens: contextTokens.length > 0 ? contextTokens : await prefixTokens(backend), continuationTokens };
}

async function prefixTokens(backend: LoglikelihoodBackend): Promise<number[]> {
  if (backend.prefixTokenId !== undefined) return [backend.prefixTokenId];
  const tokens = await backend.tokenize("", { addBos: true });
  if (tokens.length === 0) throw new InvalidRequestError({ message: "empty context and the model has no BOS/prefix token" });
  return tokens.slice(0, 1);
}
