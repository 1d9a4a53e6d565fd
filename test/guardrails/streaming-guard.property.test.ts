import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createPiiScanner, detectorRule, guardOutputStream, PlaceholderVault, placeholderRule, StreamingRewriter } from "../../src/guardrails/index.js";
import { ContentFilterError, type LanguageModelStreamPart, type TokenLogprob } from "../../src/spec/index.js";

// Streaming-safe output: however the model's answer is chunked (single UTF-16 units, splits inside surrogate pairs,
// inside placeholders and inside entities), unmasking reproduces the exact text and masking never lets a value out.

const encoder = new TextEncoder();

/** Splits `text` at the given UTF-16 positions (surrogate pairs may be split). */
function chunk(text: string, cuts: readonly number[]): string[] {
  const positions = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((left, right) => left - right);
  const pieces: string[] = [];
  let previous = 0;
  for (const position of positions) {
    if (position > previous) pieces.push(text.slice(previous, position));
    previous = Math.max(previous, position);
  }
  if (previous < text.length) pieces.push(text.slice(previous));
  return pieces;
}

/** Runs text-delta parts (each with one logprob token equal to its text) through the output guard; returns text and tokens. */
async function run(pieces: readonly string[], rules: Parameters<typeof guardOutputStream>[1]["rules"]): Promise<{ text: string; tokens: string; error: unknown }> {
  const source = new ReadableStream<LanguageModelStreamPart>({
    start(controller) {
      controller.enqueue({ type: "stream-start", warnings: [] });
      for (const piece of pieces) {
        const logprob: TokenLogprob = { token: piece, bytes: [...encoder.encode(piece)], logprob: -0.5, topLogprobs: [{ token: piece, bytes: [], logprob: -0.5 }] };
        controller.enqueue({ type: "text-delta", delta: piece, logprobs: [logprob] });
      }
      controller.enqueue({ type: "finish", finishReason: { unified: "stop" }, usage: { inputTokens: 1, outputTokens: pieces.length } });
      controller.close();
    },
  });
  const guarded = guardOutputStream(source, { rules, audit: async () => undefined, blocked: (decision) => new ContentFilterError({ message: "blocked", code: decision.rule }) });
  let text = "";
  let tokens = "";
  let error: unknown;
  const reader = guarded.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    const part = next.value;
    if (part.type === "text-delta") {
      text += part.delta;
      tokens += (part.logprobs ?? []).map((logprob) => logprob.token).join("");
    }
    if (part.type === "error") error = part.error;
  }
  return { text, tokens, error };
}

const vault = new PlaceholderVault();
const secrets = ["alice@example.com", "Jürgen 😀 Müller", "+1 415 555 2671", 'quote " and \\ backslash'];
const issued = secrets.map((value, index) => vault.placeholderFor(index % 2 === 0 ? "EMAIL" : "PERSON", value));

/** Fragments that stress the unmasker: issued and invented placeholders, their prefixes, brackets, astral characters. */
const unmaskFragment = fc.oneof(
  fc.constantFrom(...issued),
  fc.constantFrom(...issued.map((placeholder) => placeholder.slice(0, placeholder.length - 1))),
  fc.constantFrom("[EMAIL_9]", "[EMAIL_", "[", "]", "_", "[[", "[EMAIL_1", "[EMAIL_11]", "😀", "\u{1F9EA}", "é"),
  fc.string({ unit: "binary", maxLength: 6 }),
);

describe("streaming unmasking", () => {
  it("reproduces exactly the unmasked text for any chunking, with logprob tokens concatenating to it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(unmaskFragment, { maxLength: 40 }), fc.array(fc.nat({ max: 400 }), { maxLength: 60 }), async (fragments, cuts) => {
        const text = fragments.join("");
        const result = await run(chunk(text, cuts), (escape) => [placeholderRule(vault, escape)]);
        expect(result.error).toBeUndefined();
        expect(result.text).toBe(vault.unmask(text));
        expect(result.tokens).toBe(result.text);
      }),
      { numRuns: 300 },
    );
  });

  it("single-character chunks, surrogate pairs split in two, are reproduced exactly", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(unmaskFragment, { maxLength: 30 }), async (fragments) => {
        const text = fragments.join("");
        const result = await run(text.split(""), (escape) => [placeholderRule(vault, escape)]);
        expect(result.text).toBe(vault.unmask(text));
      }),
      { numRuns: 200 },
    );
  });
});

