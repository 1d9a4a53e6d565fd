/**
 * npm run bench:rag [-- --dataset DIR] [--embedding-model NAME|PATH.gguf] [--quality-only] [--lexical-weight W] [--vector-weight W]
 *   [--store sqlite|postgres] [--latency-sizes 10000,100000] [--only quality,ingest,latency] [--ingest-documents 300] [--ingest-rounds 2]
 * (NAME: a local embedding model registered in $AIPLUS_HOME.)
 * Retrieval quality (nDCG@10, Recall@10, MRR@10 of lexical / vector / hybrid through ingestDocument + retrieve),
 * ingestion throughput as a ratio of the raw embedding throughput of the same model, and query latency p50/p95
 * at 10k and 100k synthetic chunks. Last line: `rag: ingest/embed=… hybrid_p95_ms@100k=… ndcg10_lexical=…`.
 * `--store postgres` measures the SQLite default and the PostgreSQL store (pgvector HNSW + BM25 postings; on
 * AIPLUS_TEST_POSTGRES_URL, else a throwaway local PostgreSQL) side by side; last line `rag(postgres): …`.
 * `--only` runs some of the three parts (e.g. `--only ingest` or `--only latency --latency-sizes 20000`); the last
 * lines then carry only their figures.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  chunkDocument, defaultHybridWeights, type Embedder, ingestDocuments, type KnowledgeStore, parseDocument, retrieve, type KnowledgeBaseScope, type RetrievalMode,
} from "../src/rag/index.js";
import type { EmbeddingModel } from "../src/spec/index.js";
import { createRuntime, inspectGguf } from "../src/runtime/index.js";
import { testModelPath } from "../test/support/test-models.js";
import { loadLlamaTestEmbedder, type LlamaTestEmbedder } from "../test/rag/support/llama-embedding-model.js";
import { loadBeirDataset, rankingMetrics, type BeirDataset } from "./rag-beir.js";
import { measureLatency } from "./rag-latency.js";
import { benchStoreKinds, type BenchStoreKind, openBenchStore } from "./rag-stores.js";

const argumentsList = process.argv.slice(2);
const option = (name: string) => {
  const index = argumentsList.indexOf(name);
  return index >= 0 ? argumentsList[index + 1] : undefined;
};
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const datasetFolder = option("--dataset") ?? path.resolve(repositoryRoot, "../shared/datasets/retrieval/scifact");
const qualityOnly = argumentsList.includes("--quality-only") || option("--dataset") !== undefined;
const benchParts = ["quality", "ingest", "latency"] as const;
const parts = new Set((option("--only") ?? (qualityOnly ? "quality" : benchParts.join(","))).split(","));
for (const part of parts) if (!(benchParts as readonly string[]).includes(part)) throw new Error(`--only ${part}: expected some of ${benchParts.join(",")}`);
const hybridWeights = {
  lexical: Number(option("--lexical-weight") ?? defaultHybridWeights.lexical),
  vector: Number(option("--vector-weight") ?? defaultHybridWeights.vector),
};
const scope: KnowledgeBaseScope = { knowledgeBaseId: "bench", ownerId: "bench" };
const storeKinds = benchStoreKinds(option("--store"));
const latencySizes = (option("--latency-sizes") ?? "10000,100000").split(",").map(Number);

async function main(): Promise<void> {
  const embedder = await loadLlamaTestEmbedder(await embeddingModelPath(option("--embedding-model")), { threads: 1 });
  const dataset = loadBeirDataset(datasetFolder);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "aiplus-bench-rag-"));
  // Both stores index the same vectors: the second store's ingestion reuses the first one's embeddings.
  const qualityEmbedder = { ...embedder, model: memoizedEmbeddingModel(embedder.model) };
  try {
    const results = new Map<BenchStoreKind, { quality?: Record<RetrievalMode, number>; ratio?: number; hybridP95At?: number }>(storeKinds.map((kind) => [kind, {}]));
    if (parts.has("quality")) for (const kind of storeKinds) results.get(kind)!.quality = await measureQuality(dataset, qualityEmbedder, kind, folder);
    if (parts.has("ingest")) {
      const ratios = await measureIngestRatio(dataset, embedder, folder);
      for (const kind of storeKinds) results.get(kind)!.ratio = ratios.get(kind)!;
    }
    if (parts.has("latency")) {
      const largest = Math.max(...latencySizes);
      for (const kind of storeKinds) {
        const latency = await measureLatency({ openStore: (label) => openBenchStore(kind, folder, label), label: kind, dataset, dimensions: embedder.dimensions, sizes: latencySizes });
        results.get(kind)!.hybridP95At = latency.get(largest)!.hybrid.p95;
      }
    }
    const summary = (kind: BenchStoreKind) => {
      const { quality, ratio, hybridP95At } = results.get(kind)!;
      const sizeLabel = `${Math.max(...latencySizes) / 1000}k`;
      const figures = [
        ratio === undefined ? undefined : `ingest/embed=${ratio.toFixed(2)}`,
        hybridP95At === undefined ? undefined : `hybrid_p95_ms@${sizeLabel}=${hybridP95At.toFixed(1)}`,
        quality && `ndcg10_lexical=${quality.lexical.toFixed(3)} ndcg10_vector=${quality.vector.toFixed(3)} ndcg10_hybrid=${quality.hybrid.toFixed(3)}`,
      ];
      return figures.filter((figure) => figure !== undefined).join(" ");
    };
    console.log(`rag: ${summary("sqlite")}`);
    if (results.has("postgres")) {
      const sqlite = results.get("sqlite")!.quality;
      const postgres = results.get("postgres")!.quality;
      const parity = sqlite && postgres ? ` delta_lexical=${(postgres.lexical - sqlite.lexical).toFixed(3)} delta_hybrid=${(postgres.hybrid - sqlite.hybrid).toFixed(3)}` : "";
      console.log(`rag(postgres): ${summary("postgres")}${parity}`);
    }
  } finally {
    await embedder.dispose();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** An embedding model that remembers every text's vector (the quality runs of both stores embed the same chunks). */
