import { LlamaGrammarEvaluationState, type Llama, type LlamaGrammar, type LlamaModel, type Token } from "node-llama-cpp";

/** The part of node-llama-cpp's native binding that llama.cpp's grammar sampler exposes (see grammarAcceptance). */
type GrammarSamplerBinding = {
  canBeNextTokenForGrammarEvaluationState(state: unknown, token: Token): boolean;
  acceptGrammarEvaluationStateToken(state: unknown, token: Token): void;
};

/** How far a grammar follows a text: fully (and complete), up to a character, or not at all. */
export type GrammarAcceptance =
  | { accepted: true }
  | { accepted: false; reason: "rejected-token"; offset: number; tokenText: string }
  | { accepted: false; reason: "incomplete"; offset: number }
  | { accepted: false; reason: "tokenization"; offset: number };

export type GrammarAcceptanceOptions = {
  /**
   * Require the grammar to be complete after the text (default true). False accepts a text the grammar can continue,
   * as generation does for JSON output, which stops at the first complete JSON value whatever the grammar allows next.
   */
  requireComplete?: boolean | undefined;
};

function samplerBinding(llama: Llama): GrammarSamplerBinding {
  const binding = (llama as unknown as { _bindings?: { AddonSampler?: Partial<GrammarSamplerBinding> } })._bindings?.AddonSampler;
  if (typeof binding?.canBeNextTokenForGrammarEvaluationState !== "function" || typeof binding.acceptGrammarEvaluationStateToken !== "function") {
    throw new Error("this node-llama-cpp build does not expose the grammar sampler (AddonSampler.canBeNextTokenForGrammarEvaluationState)");
  }
  return binding as GrammarSamplerBinding;
}

/**
 * Whether `grammar` lets `model` generate exactly `text` and then stop. The text is tokenized with the model's own
 * tokenizer (no leading space, so the token pieces concatenate to `text` exactly; checked), then each token goes
 * through llama.cpp's grammar sampler exactly as in generation: the token must survive the grammar's logit filter
 * (`llama_sampler_apply` on that one candidate), then it is accepted into the state (`llama_sampler_accept`).
 * At the end the end-of-generation token must be allowed, which llama.cpp grants only when the grammar is complete,
 * so a text that is merely a prefix of a grammar match is rejected. This uses node-llama-cpp's native binding
 * (`AddonSampler`, the same calls its own LlamaContext uses to check draft tokens) because no public method tests a
 * token against a grammar state without sampling from a context.
 */
export function grammarAcceptance(llama: Llama, model: LlamaModel, grammar: LlamaGrammar, text: string, options: GrammarAcceptanceOptions = {}): GrammarAcceptance {
  const binding = samplerBinding(llama);
  const tokens = model.tokenize(text, false, "trimLeadingSpace");
  const context = model.tokenize("x", false, "trimLeadingSpace");
  if (model.detokenize(tokens, false, context) !== text) return { accepted: false, reason: "tokenization", offset: 0 };
  const state = (new LlamaGrammarEvaluationState({ model, grammar }) as unknown as { _state: unknown })._state;
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    if (!binding.canBeNextTokenForGrammarEvaluationState(state, token)) {
      const offset = index === 0 ? 0 : model.detokenize(tokens.slice(0, index), false, context).length;
      return { accepted: false, reason: "rejected-token", offset, tokenText: model.detokenize([token], false, tokens.slice(Math.max(0, index - 1), index)) };
    }
    binding.acceptGrammarEvaluationStateToken(state, token);
  }
  if (options.requireComplete === false) return { accepted: true };
  const endToken = model.tokens.eos ?? model.tokens.eot;
  if (endToken === null || !binding.canBeNextTokenForGrammarEvaluationState(state, endToken)) return { accepted: false, reason: "incomplete", offset: text.length };
  return { accepted: true };
}
