/** Scan latency (bench:guard): whole-input scans of 4 KB / 32 KB, per-chunk output rewriting, added time to first token. */
import type { PiiScanner } from "../src/guardrails/detectors/index.js";
import { detectorRule, guardOutputStream, PlaceholderVault, placeholderRule, StreamingRewriter } from "../src/guardrails/index.js";
import type { RewriteRule } from "../src/guardrails/streaming/rewrite-rule.js";
import { ContentFilterError, type LanguageModelStreamPart } from "../src/spec/index.js";

export function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

/** A small deterministic generator (mulberry32), so every run times the same inputs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Scans `samples` windows of `size` characters cut from the corpus at random offsets; returns milliseconds per scan
 * (`times`: the first scan of each; `best`: the least of `repeats` scans of the same text).
 */
export function measureInputScans(scanner: PiiScanner, corpus: string, size: number, samples: number, random: () => number, repeats = 1): { times: number[]; best: number[] } {
  const times: number[] = [];
  const best: number[] = [];
  for (let index = 0; index < samples + 20; index += 1) {
    const offset = Math.floor(random() * Math.max(1, corpus.length - size));
    const text = corpus.slice(offset, offset + size);
    let least = Infinity;
    for (let run = 0; run < repeats; run += 1) {
      const started = performance.now();
      scanner.scan(text);
      const elapsed = performance.now() - started;
      least = Math.min(least, elapsed);
      if (run === 0 && index >= 20) times.push(elapsed); // the first 20 warm up the JIT
    }
    if (index >= 20) best.push(least);
  }
  return { times, best };
}

/** The text cut into chunks of 1–16 characters (about one token each). */
export function chunksOf(text: string, random: () => number): string[] {
  const chunks: string[] = [];
  for (let position = 0; position < text.length; ) {
    const end = Math.min(text.length, position + 1 + Math.floor(random() * 16));
    chunks.push(text.slice(position, end));
    position = end;
  }
  return chunks;
}

/** The output rules of a request whose policy scans the model's answer: unmasking its placeholders, redacting what the detectors find. */
function outputRules(scanner: PiiScanner, vault: PlaceholderVault): RewriteRule[] {
  return [placeholderRule(vault), detectorRule(scanner, () => "redact")];
}

/**
 * Streams the text in chunks of 1–16 characters through the output rules a request runs with (a streaming rewriter
 * with the placeholder rule and the output detectors, as the gateway applies them): the time each chunk takes to
 * rewrite and release, and how many characters were held back after it. Returns milliseconds per chunk: `times` of
 * one stream, `best` the least over `repeats` identical streams fed chunk by chunk side by side.
 */
export function measureChunkScans(scanner: PiiScanner, text: string, random: () => number, repeats = 1): { times: number[]; best: number[]; held: number[] } {
  const chunks = chunksOf(text, random);
  const runs = Array.from({ length: repeats }, () => {
    const vault = new PlaceholderVault();
    vault.placeholderFor("EMAIL", "alice@example.com");
    return new StreamingRewriter(outputRules(scanner, vault));
  });
  const times: number[] = [];
  const best: number[] = [];
  const held: number[] = [];
  let released = 0;
  chunks.forEach((chunk, index) => {
    // The same chunk through `repeats` identical streams: the first run's time, and the least (what the code costs
    // without another process taking the CPU in between).
    let least = Infinity;
    runs.forEach((rewriter, run) => {
      const started = performance.now();
      const segment = rewriter.push(chunk);
      const elapsed = performance.now() - started;
      least = Math.min(least, elapsed);
      if (run === 0) {
        released = Math.max(released, segment.rawEnd);
        if (index >= 50) times.push(elapsed);
      }
    });
    if (index >= 50) {
      best.push(least); // the first 50 warm up the JIT
      held.push(runs[0]!.received - released);
    }
  });
  return { times, best, held };
}

/** Time until the first text part of `parts` comes out of `stream` (built over them), in milliseconds. */
async function timeToFirstText(parts: LanguageModelStreamPart[], stream: (source: ReadableStream<LanguageModelStreamPart>) => ReadableStream<LanguageModelStreamPart>): Promise<number> {
  const source = new ReadableStream<LanguageModelStreamPart>({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
  const started = performance.now();
  const reader = stream(source).getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    if (next.value.type === "text-delta" && next.value.delta.length > 0) break;
  }
  const elapsed = performance.now() - started;
  await reader.cancel();
  return elapsed;
}

/**
 * Added time to first token: answers that start at random places of the corpus, streamed in chunks of 1–16
 * characters that are all available at once, through the output guard (unmasking and output detectors, as a request
 * under `pii: mask` gets them) and through a plain pass-through stage; per answer, the difference between the times
 * their first text comes out (what the guard adds: holding back and scanning the chunks before its first release),
 * the least over `repeats` tries.
 */
export async function measureAddedTimeToFirstToken(scanner: PiiScanner, corpus: string, samples: number, random: () => number, repeats = 1): Promise<number[]> {
  const added: number[] = [];
  for (let index = 0; index < samples + 20; index += 1) {
    const offset = Math.floor(random() * Math.max(1, corpus.length - 2000));
    const parts: LanguageModelStreamPart[] = [
      { type: "stream-start", warnings: [] },
      ...chunksOf(corpus.slice(offset, offset + 2000), random).map((delta): LanguageModelStreamPart => ({ type: "text-delta", delta })),
      { type: "finish", finishReason: { unified: "stop" }, usage: { inputTokens: 1, outputTokens: 1 } },
    ];
    const vault = new PlaceholderVault();
    vault.placeholderFor("EMAIL", "alice@example.com");
    let least = Infinity;
    for (let run = 0; run < repeats; run += 1) {
      const plain = await timeToFirstText(parts, (source) => source.pipeThrough(new TransformStream<LanguageModelStreamPart, LanguageModelStreamPart>()));
      const guarded = await timeToFirstText(parts, (source) =>
        guardOutputStream(source, { rules: () => outputRules(scanner, vault), audit: async () => undefined, blocked: () => new ContentFilterError({ message: "blocked", code: "blocked" }) }),
      );
      least = Math.min(least, Math.max(0, guarded - plain));
    }
    if (index >= 20) added.push(least); // the first 20 warm up the JIT
  }
  return added;
}
