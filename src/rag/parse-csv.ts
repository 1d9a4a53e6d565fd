import { DocumentBuilder } from "./document-builder.js";
import { DocumentParseError } from "./document-parse-error.js";
import type { ParsedDocument } from "./types.js";

/** CSV/TSV (RFC 4180 quoting): one table block per row, each cell labelled with its header. */
export function parseCsv(text: string, options: { delimiter?: string | undefined; documentName?: string | undefined } = {}): ParsedDocument {
  const delimiter = options.delimiter ?? detectDelimiter(text);
  const rows = splitRows(text.replace(/^\ufeff/, ""), delimiter, options.documentName);
  const header = rows.shift() ?? [];
  const builder = new DocumentBuilder("csv");
  for (const row of rows) {
    if (row.every((cell) => !cell.trim())) continue;
    const cells = row.map((cell, index) => `${header[index]?.trim() || `column ${index + 1}`}: ${cell.trim()}`);
    builder.add("table", cells.join(" | "));
  }
  return builder.build();
}

function detectDelimiter(text: string): string {
  const firstLine = text.slice(0, text.indexOf("\n") >>> 0);
  const counts = [",", ";", "\t", "|"].map((candidate) => [candidate, firstLine.split(candidate).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![0];
}

function splitRows(text: string, delimiter: string, documentName: string | undefined): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!;
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (character === '"') quoted = false;
      else cell += character;
    } else if (character === '"' && cell.length === 0) quoted = true;
    else if (character === delimiter) {
      row.push(cell);
      cell = "";
    } else if (character === "\n" || character === "\r") {
      if (character === "\r" && text[index + 1] === "\n") index++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += character;
  }
  if (quoted) throw new DocumentParseError({ message: "CSV has an unterminated quoted field", failure: "corrupt", documentName });
  if (cell.length > 0 || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
