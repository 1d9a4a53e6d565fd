import { DocumentParseError } from "./document-parse-error.js";
import type { DocumentFormat } from "./types.js";

const extensionFormats: Record<string, DocumentFormat> = {
  pdf: "pdf", docx: "docx", html: "html", htm: "html", xhtml: "html", md: "markdown", markdown: "markdown",
  txt: "text", text: "text", log: "text", csv: "csv", tsv: "csv", json: "json",
};
const mediaTypeFormats: Record<string, DocumentFormat> = {
  "application/pdf": "pdf",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "text/html": "html", "application/xhtml+xml": "html", "text/markdown": "markdown", "text/plain": "text",
  "text/csv": "csv", "text/tab-separated-values": "csv", "application/json": "json",
};

/**
 * The format of a file, from its content first (PDF and ZIP magic bytes, binary check), then its media type,
 * then its extension. A name that promises a PDF or DOCX whose bytes are something else is corrupt (422); a
 * binary file we cannot read is unsupported (400).
 */
export function detectDocumentFormat(bytes: Uint8Array, options: { fileName?: string | undefined; mediaType?: string | undefined } = {}): DocumentFormat {
  const documentName = options.fileName;
  const extension = /\.([A-Za-z0-9]+)$/.exec(options.fileName ?? "")?.[1]?.toLowerCase();
  const declared = (options.mediaType && mediaTypeFormats[options.mediaType.split(";")[0]!.trim().toLowerCase()]) || (extension && extensionFormats[extension]) || undefined;
  if (startsWith(bytes, "%PDF-")) return "pdf";
  if (startsWith(bytes, "PK\u0003\u0004")) {
    if (declared === "docx" || containsAscii(bytes, "word/document.xml")) return "docx";
    throw new DocumentParseError({ message: "ZIP archives other than DOCX are not supported", failure: "unsupported", documentName });
  }
  if (declared === "pdf" || declared === "docx") {
    throw new DocumentParseError({ message: `${documentName ?? "document"} is declared as ${declared.toUpperCase()} but its content is not`, failure: "corrupt", documentName });
  }
  if (looksBinary(bytes)) throw new DocumentParseError({ message: "binary file of an unsupported format", failure: "unsupported", documentName });
  if (declared) return declared;
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  if (head.startsWith("<!doctype html") || head.startsWith("<html")) return "html";
  if (head.startsWith("{") || head.startsWith("[")) return "json";
  return "text";
}

function startsWith(bytes: Uint8Array, prefix: string): boolean {
  if (bytes.length < prefix.length) return false;
  for (let index = 0; index < prefix.length; index++) if (bytes[index] !== prefix.charCodeAt(index)) return false;
  return true;
}

function containsAscii(bytes: Uint8Array, needle: string): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(needle, 0, "latin1");
}

function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 8192);
  if (sample.includes(0)) return true;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(sample.length === bytes.length ? sample : trimPartialCharacter(sample));
    return false;
  } catch {
    return true;
  }
}

function trimPartialCharacter(sample: Uint8Array): Uint8Array {
  let end = sample.length;
  while (end > 0 && end > sample.length - 4 && (sample[end - 1]! & 0xc0) === 0x80) end--;
  return end > 0 && sample[end - 1]! >= 0xc0 ? sample.subarray(0, end - 1) : sample.subarray(0, end);
}
