import { retrieve, type KnowledgeStore, type EmbeddedChunk, type KnowledgeBaseScope, type RetrievalMode } from "../src/rag/index.js";
import type { EmbeddingModel } from "../src/spec/index.js";
import type { BeirDataset } from "./rag-beir.js";

type Percentiles = { p50: number; p95: number };

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value ^= value + Math.imul(value ^ (value >>> 7), 61 | value);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function unitVector(next: () => number, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let index = 0; index < dimensions; index++) {
    vector[index] = next() * 2 - 1;
    norm += vector[index]! * vector[index]!;
  }
  for (let index = 0; index < dimensions; index++) vector[index]! /= Math.sqrt(norm);
  return vector;
}

function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}

/**
 * Query latency (excluding query embedding: the query vector is precomputed) of lexical, vector and hybrid
 * retrieval over synthetic chunks: 80-word windows of the dataset's corpus text with random unit vectors.
 */
export async function measureLatency(options: {
  openStore: (label: string) => Promise<{ store: KnowledgeStore; dispose: () => Promise<void> }>;
  /** Names the store in the printed lines. */
  label: string;
  dataset: BeirDataset;
  dimensions: number;
  sizes: number[];
}): Promise<Map<number, Record<RetrievalMode, Percentiles>>> {
  const words = options.dataset.corpus.flatMap((document) => `${document.title} ${document.text}`.split(/\s+/));
  const results = new Map<number, Record<RetrievalMode, Percentiles>>();
  for (const size of options.sizes) {
    const next = random(size);
    const { store, dispose } = await options.openStore(`latency-${size}`);
    const scope: KnowledgeBaseScope = { knowledgeBaseId: "latency", ownerId: "bench" };
    await store.createKnowledgeBase({ id: scope.knowledgeBaseId, ownerId: scope.ownerId, name: "latency" });
    const generation = await store.createGeneration(scope, { embeddingModelId: "synthetic", dimensions: options.dimensions, chunkSize: 128, chunkOverlap: 0 });
    const chunksPerDocument = 100;
    const started = performance.now();
    for (let documentIndex = 0; documentIndex < size / chunksPerDocument; documentIndex++) {
      const chunks: EmbeddedChunk[] = [];
      let text = "";
      for (let ordinal = 0; ordinal < chunksPerDocument; ordinal++) {
        const offset = Math.floor(next() * (words.length - 80));
        const chunkText = words.slice(offset, offset + 80).join(" ");
        chunks.push({
          documentId: `d${documentIndex}`, ordinal, text: chunkText, searchText: chunkText, title: undefined, headingPath: [], page: undefined,
          start: text.length, end: text.length + chunkText.length, tokenCount: 100, contentHash: `${documentIndex}:${ordinal}`, vector: unitVector(next, options.dimensions),
        });
        text += `${chunkText}\n\n`;
      }
      await store.writeDocument(scope, {
        document: { id: `d${documentIndex}`, name: `d${documentIndex}`, contentHash: String(documentIndex), title: undefined, format: "text", metadata: {}, parsed: { format: "text", text, blocks: [], warnings: [] } },
        generations: [{ generationId: generation.id, chunks }],
      });
    }
    console.log(`[${options.label}] latency index: ${size} chunks written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const queryVectors = new Map(options.dataset.queries.map((query) => [query.text, unitVector(next, options.dimensions)]));
    const model: EmbeddingModel = {
      specificationVersion: "v1", provider: "bench", modelId: "precomputed",
      async doEmbed({ values }) {
        return { embeddings: values.map((value) => [...queryVectors.get(value)!]), usage: { inputTokens: undefined } };
      },
    };
    const measured = {} as Record<RetrievalMode, Percentiles>;
    for (const mode of ["lexical", "vector", "hybrid"] as const) {
      const samples: number[] = [];
      for (const round of [0, 1]) {
        for (const query of options.dataset.queries) {
          const begin = performance.now();
          await retrieve({ store, scope, query: query.text, mode, limit: 10, embeddingModelFor: () => model });
          if (round === 1) samples.push(performance.now() - begin);
        }
      }
      measured[mode] = percentiles(samples);
      console.log(`[${options.label}] latency @${size} chunks ${mode.padEnd(7)} p50=${measured[mode].p50.toFixed(1)} ms p95=${measured[mode].p95.toFixed(1)} ms`);
    }
    results.set(size, measured);
    await dispose();
  }
  return results;
}
