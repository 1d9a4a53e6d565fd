import { Hono, type Context } from "hono";
import type { DocumentInput, KnowledgeService } from "../../rag/index.js";
import { InvalidRequestError } from "../../spec/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { readJsonBody } from "../request/read-json-body.js";
import type { RouteDependencies } from "../routes/route-helpers.js";
import { documentAnswer } from "./document-answer.js";
import { knowledgeAccessorOf } from "./knowledge-accessor-of.js";
import {
  addDocumentsSchema, createKnowledgeBaseSchema, grantSchema, listDocumentsQuerySchema, multipartMetadataSchema, queryKnowledgeBaseSchema, reindexSchema, toThreshold,
} from "./knowledge-request-schemas.js";
import { wireDocument, wireJob, wireKnowledgeBase, wirePassage } from "./knowledge-wire.js";

/**
 * `/v1/knowledge-bases`: create, list, get, delete; documents (upload as multipart/form-data or JSON text, list, status,
 * delete); query; reindex; jobs; grants. Owners and admins manage a knowledge base, granted keys use it, others get 403.
 */
export function knowledgeRoutes(dependencies: RouteDependencies & { knowledge: KnowledgeService }): Hono<AppEnvironment> {
  const { knowledge } = dependencies;
  const accessor = (c: Context<AppEnvironment>) => knowledgeAccessorOf(c.get("principal"));
  const allowModel = (c: Context<AppEnvironment>, model: string) => dependencies.maas.assertModelAllowed(c.get("principal"), model);
  return new Hono<AppEnvironment>()
    .post("/", async (c) => {
      const request = parseWithSchema(createKnowledgeBaseSchema, await readJsonBody(c));
      allowModel(c, request.embedding_model);
      const view = await knowledge.createKnowledgeBase(accessor(c), {
        name: request.name, embeddingModel: request.embedding_model, description: request.description, chunkSize: request.chunk_size, chunkOverlap: request.chunk_overlap,
      });
      return c.json(wireKnowledgeBase(view), 201);
    })
    .get("/", async (c) => c.json({ object: "list", data: (await knowledge.listKnowledgeBases(accessor(c))).map(wireKnowledgeBase) }))
    .get("/:kb", async (c) => c.json(wireKnowledgeBase(await knowledge.getKnowledgeBase(accessor(c), c.req.param("kb")))))
    .delete("/:kb", async (c) => {
      const view = await knowledge.getKnowledgeBase(accessor(c), c.req.param("kb"));
      await knowledge.deleteKnowledgeBase(accessor(c), view.id);
      return c.json({ id: view.id, object: "knowledge_base.deleted", deleted: true });
    })
    .post("/:kb/documents", async (c) => {
      const { documents, force } = await readDocuments(c);
      const job = await knowledge.addDocuments(accessor(c), c.req.param("kb"), documents, { force });
      return c.json(wireJob(job), 202);
    })
    .get("/:kb/documents", async (c) => {
      const query = parseWithSchema(listDocumentsQuerySchema, c.req.query());
      const page = await knowledge.listDocumentPage(accessor(c), c.req.param("kb"), query);
      const offset = query.offset ?? 0;
      return c.json({ object: "list", data: page.documents.map(wireDocument), total: page.total, has_more: offset + page.documents.length < page.total, counts: page.counts });
    })
    .post("/:kb/documents/:document{.+}/cancel", async (c) => c.json(wireDocument(await knowledge.cancelDocument(accessor(c), c.req.param("kb"), c.req.param("document")))))
    .post("/:kb/documents/:document{.+}/retry", async (c) => c.json(wireJob(await knowledge.retryDocument(accessor(c), c.req.param("kb"), c.req.param("document"))), 202))
    .get("/:kb/documents/:document{.+}", async (c) => documentAnswer(c, knowledge))
    .delete("/:kb/documents/:document{.+}", async (c) => {
      await knowledge.removeDocument(accessor(c), c.req.param("kb"), c.req.param("document"));
      return c.json({ id: c.req.param("document"), object: "knowledge_base.document.deleted", deleted: true });
    })
    .post("/:kb/query", async (c) => {
      const request = parseWithSchema(queryKnowledgeBaseSchema, await readJsonBody(c));
      if (request.rerank_model) allowModel(c, request.rerank_model);
      const result = await knowledge.query(accessor(c), c.req.param("kb"), {
        query: request.query, top: request.top_k, mode: request.mode, threshold: toThreshold(request.threshold), weights: request.weights,
        filter: request.filter && { documentIds: request.filter.document_ids, metadata: request.filter.metadata }, diversity: request.diversity,
        rerankModel: request.rerank_model, abortSignal: c.req.raw.signal,
      });
      return c.json({ object: "list", knowledge_base: result.knowledgeBase.id, mode: result.mode, nothing_relevant: result.nothingRelevant, data: result.passages.map(wirePassage) });
    })
    .post("/:kb/reindex", async (c) => {
      const request = parseWithSchema(reindexSchema, await readJsonBody(c));
      allowModel(c, request.embedding_model);
      const job = await knowledge.reindex(accessor(c), c.req.param("kb"), { embeddingModel: request.embedding_model, chunkSize: request.chunk_size, chunkOverlap: request.chunk_overlap });
      return c.json(wireJob(job), 202);
    })
    .get("/:kb/jobs", async (c) => c.json({ object: "list", data: (await knowledge.listJobs(accessor(c), c.req.param("kb"))).map(wireJob) }))
    .get("/:kb/jobs/:job", async (c) => c.json(wireJob(await knowledge.getJob(accessor(c), c.req.param("kb"), c.req.param("job")))))
    .post("/:kb/jobs/:job/cancel", async (c) => c.json(wireJob(await knowledge.cancelJob(accessor(c), c.req.param("kb"), c.req.param("job")))))
    .get("/:kb/grants", async (c) => c.json({ object: "list", data: await knowledge.listGrants(accessor(c), c.req.param("kb")) }))
    .post("/:kb/grants", async (c) => {
      const request = parseWithSchema(grantSchema, await readJsonBody(c));
      const key = await dependencies.maas.keys.resolve(request.key);
      return c.json({ object: "list", data: await knowledge.grant(accessor(c), c.req.param("kb"), key.id) }, 201);
    })
    .delete("/:kb/grants/:key", async (c) => {
      const key = await dependencies.maas.keys.resolve(c.req.param("key"));
      return c.json({ object: "list", data: await knowledge.revoke(accessor(c), c.req.param("kb"), key.id) });
    });
}