function memoizedEmbeddingModel(model: EmbeddingModel): EmbeddingModel {
  const vectors = new Map<string, number[]>();
  return {
    ...model,
    async doEmbed(call) {
      const missing = [...new Set(call.values.filter((value) => !vectors.has(value)))];
      if (missing.length > 0) {
        const embedded = await model.doEmbed({ ...call, values: missing });
        missing.forEach((value, index) => vectors.set(value, embedded.embeddings[index]!));
      }
      return { embeddings: call.values.map((value) => vectors.get(value)!), usage: { inputTokens: undefined } };
    },
  };
}

/** A GGUF path, or the file of a local embedding model registered in $AIPLUS_HOME; default the tiny test embedder. */
async function embeddingModelPath(value: string | undefined): Promise<string> {
  if (value === undefined) return testModelPath("tiny-bert-random.gguf");
  if (fs.existsSync(value)) return value;
  const { loadConfig } = await import("../src/config/index.js");
  const { createModelRepository, openDatabase } = await import("../src/store/index.js");
  const database = await openDatabase(loadConfig().databaseUrl);
  try {
    const model = await createModelRepository(database).get(value);
    if (model?.kind !== "embedding") throw new Error(`--embedding-model ${value}: no such file and no registered local embedding model of that name`);
    return model.path;
  } finally {
    await database.dispose();
  }
}

/** What ingestion needs of an embedder here: the model, its tokenizer and chunking, and the vector size. */
type BenchEmbedder = Embedder & { dimensions: number };

async function ingestCorpus(store: KnowledgeStore, dataset: BeirDataset, embedder: BenchEmbedder, documents = dataset.corpus): Promise<number> {
  await store.createKnowledgeBase({ id: scope.knowledgeBaseId, ownerId: scope.ownerId, name: "bench" });
  await store.createGeneration(scope, { embeddingModelId: `${embedder.model.provider}/${embedder.model.modelId}`, dimensions: embedder.dimensions, chunkSize: embedder.chunkSize!, chunkOverlap: embedder.chunkOverlap! });
  const outcomes = await ingestDocuments(
    documents.map((document) => ({ documentId: document.id, name: `${document.id}.txt`, source: { text: document.text, format: "text" as const, title: document.title || undefined } })),
    { store, scope, embedderFor: () => embedder },
  );
  let chunks = 0;
  for (const outcome of outcomes) {
    if (!outcome.ok) throw outcome.error;
    chunks += Object.values(outcome.result.chunkCounts).reduce((sum, count) => sum + count, 0);
  }
  return chunks;
}

