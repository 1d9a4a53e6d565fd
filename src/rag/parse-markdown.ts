import { DocumentBuilder } from "./document-builder.js";
import type { ParsedDocument } from "./types.js";

const atxHeading = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const fence = /^ {0,3}(```+|~~~+)/;
const listItem = /^ {0,3}(?:[-*+]|\d{1,9}[.)])\s+/;
const tableSeparator = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

/** Markdown: ATX and setext headings, lists, fenced code, pipe tables, paragraphs. */
export function parseMarkdown(markdown: string): ParsedDocument {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const builder = new DocumentBuilder("markdown");
  let paragraph: string[] = [];
  const flushParagraph = () => {
    builder.add("paragraph", paragraph.join("\n"));
    paragraph = [];
  };
  let index = 0;
  if (lines[0]?.trim() === "---") {
    const end = lines.indexOf("---", 1);
    if (end > 0) index = end + 1;
  }
  while (index < lines.length) {
    const line = lines[index]!;
    const next = lines[index + 1];
    const fenceMatch = fence.exec(line);
    if (fenceMatch) {
      flushParagraph();
      const marker = fenceMatch[1]!;
      const body: string[] = [];
      index++;
      while (index < lines.length && !lines[index]!.trimStart().startsWith(marker)) body.push(lines[index++]!);
      index++;
      builder.add("code", body.join("\n"), { preserveWhitespace: true });
      continue;
    }
    const heading = atxHeading.exec(line);
    if (heading) {
      flushParagraph();
      builder.add("heading", stripInline(heading[2]!), { level: heading[1]!.length });
      index++;
      continue;
    }
    if (paragraph.length === 0 && line.trim() && next !== undefined && /^ {0,3}(=+|-+)\s*$/.test(next) && !listItem.test(line)) {
      builder.add("heading", stripInline(line), { level: next.trim().startsWith("=") ? 1 : 2 });
      index += 2;
      continue;
    }
    if (line.includes("|") && next !== undefined && tableSeparator.test(next)) {
      flushParagraph();
      const rows = [line];
      index += 2;
      while (index < lines.length && lines[index]!.includes("|") && lines[index]!.trim()) rows.push(lines[index++]!);
      builder.add("table", rows.map(tableRow).join("\n"));
      continue;
    }
    if (listItem.test(line)) {
      flushParagraph();
      const items: string[] = [];
      while (index < lines.length && (listItem.test(lines[index]!) || (/^\s{2,}\S/.test(lines[index]!) && items.length > 0))) {
        const current = lines[index++]!;
        if (listItem.test(current)) items.push(stripInline(current.trim()));
        else items[items.length - 1] += ` ${stripInline(current.trim())}`;
      }
      builder.add("list", items.join("\n"));
      continue;
    }
    if (!line.trim()) flushParagraph();
    else paragraph.push(stripInline(line.replace(/^ {0,3}>\s?/, "")));
    index++;
  }
  flushParagraph();
  return builder.build();
}

function tableRow(line: string): string {
  return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((cell) => stripInline(cell.trim())).join(" | ");
}

/** Removes emphasis markers, inline code ticks and link targets, keeping the visible text. */
function stripInline(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/`([^`]+)`/g, "$1");
}