describe("streaming output detectors (mask mode)", () => {
  const scanner = createPiiScanner({ entityTypes: ["CREDIT_CARD", "US_SSN", "IBAN_CODE", "PHONE_NUMBER", "EMAIL_ADDRESS"] });
  const entityValues = ["4111 1111 1111 1111", "5500-0000-0000-0004", "123-45-6789", "DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32", "+44 20 7946 0958", "carol.white@example.net"];
  /** Filler without digits or @, so every value stands apart. */
  const filler = fc.string({ unit: fc.constantFrom(..."abcdefghij KLMNOP.,;:!?-()é😀\u{1F9EA}".split(/(?:)/u)), maxLength: 12 });
  const maskedText = fc.array(fc.oneof(fc.constantFrom(...entityValues).map((value) => ` ${value} `), filler), { maxLength: 24 });

  it("never lets a detected value out, whatever the chunking, and matches the answer rewritten in one piece", async () => {
    const rules = () => [detectorRule(scanner, () => "redact")];
    await fc.assert(
      fc.asyncProperty(maskedText, fc.array(fc.nat({ max: 600 }), { maxLength: 80 }), async (fragments, cuts) => {
        const text = fragments.join("");
        const streamed = await run(chunk(text, cuts), rules);
        const whole = await run([text], rules);
        for (const value of entityValues) {
          expect(streamed.text).not.toContain(value);
          expect(streamed.tokens).not.toContain(value);
        }
        expect(streamed.text).toBe(whole.text);
        expect(streamed.tokens).toBe(streamed.text);
      }),
      { numRuns: 150 },
    );
  });

  it("single-character chunks never let a value out", async () => {
    const rules = () => [detectorRule(scanner, () => "redact")];
    await fc.assert(
      fc.asyncProperty(maskedText, async (fragments) => {
        const text = fragments.join("");
        const streamed = await run(text.split(""), rules);
        for (const value of entityValues) expect(streamed.text).not.toContain(value);
      }),
      { numRuns: 60 },
    );
  });

  it("unmasking and output detection together: the caller's values come back, the model's own are redacted", async () => {
    const both = new PlaceholderVault();
    const placeholder = both.placeholderFor("EMAIL", "dave@example.com");
    const text = `Write to ${placeholder}, not to carol.white@example.net or 4111 1111 1111 1111.`;
    for (const cuts of [[], [3, 9, 10, 11, 12, 20, 33, 40], Array.from({ length: text.length }, (_, index) => index)]) {
      const result = await run(chunk(text, cuts), (escape) => [placeholderRule(both, escape), detectorRule(scanner, () => "redact")]);
      expect(result.text).toBe("Write to dave@example.com, not to [REDACTED_EMAIL] or [REDACTED_CARD].");
    }
  });

  it("a blocking output rule ends the stream with a content_filter error and nothing of the value", async () => {
    const text = "the number is 4111 1111 1111 1111 ok";
    const result = await run(chunk(text, [5, 17, 18, 30]), () => [detectorRule(scanner, () => "block")]);
    expect(result.error).toBeInstanceOf(ContentFilterError);
    expect(result.text).not.toContain("4111");
  });
});

describe("incremental output scanning with every detector", () => {
  const scanner = createPiiScanner({ entityTypes: "all" });
  const pem = `-----BEGIN EC PRIVATE KEY-----\n${"MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5OmgBsSCwLpK7oAoGCCqGSM49\n".repeat(3)}-----END EC PRIVATE KEY-----`;
  /** Values every detector family finds on its own, between spaces. */
  const values = [
    "4111 1111 1111 1111",
    "123-45-6789",
    "DE89 3704 0044 0532 0130 00",
    "+44 20 7946 0958",
    "carol.white@example.net",
    "10.1.2.3",
    "https://internal.example.com/reports/q3?id=42",
    "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD",
    "AKIAIOSFODNN7EXAMPLE",
    "11010519491231002X",
    "X1234567L",
    pem,
  ];
  /** Prose: lower-case words, capitalised words and names, punctuation, astral characters. */
  const filler = fc.oneof(
    fc.constantFrom("the", "report", "was", "sent", "to", "Alice Goldberg", "in", "Amsterdam", "by", "Mr", "Bank", "of", "ok", "Hello", "THE END", "ext", "x"),
    fc.string({ unit: fc.constantFrom(..."abcdefghij KLMNOP.,;:!?-()é😀\u{1F9EA}\n".split(/(?:)/u)), maxLength: 8 }),
  );
  const text = fc.array(fc.oneof(fc.constantFrom(...values).map((value) => ` ${value} `), filler.map((word) => `${word} `)), { maxLength: 30 });

  it("never lets a value out, whatever the chunking, and matches the answer scanned in one piece", async () => {
    const rules = () => [detectorRule(scanner, () => "redact")];
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat({ max: 900 }), { maxLength: 120 }), async (fragments, cuts) => {
        const answer = fragments.join("");
        const streamed = await run(chunk(answer, cuts), rules);
        const whole = await run([answer], rules);
        for (const value of values) expect(streamed.text).not.toContain(value);
        expect(streamed.text).toBe(whole.text);
        expect(streamed.tokens).toBe(streamed.text);
      }),
      { numRuns: 150 },
    );
  });

  it("single-character chunks never let a value out and match the answer scanned in one piece", async () => {
    const rules = () => [detectorRule(scanner, () => "redact")];
    await fc.assert(
      fc.asyncProperty(text, async (fragments) => {
        const answer = fragments.join("");
        const streamed = await run(answer.split(""), rules);
        for (const value of values) expect(streamed.text).not.toContain(value);
        expect(streamed.text).toBe((await run([answer], rules)).text);
      }),
      { numRuns: 40 },
    );
  });

  it("holds back only what could still become a value: prose goes on at once, a number waits until it is complete", () => {
    const rewriter = new StreamingRewriter([detectorRule(scanner, () => "redact")]);
    expect(rewriter.push("the answer is plain, so it goes ").text).toBe("the answer is plain, so it goes ");
    // An unfinished word may still become an e-mail address or a token.
    expect(rewriter.push("straight out").text).toBe("straight ");
    expect(rewriter.push(" and the card 4111 1111").text).toBe("out and the card ");
    expect(rewriter.push(" 1111 11").text).toBe("");
    expect(rewriter.push("11 is gone").text).toBe("[REDACTED_CARD] is ");
    // A private key is held from its BEGIN line until its END line.
    expect(rewriter.push(` now ${pem.slice(0, 40)}`).text).toBe("gone now ");
    expect(rewriter.push(pem.slice(40, -10)).text).toBe("");
    // A value that just ended may still grow for a few characters (`2671` then ` ext. 12`).
    expect(rewriter.push(`${pem.slice(-10)} and `).text).toBe("");
    expect(rewriter.push("then it is done ").text).toBe("[REDACTED_SECRET] and then it is done ");
    expect(rewriter.flush().text).toBe("");
  });
});
