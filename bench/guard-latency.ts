/** Scan latency (bench:guard): whole-input scans of 4 KB / 32 KB and per-chunk output scanning over a held-back tail. */
import type { PiiScanner } from "../src/guardrails/detectors/index.js";

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

/** Scans `samples` windows of `size` characters cut from the corpus at random offsets; returns milliseconds per scan. */
export function measureInputScans(scanner: PiiScanner, corpus: string, size: number, samples: number, random: () => number): number[] {
  const times: number[] = [];
  for (let index = 0; index < samples + 20; index += 1) {
    const offset = Math.floor(random() * Math.max(1, corpus.length - size));
    const text = corpus.slice(offset, offset + size);
    const started = performance.now();
    scanner.scan(text);
    const elapsed = performance.now() - started;
    if (index >= 20) times.push(elapsed); // the first 20 warm up the JIT
  }
  return times;
}

/**
 * Streams the text in chunks of 1–16 characters (about one token each). For every chunk an output scanner scans the
 * tail it still holds — the last maxDetectionLength characters before the chunk plus the chunk — which is the work
 * that decides what can be released. Returns milliseconds per chunk.
 */
export function measureChunkScans(scanner: PiiScanner, text: string, random: () => number): number[] {
  const times: number[] = [];
  let position = 0;
  let chunkIndex = 0;
  while (position < text.length) {
    const chunkLength = 1 + Math.floor(random() * 16);
    const end = Math.min(text.length, position + chunkLength);
    const window = text.slice(Math.max(0, end - chunkLength - scanner.maxDetectionLength), end);
    const started = performance.now();
    scanner.scan(window);
    const elapsed = performance.now() - started;
    if (chunkIndex >= 50) times.push(elapsed);
    position = end;
    chunkIndex += 1;
  }
  return times;
}
