import { AiplusError, ContentFilterError, GuardrailFailureError, type LanguageModelStreamPart, type TokenLogprob } from "../../spec/index.js";
import type { GuardDecision } from "../audit/guard-audit.js";
import { LogprobAligner } from "./logprob-aligner.js";
import type { RewriteRule } from "./rewrite-rule.js";
import { StreamingRewriter, type RewrittenSegment } from "./streaming-rewriter.js";

export type OutputGuardOptions = {
  /** The rules for one text of the output; `escape` encodes unmasked values (a JSON string's escaping for tool arguments). */
  rules(escape: (value: string) => string): RewriteRule[];
  /** Writes decisions to the audit log before the text they concern is sent on (throws GuardrailFailureError). */
  audit(decisions: GuardDecision[]): Promise<void>;
  /** The error that ends the answer when an output rule blocks it. */
  blocked(decision: GuardDecision): ContentFilterError;
};

const jsonStringEscape = (value: string): string => JSON.stringify(value).slice(1, -1);

/**
 * Applies the output rules to a model's stream: text deltas go through a streaming rewriter that holds back only
 * what could still become a placeholder, an entity or the canary (with their log-probabilities realigned), a tool
 * call's arguments and an echoed prompt are rewritten whole (tool arguments as JSON), text held back is sent before a
 * tool call and before the final part. A rule that fails (a detector threw), an audit write that fails, or a
 * blocking decision ends the stream with an `error` part (no `finish`) and cancels the model's stream.
 */
export function guardOutputStream(source: ReadableStream<LanguageModelStreamPart>, options: OutputGuardOptions): ReadableStream<LanguageModelStreamPart> {
  const text = new StreamingRewriter(options.rules((value) => value));
  const aligner = new LogprobAligner();
  let sawLogprobs = false;

  async function decide(segment: RewrittenSegment, location: string): Promise<void> {
    const decisions: GuardDecision[] = [];
    for (const replacement of segment.replacements) {
      if (replacement.decision) {
        const { rule, action, entityType, value } = replacement.decision;
        decisions.push({ rule, action, entityType, value, location, start: replacement.start, end: replacement.end });
      }
    }
    if (decisions.length === 0) return;
    await options.audit(decisions);
    const block = decisions.find((decision) => decision.action === "block");
    if (block) throw options.blocked(block);
  }

  async function sendText(controller: TransformStreamDefaultController<LanguageModelStreamPart>, segment: RewrittenSegment, final: boolean): Promise<void> {
    await decide(segment, "output");
    const logprobs = sawLogprobs ? aligner.release(segment.rawEnd, segment.replacements, final) : undefined;
    if (segment.text.length > 0 || (logprobs !== undefined && logprobs.length > 0)) {
      controller.enqueue(logprobs === undefined ? { type: "text-delta", delta: segment.text } : { type: "text-delta", delta: segment.text, logprobs });
    }
  }

  function rewriteWhole(input: string, escape: (value: string) => string): RewrittenSegment {
    const rewriter = new StreamingRewriter(options.rules(escape));
    const first = rewriter.push(input);
    const rest = rewriter.flush();
    return { text: first.text + rest.text, rawStart: 0, rawEnd: rest.rawEnd, replacements: [...first.replacements, ...rest.replacements] };
  }

  async function handle(part: LanguageModelStreamPart, controller: TransformStreamDefaultController<LanguageModelStreamPart>): Promise<void> {
    switch (part.type) {
      case "text-delta": {
        if (part.logprobs) {
          sawLogprobs = true;
          aligner.add(text.received, part.delta, part.logprobs);
        }
        await sendText(controller, text.push(part.delta), false);
        return;
      }
      case "tool-call": {
        await sendText(controller, text.flush(), true);
        const segment = rewriteWhole(part.input, jsonStringEscape);
        await decide(segment, `tool_calls[${part.index}].arguments`);
        controller.enqueue({ ...part, input: segment.text });
        return;
      }
      case "prompt-echo": {
        const segment = rewriteWhole(part.text, (value) => value);
        await decide(segment, "prompt");
        controller.enqueue(part.logprobs ? { ...part, text: segment.text, logprobs: realignEcho(part.text, part.logprobs, segment) } : { ...part, text: segment.text });
        return;
      }
      case "finish":
      case "error":
        await sendText(controller, text.flush(), true);
        controller.enqueue(part);
        return;
      case "stream-start":
      case "response-metadata":
      case "progress":
        controller.enqueue(part);
        return;
      default:
        part satisfies never;
    }
  }

  const fail = (controller: TransformStreamDefaultController<LanguageModelStreamPart>, error: unknown): void => {
    const ended = AiplusError.isInstance(error)
      ? error
      : new GuardrailFailureError({ message: "an output guardrail failed; the answer was ended", cause: error });
    controller.enqueue({ type: "error", error: ended });
    controller.terminate();
  };
  let failed = false;
  return source.pipeThrough(
    new TransformStream<LanguageModelStreamPart, LanguageModelStreamPart>({
      async transform(part, controller) {
        if (failed) return;
        try {
          await handle(part, controller);
        } catch (error) {
          failed = true;
          fail(controller, error);
        }
      },
      async flush(controller) {
        if (failed) return;
        try {
          await sendText(controller, text.flush(), true);
        } catch (error) {
          failed = true;
          fail(controller, error);
        }
      },
    }),
  );
}

/** An echoed prompt's log-probabilities after rewriting (a `null` entry, the first token's, keeps its place). */
function realignEcho(raw: string, logprobs: readonly (TokenLogprob | null)[], segment: RewrittenSegment): (TokenLogprob | null)[] {
  if (segment.replacements.length === 0) return [...logprobs];
  const aligner = new LogprobAligner();
  const tokens = logprobs.filter((logprob): logprob is TokenLogprob => logprob !== null);
  aligner.add(0, raw, tokens);
  const rewritten = aligner.release(raw.length, segment.replacements, true);
  let next = 0;
  return logprobs.map((logprob) => (logprob === null ? null : (rewritten[next++] ?? logprob)));
}
