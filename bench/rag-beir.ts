import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

/** A BEIR-layout dataset: corpus, queries and the test judgements. */
export type BeirDataset = {
  corpus: Array<{ id: string; title: string; text: string }>;
  queries: Array<{ id: string; text: string }>;
  /** query id → (document id → relevance) */
  qrels: Map<string, Map<string, number>>;
};

const corpusLine = z.object({ _id: z.union([z.string(), z.number()]).transform(String), title: z.string().optional().default(""), text: z.string() });
const queryLine = z.object({ _id: z.union([z.string(), z.number()]).transform(String), text: z.string() });

function jsonLines(file: string): unknown[] {
  return fs.readFileSync(file, "utf8").split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line) as unknown);
}

/** Loads `corpus.jsonl`, `queries.jsonl` and `qrels/test.tsv`; keeps only the judged queries. */
export function loadBeirDataset(folder: string): BeirDataset {
  const qrels = new Map<string, Map<string, number>>();
  const lines = fs.readFileSync(path.join(folder, "qrels", "test.tsv"), "utf8").split("\n").slice(1);
  for (const line of lines) {
    const [queryId, documentId, score] = line.trim().split("\t");
    if (!queryId || !documentId) continue;
    const judged = qrels.get(queryId) ?? new Map<string, number>();
    judged.set(documentId, Number(score ?? 1));
    qrels.set(queryId, judged);
  }
  const corpus = jsonLines(path.join(folder, "corpus.jsonl")).map((line) => {
    const parsed = corpusLine.parse(line);
    return { id: parsed._id, title: parsed.title, text: parsed.text };
  });
  const queries = jsonLines(path.join(folder, "queries.jsonl"))
    .map((line) => {
      const parsed = queryLine.parse(line);
      return { id: parsed._id, text: parsed.text };
    })
    .filter((query) => qrels.has(query.id));
  return { corpus, queries, qrels };
}

/** nDCG@k (linear gain, ideal from the judgements), Recall@k and MRR@k of one ranking. */
export function rankingMetrics(ranking: string[], judged: Map<string, number>, k = 10): { ndcg: number; recall: number; mrr: number } {
  const top = ranking.slice(0, k);
  let dcg = 0;
  top.forEach((documentId, index) => (dcg += (judged.get(documentId) ?? 0) / Math.log2(index + 2)));
  const ideal = [...judged.values()].filter((relevance) => relevance > 0).sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((sum, relevance, index) => sum + relevance / Math.log2(index + 2), 0);
  const relevant = [...judged.entries()].filter(([, relevance]) => relevance > 0).map(([id]) => id);
  const found = relevant.filter((id) => top.includes(id)).length;
  const firstIndex = top.findIndex((id) => (judged.get(id) ?? 0) > 0);
  return { ndcg: idcg > 0 ? dcg / idcg : 0, recall: relevant.length > 0 ? found / relevant.length : 0, mrr: firstIndex >= 0 ? 1 / (firstIndex + 1) : 0 };
}
