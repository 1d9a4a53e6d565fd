import type { Context } from "hono";
import { z } from "zod";
import type { KnowledgeService } from "../../rag/index.js";
import type { AppEnvironment } from "../app-environment.js";
import { parseWithSchema } from "../request/parse-with-schema.js";
import { knowledgeAccessorOf } from "./knowledge-accessor-of.js";
import { wireDocument } from "./knowledge-wire.js";

const offset = (name: string) =>
  z
    .string()
    .regex(/^\d{1,10}$/, { error: `${name} must be a non-negative integer (a character offset)` })
    .transform(Number)
    .optional();

/** Query of `GET /v1/knowledge-bases/{kb}/documents/{document}`: an optional passage (both offsets, start < end). */
const documentQuerySchema = z
  .strictObject({ passage_start: offset("passage_start"), passage_end: offset("passage_end") })
  .superRefine((query, context) => {
    if ((query.passage_start === undefined) !== (query.passage_end === undefined)) {
      const missing = query.passage_start === undefined ? "passage_start" : "passage_end";
      context.addIssue({ code: "custom", path: [missing], message: "passage_start and passage_end go together" });
    } else if (query.passage_start !== undefined && query.passage_end !== undefined && query.passage_end <= query.passage_start) {
      context.addIssue({ code: "custom", path: ["passage_end"], message: "passage_end must be greater than passage_start" });
    }
  });

/**
 * `GET /v1/knowledge-bases/{kb}/documents/{document}`: the document, and with `passage_start` and `passage_end` (a
 * citation's `start` and `end`) also `passage: {start, end, text}`, that slice of its parsed text.
 */
export async function documentAnswer(c: Context<AppEnvironment>, knowledge: KnowledgeService): Promise<Response> {
  const query = parseWithSchema(documentQuerySchema, c.req.query());
  const accessor = knowledgeAccessorOf(c.get("principal"));
  const knowledgeBase = c.req.param("kb")!;
  const reference = c.req.param("document")!;
  if (query.passage_start === undefined || query.passage_end === undefined) {
    return c.json(wireDocument(await knowledge.getDocument(accessor, knowledgeBase, reference)));
  }
  const range = { start: query.passage_start, end: query.passage_end };
  const { document, text } = await knowledge.getDocumentPassage(accessor, knowledgeBase, reference, range);
  return c.json({ ...wireDocument(document), passage: { ...range, text } });
}
