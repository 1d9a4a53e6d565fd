import { ContextOverflowError, InvalidRequestError } from "../spec/index.js";
import { tokensBeyond } from "./tokens-beyond.js";

/** L2-normalised copy of a vector (a zero vector stays as it is). */
export function normalizeEmbedding(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return norm > 0 ? vector.map((value) => value / norm) : [...vector];
}

/**
 * The tokens of one embedding input of either local engine: an empty input is a 400, and one far beyond the context is
 * refused from a bounded prefix before the whole text is tokenized.
 */
export function embeddingInputTokens<Token>(tokenize: (text: string) => Token[], value: string, index: number, contextSize: number): Token[] {
  if (value.length === 0) throw new InvalidRequestError({ message: `input[${index}] is empty`, param: "input" });
  const beyond = tokensBeyond(tokenize, [value], contextSize);
  if (beyond) {
    throw new ContextOverflowError({
      message: `input[${index}] exceeds the embedding context of ${contextSize - 1} tokens: its first ${beyond.characters} characters alone are ${beyond.tokens} tokens`,
      param: "input",
      code: "context_length_exceeded",
    });
  }
  return tokenize(value);
}

/** Refuses an input whose length (with the model's special tokens) does not fit the embedding context. */
export function assertEmbeddingLength(length: number, index: number, contextSize: number): void {
  if (length >= contextSize) {
    throw new ContextOverflowError({
      message: `input[${index}] has ${length} tokens, which exceeds the embedding context of ${contextSize - 1} tokens`,
      param: "input",
      code: "context_length_exceeded",
    });
  }
}
