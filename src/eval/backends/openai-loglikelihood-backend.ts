import { z } from "zod";
import { InvalidRequestError, UpstreamError } from "../../spec/index.js";
import type { LoglikelihoodBackend, ScoreTokensOptions, TokenizeOptions, TokenScoreRequest } from "../types.js";
import { describeUpstream, invalidAnswer, type OpenAiUpstreamOptions, upstreamModelOf } from "./openai-compatible-client.js";

export type OpenAiLoglikelihoodOptions = OpenAiUpstreamOptions & {
  /**
   * `max_tokens` of the echo requests. Defaults to 1 (aiplus requires a positive value; the generated token is
   * ignored). Use 0 for servers that accept it (OpenAI's legacy API).
   */
  maxTokens?: number | undefined;
  /** Checked before any text is sent to a route (the guardrails of that provider: throws to refuse it). */
  checkText?: ((text: string, providerName: string, requestId: string | undefined) => Promise<void>) | undefined;
};

const echoSchema = z.object({
  choices: z
    .array(
      z.object({
        logprobs: z.object({
          tokens: z.array(z.string()),
          token_logprobs: z.array(z.number().nullable()),
          text_offset: z.array(z.number()).optional(),
        }),
      }),
    )
    .min(1),
});

/** Token id of the (virtual) BOS: the server adds its own BOS; the echo starts with the first text token. */
const bosId = 1;

/**
 * A `LoglikelihoodBackend` over an OpenAI-compatible `/v1/completions` that returns prompt log-probabilities
 * (`echo: true, logprobs: 1`; aiplus's own API does). Token ids are local: each distinct echoed token text gets an
 * id, and scoring sends the tokens' text back, checking that the server tokenises it the same way. The server's
 * first prompt token has no log-probability (OpenAI's `null`), so a request cannot score the first text token.
 */
export function createOpenAiLoglikelihoodBackend(options: OpenAiLoglikelihoodOptions): LoglikelihoodBackend {
  const texts: string[] = ["", ""];
  const ids = new Map<string, number>();
  const idOf = (text: string): number => {
    let id = ids.get(text);
    if (id === undefined) {
      id = texts.length;
      texts.push(text);
      ids.set(text, id);
    }
    return id;
  };

  const upstream = upstreamModelOf(options);

  /** One echo request, on the first route that answers (the route's name is told to `onRoute`). */
  function echo(text: string, signal: AbortSignal | undefined, onRoute?: ((route: string) => void) | undefined, requestId?: string | undefined): Promise<{ pieces: string[]; logprobs: (number | null)[] }> {
    return upstream.call(async (route) => {
      await options.checkText?.(text, route.providerName, requestId);
      const body = { model: route.modelId, prompt: text, echo: true, logprobs: 1, max_tokens: options.maxTokens ?? 1, temperature: 0 };
      const reply = await route.postJson("/completions", body, signal);
      const parsed = echoSchema.safeParse(reply.json);
      if (!parsed.success) throw invalidAnswer(route, "a completions echo without prompt logprobs", reply, parsed.error.message);
      const echoed = echoedPrompt(text, parsed.data.choices[0]!.logprobs);
      onRoute?.(route.providerName);
      return echoed;
    }, signal);
  }

  return {
    description: describeUpstream(options),
    prefixTokenId: bosId,
    async tokenize(text: string, tokenizeOptions: TokenizeOptions): Promise<number[]> {
      const tokens = text === "" ? [] : (await echo(text, undefined)).pieces.map(idOf);
      return tokenizeOptions.addBos ? [bosId, ...tokens] : tokens;
    },
    async scoreTokens(requests: readonly TokenScoreRequest[], scoreOptions: ScoreTokensOptions = {}): Promise<number[][]> {
      return Promise.all(
        requests.map(async (request) => {
          const offset = request.tokens[0] === bosId ? 1 : 0;
          const textTokens = request.tokens.slice(offset);
          if (textTokens.some((token) => texts[token] === undefined || token === bosId)) {
            throw new InvalidRequestError({ message: "score request holds token ids this backend did not produce" });
          }
          const text = textTokens.map((token) => texts[token]).join("");
          const answer = await echo(text, scoreOptions.signal, scoreOptions.onRoute, scoreOptions.requestId);
          const same = answer.pieces.length === textTokens.length && answer.pieces.every((piece, index) => piece === texts[textTokens[index]!]);
          if (!same) throw new UpstreamError({ message: "the server tokenised the scored text differently from the requested tokens", isRetryable: false });
          const values: number[] = [];
          for (let position = request.from; position < request.tokens.length; position++) {
            const value = answer.logprobs[position - offset];
            if (value === null || value === undefined) {
              throw new InvalidRequestError({ message: "the server gives no log-probability for the first prompt token; score from a later token", code: "unscorable_token" });
            }
            values.push(value);
          }
          return values;
        }),
      );
    },
  };
}

/** The prompt's pieces and log-probabilities in an echo answer (the prompt tokens come first, then the generated ones). */
function echoedPrompt(text: string, logprobs: z.output<typeof echoSchema>["choices"][number]["logprobs"]): { pieces: string[]; logprobs: (number | null)[] } {
  const offsets = logprobs.text_offset;
  // the generated tokens' offsets start at the prompt's end
  const pieces: string[] = [];
  const values: (number | null)[] = [];
  for (let index = 0; index < logprobs.tokens.length; index++) {
    const start = offsets?.[index];
    if (start !== undefined && start >= text.length) break;
    const end = offsets?.[index + 1];
    const piece = start !== undefined ? text.slice(start, end === undefined || end > text.length ? text.length : end) : logprobs.tokens[index]!;
    pieces.push(piece);
    values.push(logprobs.token_logprobs[index] ?? null);
    if (start === undefined && pieces.join("").length >= text.length) break;
  }
  if (pieces.join("") !== text) throw new UpstreamError({ message: "the completions echo does not reproduce the prompt", isRetryable: false });
  return { pieces, logprobs: values };
}
