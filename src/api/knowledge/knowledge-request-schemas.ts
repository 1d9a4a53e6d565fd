import { z } from "zod";

const documentFormat = z.enum(["pdf", "docx", "html", "markdown", "text", "csv", "json"], { error: "format must be one of pdf, docx, html, markdown, text, csv, json" });
const metadata = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]), { error: "metadata must be an object of strings, numbers and booleans" });
const retrievalMode = z.enum(["lexical", "vector", "hybrid"], { error: 'mode must be "lexical", "vector" or "hybrid"' });

/** Minimum scores (any one suffices). */
export const thresholdSchema = z.strictObject({
  min_lexical_score: z.number().optional(),
  min_vector_similarity: z.number().min(-1).max(1).optional(),
  min_rerank_score: z.number().optional(),
});

/** `POST /v1/knowledge-bases`. */
export const createKnowledgeBaseSchema = z.strictObject({
  name: z.string({ error: "name must be a string" }),
  embedding_model: z.string({ error: "embedding_model must name a registered embedding model" }).min(1),
  description: z.string().max(2000).optional(),
  chunk_size: z.number().int().optional(),
  chunk_overlap: z.number().int().optional(),
});

/** `POST /v1/knowledge-bases/{kb}/documents` as JSON. */
export const addDocumentsSchema = z.strictObject({
  documents: z
    .array(z.strictObject({ name: z.string({ error: "name must be a string" }).min(1).max(512), id: z.string({ error: "id must be a string" }).min(1).max(512).optional(), text: z.string({ error: "text must be a string" }), format: documentFormat.optional(), metadata: metadata.optional() }), {
      error: "documents must be an array of {name, text}",
    })
    .min(1, { error: "documents must hold at least one document" })
    .max(1000),
  force: z.boolean().optional(),
});

/** Metadata field of a multipart upload (JSON text). */
export const multipartMetadataSchema = metadata;

/** `POST /v1/knowledge-bases/{kb}/query`. */
export const queryKnowledgeBaseSchema = z.strictObject({
  query: z.string({ error: "query must be a string" }).min(1, { error: "query must not be empty" }).max(10_000),
  top_k: z.number().int().min(1).max(100).optional(),
  mode: retrievalMode.optional(),
  filter: z.strictObject({ document_ids: z.array(z.string()).optional(), metadata: metadata.optional() }).optional(),
  threshold: thresholdSchema.optional(),
  weights: z.strictObject({ lexical: z.number().min(0).optional(), vector: z.number().min(0).optional() }).optional(),
  diversity: z.number().min(0).max(1).optional(),
  rerank_model: z.string().min(1).optional(),
});

const integerText = (name: string, minimum: number, maximum: number) =>
  z
    .string()
    .regex(/^\d{1,7}$/, { error: `${name} must be an integer from ${minimum} to ${maximum}` })
    .transform(Number)
    .pipe(z.number().min(minimum, { error: `${name} must be an integer from ${minimum} to ${maximum}` }).max(maximum, { error: `${name} must be an integer from ${minimum} to ${maximum}` }));

/** Query of `GET /v1/knowledge-bases/{kb}/documents` (no `limit`: every document). */
export const listDocumentsQuerySchema = z.strictObject({
  status: z.enum(["ready", "processing", "failed", "cancelled"], { error: 'status must be "ready", "processing", "failed" or "cancelled"' }).optional(),
  search: z.string().max(512).optional(),
  offset: integerText("offset", 0, 1_000_000).optional(),
  limit: integerText("limit", 1, 1000).optional(),
});

/** `POST /v1/knowledge-bases/{kb}/reindex`. */
export const reindexSchema = z.strictObject({
  embedding_model: z.string({ error: "embedding_model must name a registered embedding model" }).min(1),
  chunk_size: z.number().int().optional(),
  chunk_overlap: z.number().int().optional(),
});

/** `POST /v1/knowledge-bases/{kb}/grants`. */
export const grantSchema = z.strictObject({ key: z.string({ error: "key must be an API key id or prefix" }).min(1) });

/** `POST /v1/rerank` (Cohere / Jina style). */
export const rerankRequestSchema = z.strictObject({
  model: z.string({ error: "model must be a string" }).min(1),
  query: z.string({ error: "query must be a string" }).min(1, { error: "query must not be empty" }),
  documents: z
    .array(z.union([z.string(), z.looseObject({ text: z.string() }).transform((document) => document.text)]), { error: "documents must be an array of strings" })
    .min(1, { error: "documents must hold at least one document" })
    .max(1000),
  top_n: z.number().int().min(1).optional(),
  return_documents: z.boolean().optional(),
});

/** Extra fields of `POST /v1/chat/completions` for grounded answers. */
export const knowledgeOptionsSchema = z.strictObject({
  top_k: z.number().int().min(1).max(50).optional(),
  mode: retrievalMode.optional(),
  threshold: thresholdSchema.optional(),
  rerank_model: z.string().min(1).optional(),
});

export type WireThreshold = z.output<typeof thresholdSchema>;

/** Wire threshold → retrieval threshold. */
export function toThreshold(threshold: WireThreshold | undefined) {
  return threshold && { minLexicalScore: threshold.min_lexical_score, minVectorSimilarity: threshold.min_vector_similarity, minRerankScore: threshold.min_rerank_score };
}