async function measureQuality(dataset: BeirDataset, embedder: LlamaTestEmbedder, kind: BenchStoreKind, folder: string): Promise<Record<RetrievalMode, number>> {
  const { store, dispose } = await openBenchStore(kind, folder, "quality");
  const started = performance.now();
  const chunkCount = await ingestCorpus(store, dataset, embedder);
  console.log(`[${kind}] ingested ${dataset.corpus.length} documents as ${chunkCount} chunks (chunk size ${embedder.chunkSize} tokens) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const result = {} as Record<RetrievalMode, number>;
  for (const mode of ["lexical", "vector", "hybrid"] as const) {
    const totals = { ndcg: 0, recall: 0, mrr: 0 };
    for (const query of dataset.queries) {
      const retrieved = await retrieve({ store, scope, query: query.text, mode, limit: 100, weights: hybridWeights, embeddingModelFor: () => embedder.model });
      const ranking = [...new Set(retrieved.passages.map((passage) => passage.documentId))];
      const metrics = rankingMetrics(ranking, dataset.qrels.get(query.id)!);
      totals.ndcg += metrics.ndcg;
      totals.recall += metrics.recall;
      totals.mrr += metrics.mrr;
    }
    const count = dataset.queries.length;
    result[mode] = totals.ndcg / count;
    const weights = mode === "hybrid" ? ` (RRF k=60, weights lexical ${hybridWeights.lexical} vector ${hybridWeights.vector})` : "";
    console.log(`[${kind}] ${mode.padEnd(7)} nDCG@10=${(totals.ndcg / count).toFixed(3)} Recall@10=${(totals.recall / count).toFixed(3)} MRR@10=${(totals.mrr / count).toFixed(3)}${weights}`);
  }
  await dispose();
  return result;
}

/**
 * chunks/s of the full ingestion path ÷ chunks/s of the same model embedding the same chunk texts directly, both
 * through the product's runtime (pooled node-llama-cpp embedding model and tokenizer, 1 thread, batches of 32). Each
 * side gets a freshly loaded runtime per round (no warm token cache from an earlier round). The two are measured
 * alternately, `--ingest-rounds` times (default 2), and the best round of each counts, so a burst of load on a shared
 * machine does not decide the ratio.
 */
async function measureIngestRatio(dataset: BeirDataset, embedder: LlamaTestEmbedder, folder: string): Promise<Map<BenchStoreKind, number>> {
  const documents = dataset.corpus.slice(0, Number(option("--ingest-documents") ?? 300));
  const rounds = Math.max(1, Number(option("--ingest-rounds") ?? 2));
  const modelPath = await embeddingModelPath(option("--embedding-model"));
  const texts: string[] = [];
  for (const document of documents) {
    const parsed = await parseDocument({ text: document.text, format: "text", title: document.title || undefined });
    const chunks = await chunkDocument(parsed, { documentId: document.id, countTokens: embedder.countTokens, chunkSize: embedder.chunkSize, chunkOverlap: embedder.chunkOverlap });
    texts.push(...chunks.map((chunk) => chunk.searchText));
  }
  let rawPerSecond = 0;
  const ingestPerSecond = new Map<BenchStoreKind, number>(storeKinds.map((kind) => [kind, 0]));
  let chunkCount = 0;
  for (let round = 0; round < rounds; round++) {
    const raw = await runtimeEmbedder(modelPath);
    let started = performance.now();
    for (let offset = 0; offset < texts.length; offset += 32) await raw.embedder.model.doEmbed({ values: texts.slice(offset, offset + 32) });
    rawPerSecond = Math.max(rawPerSecond, texts.length / ((performance.now() - started) / 1000));
    await raw.dispose();
    for (const kind of storeKinds) {
      const ingesting = await runtimeEmbedder(modelPath);
      const { store, dispose } = await openBenchStore(kind, folder, `ingest-${round}`);
      started = performance.now();
      chunkCount = await ingestCorpus(store, dataset, ingesting.embedder, documents);
      ingestPerSecond.set(kind, Math.max(ingestPerSecond.get(kind)!, chunkCount / ((performance.now() - started) / 1000)));
      await dispose();
      await ingesting.dispose();
    }
  }
  const ingestion = storeKinds.map((kind) => `${kind} ${ingestPerSecond.get(kind)!.toFixed(0)}`).join(", ");
  console.log(`embedding ${rawPerSecond.toFixed(0)} chunks/s raw, ingestion chunks/s: ${ingestion} (${documents.length} documents, ${chunkCount} chunks, best of ${rounds} alternating rounds, product runtime)`);
  return new Map(storeKinds.map((kind) => [kind, ingestPerSecond.get(kind)! / rawPerSecond]));
}

/** The model as the server runs it: a fresh runtime (1 thread), loaded and warmed on a text outside the corpus. */
async function runtimeEmbedder(modelPath: string): Promise<{ embedder: BenchEmbedder; dispose(): Promise<void> }> {
  const runtime = createRuntime({ gpu: "cpu", threads: 1, sequences: 1, idleUnloadSeconds: 0, maxQueue: 64 });
  const registered = { name: "bench-embedder", path: modelPath, kind: "embedding" as const, metadata: await inspectGguf(modelPath) };
  const model = runtime.embeddingModel(registered);
  const tokenizer = runtime.embeddingTokenizer?.(registered);
  if (!tokenizer) throw new Error("the runtime has no embedding tokenizer");
  const contextSize = await tokenizer.contextSize();
  const chunkSize = Math.max(8, Math.min(512, contextSize - 4));
  await model.doEmbed({ values: ["warming up the embedding context"] });
  const embedder: BenchEmbedder = {
    model, countTokens: (text) => tokenizer.countTokens(text), chunkSize, chunkOverlap: Math.floor(chunkSize / 8),
    dimensions: registered.metadata.embeddingLength ?? 0,
  };
  return { embedder, dispose: () => runtime.dispose() };
}

await main();
