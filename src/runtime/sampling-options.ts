import { randomInt } from "node:crypto";
import { TokenBias, type LlamaModel, type SequenceEvaluateOptions, type Token } from "node-llama-cpp";
import type { SamplingOptions } from "../spec/index.js";

/** OpenAI's default temperature. */
const defaultTemperature = 1;

/** Seeds are unsigned 32-bit integers in llama.cpp. */
const seedLimit = 2 ** 32;

/** A fresh random seed for a call that sets none (node-llama-cpp's own default, the epoch second, repeats). */
export function randomSeed(): number {
  return randomInt(0, seedLimit);
}

/**
 * A TokenBias from OpenAI `logit_bias` (-100..100 added to logits; -100 bans). node-llama-cpp's public
 * `set` ignores bans of end-of-generation tokens, so the bias map is filled directly: banning EOS is how
 * clients ask for exactly `max_tokens` tokens.
 */
function tokenBiasFor(model: LlamaModel, logitBias: Record<number, number>): TokenBias | undefined {
  const entries = Object.entries(logitBias);
  if (entries.length === 0) return undefined;
  const bias = TokenBias.for(model);
  const biases = (bias as unknown as { _biases: Map<Token, number> })._biases;
  for (const [token, value] of entries) {
    biases.set(Number(token) as Token, value <= -100 ? Number.NEGATIVE_INFINITY : value);
  }
  return bias;
}

/**
 * Maps OpenAI-style sampling settings onto node-llama-cpp evaluate options. Temperature 0 is greedy;
 * top-k and top-p are off unless set (node-llama-cpp would otherwise apply 40 / 0.95).
 * `generatedTokens` feeds presence/frequency penalties. Without a `seed`, every call samples from a fresh random
 * seed (`newSeed`, defaults to {@link randomSeed}); the same seed gives the same tokens.
 */
export function evaluateOptionsFor(
  model: LlamaModel,
  sampling: SamplingOptions,
  generatedTokens: () => Token[],
  newSeed: () => number = randomSeed,
): SequenceEvaluateOptions {
  const temperature = sampling.temperature ?? defaultTemperature;
  const options: SequenceEvaluateOptions = {
    temperature,
    topK: sampling.topK ?? 0,
    topP: sampling.topP ?? 1,
    minP: sampling.minP ?? 0,
    yieldEogToken: true,
    seed: sampling.seed ?? newSeed(),
  };
  if (sampling.presencePenalty || sampling.frequencyPenalty) {
    options.repeatPenalty = {
      punishTokens: generatedTokens,
      penalty: 1,
      presencePenalty: sampling.presencePenalty ?? 0,
      frequencyPenalty: sampling.frequencyPenalty ?? 0,
    };
  }
  const tokenBias = sampling.logitBias ? tokenBiasFor(model, sampling.logitBias) : undefined;
  if (tokenBias) options.tokenBias = tokenBias;
  return options;
}
