import { z } from "zod";

/** zod schema of a stored {@link import("./types.js").ParsedDocument} (read back from the database). */
export const parsedDocumentSchema = z.object({
  format: z.enum(["pdf", "docx", "html", "markdown", "text", "csv", "json"]),
  title: z.string().optional(),
  text: z.string(),
  blocks: z.array(
    z.object({
      type: z.enum(["heading", "paragraph", "table", "list", "code"]),
      text: z.string(),
      headingPath: z.array(z.string()),
      level: z.number().int().optional(),
      page: z.number().int().optional(),
      start: z.number().int(),
      end: z.number().int(),
    }),
  ),
  pageCount: z.number().int().optional(),
  warnings: z.array(z.string()),
});