/** Documents of an upload: multipart/form-data files (field names free; optional `metadata` JSON), or JSON text. */
async function readDocuments(c: Context<AppEnvironment>): Promise<{ documents: DocumentInput[]; force: boolean | undefined }> {
  const contentType = c.req.header("content-type") ?? "";
  if (!contentType.startsWith("multipart/form-data")) {
    const request = parseWithSchema(addDocumentsSchema, await readJsonBody(c));
    return {
      documents: request.documents.map((document) => ({ name: document.name, id: document.id, text: document.text, format: document.format, metadata: document.metadata })),
      force: request.force,
    };
  }
  let form: Record<string, string | File | Array<string | File>>;
  try {
    form = await c.req.parseBody({ all: true });
  } catch (error) {
    throw new InvalidRequestError({ message: `cannot read the multipart body: ${(error as Error).message}`, code: "invalid_multipart", cause: error });
  }
  let metadata: Record<string, string | number | boolean> | undefined;
  const metadataField = form.metadata;
  if (typeof metadataField === "string") {
    try {
      metadata = parseWithSchema(multipartMetadataSchema, JSON.parse(metadataField));
    } catch (error) {
      if (error instanceof InvalidRequestError) throw error;
      throw new InvalidRequestError({ message: "metadata must be a JSON object", param: "metadata" });
    }
  }
  const documents: DocumentInput[] = [];
  for (const [field, values] of Object.entries(form)) {
    if (field === "id") continue;
    for (const value of [values].flat()) {
      if (typeof value === "string") continue;
      documents.push({ name: value.name, bytes: new Uint8Array(await value.arrayBuffer()), metadata });
    }
  }
  if (documents.length === 0) throw new InvalidRequestError({ message: "the multipart body holds no file", param: "file" });
  // Optional `id` fields, one per file in order: the documents' identities (default: each file's name as sent).
  const ids = [form.id ?? []].flat();
  if (ids.length > 0) {
    if (ids.length !== documents.length || ids.some((id) => typeof id !== "string" || id === "")) {
      throw new InvalidRequestError({ message: `give one non-empty id field per file (${documents.length} files, ${ids.length} ids)`, param: "id" });
    }
    ids.forEach((id, index) => (documents[index]!.id = id as string));
  }
  return { documents, force: form.force === "true" ? true : undefined };
}
