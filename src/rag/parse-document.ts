import { DocumentParseError } from "./document-parse-error.js";
import { detectDocumentFormat } from "./detect-document-format.js";
import { parseCsv } from "./parse-csv.js";
import { parseDocx } from "./parse-docx.js";
import { parseHtml } from "./parse-html.js";
import { parseJson } from "./parse-json.js";
import { parseMarkdown } from "./parse-markdown.js";
import { parsePdf } from "./parse-pdf.js";
import { parsePlainText } from "./parse-plain-text.js";
import type { DocumentFormat, ParsedDocument } from "./types.js";

/** A document to parse: raw bytes (files, uploads) or text. */
export type DocumentSource = {
  /** File name, used for format detection and error messages. */
  fileName?: string | undefined;
  mediaType?: string | undefined;
  /** Overrides detection. */
  format?: DocumentFormat | undefined;
  /** Overrides the title found in the document. */
  title?: string | undefined;
  bytes?: Uint8Array | undefined;
  text?: string | undefined;
};

/**
 * Parses any supported document into the common block model. Unknown or corrupt input throws
 * {@link DocumentParseError}; nothing else escapes.
 */
export async function parseDocument(source: DocumentSource): Promise<ParsedDocument> {
  const documentName = source.fileName;
  const bytes = source.bytes ?? new TextEncoder().encode(source.text ?? "");
  const format = source.format ?? detectDocumentFormat(bytes, { fileName: source.fileName, mediaType: source.mediaType });
  try {
    const parsed = await parseAs(format, bytes, source);
    if (source.title) parsed.title = source.title;
    if (parsed.text.trim().length === 0) parsed.warnings.push("the document contains no extractable text");
    return parsed;
  } catch (error) {
    if (error instanceof DocumentParseError) throw error;
    throw new DocumentParseError({ message: `cannot parse ${format}: ${(error as Error).message}`, failure: "corrupt", documentName, cause: error });
  }
}

async function parseAs(format: DocumentFormat, bytes: Uint8Array, source: DocumentSource): Promise<ParsedDocument> {
  const documentName = source.fileName;
  const text = () => source.text ?? new TextDecoder().decode(bytes);
  switch (format) {
    case "pdf":
      return parsePdf(bytes, { documentName });
    case "docx":
      return parseDocx(bytes, { documentName });
    case "html":
      return parseHtml(text());
    case "markdown":
      return parseMarkdown(text());
    case "text":
      return parsePlainText(text());
    case "csv":
      return parseCsv(text(), { documentName, delimiter: /\.tsv$/i.test(documentName ?? "") ? "\t" : undefined });
    case "json":
      return parseJson(text(), { documentName });
    default:
      throw new DocumentParseError({ message: `unsupported format ${String(format satisfies never)}`, failure: "unsupported", documentName });
  }
}
