import mammoth from "mammoth";
import { DocumentParseError } from "./document-parse-error.js";
import { parseHtml } from "./parse-html.js";
import type { ParsedDocument } from "./types.js";

/** DOCX through mammoth's semantic HTML: headings, paragraphs, lists and tables (row by row). */
export async function parseDocx(bytes: Uint8Array, options: { documentName?: string | undefined } = {}): Promise<ParsedDocument> {
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes) })).value;
  } catch (error) {
    throw new DocumentParseError({ message: `unreadable DOCX: ${(error as Error).message}`, failure: "corrupt", documentName: options.documentName, cause: error });
  }
  return parseHtml(html, "docx");
}
