import { NodeType, parse, type HTMLElement, type Node } from "node-html-parser";
import { DocumentBuilder } from "./document-builder.js";
import type { DocumentFormat, ParsedDocument } from "./types.js";

const droppedTags = new Set(["script", "style", "nav", "noscript", "template", "svg", "iframe", "head", "button", "form"]);
const blockTags = new Set([
  "p", "div", "section", "article", "main", "aside", "header", "footer", "blockquote", "figure", "figcaption",
  "address", "dd", "dt", "dl", "hr", "br", "body", "html", "li", "details", "summary", "caption",
]);

/** Extracts headings (h1–h6), paragraphs, lists, tables (row by row) and preformatted code from HTML. */
export function parseHtml(html: string, format: DocumentFormat = "html"): ParsedDocument {
  const root = parse(html.replace(/<!doctype[^>]*>/gi, "").replace(/<!--[\s\S]*?-->/g, ""), { lowerCaseTagName: true, comment: false, blockTextElements: { pre: true, script: false, style: false, noscript: false } });
  const builder = new DocumentBuilder(format);
  let inline = "";
  const flush = () => {
    builder.add("paragraph", inline);
    inline = "";
  };
  const walk = (node: Node): void => {
    if (node.nodeType === NodeType.TEXT_NODE) {
      inline += node.text;
      return;
    }
    if (node.nodeType !== NodeType.ELEMENT_NODE) return;
    const element = node as HTMLElement;
    const tag = element.rawTagName?.toLowerCase() ?? "";
    if (droppedTags.has(tag)) return;
    const headingMatch = /^h([1-6])$/.exec(tag);
    if (headingMatch) {
      flush();
      builder.add("heading", element.text, { level: Number(headingMatch[1]) });
      return;
    }
    if (tag === "table") {
      flush();
      builder.add("table", tableRows(element).join("\n"));
      return;
    }
    if (tag === "ul" || tag === "ol") {
      flush();
      const items = element.childNodes
        .filter((child): child is HTMLElement => child.nodeType === NodeType.ELEMENT_NODE && (child as HTMLElement).rawTagName?.toLowerCase() === "li")
        .map((item, index) => `${tag === "ol" ? `${index + 1}.` : "-"} ${item.text.replace(/\s+/g, " ").trim()}`);
      builder.add("list", items.join("\n"));
      return;
    }
    if (tag === "pre") {
      flush();
      builder.add("code", element.text, { preserveWhitespace: true });
      return;
    }
    const isBlock = blockTags.has(tag);
    if (isBlock) flush();
    for (const child of element.childNodes) walk(child);
    if (isBlock) flush();
    else inline += tag === "td" || tag === "th" ? " " : "";
  };
  walk(root);
  flush();
  const titleElement = root.querySelector("title");
  const title = titleElement?.text.trim() || undefined;
  return builder.build({ title });
}

function tableRows(table: HTMLElement): string[] {
  return table.querySelectorAll("tr").map((row) =>
    row.childNodes
      .filter((cell): cell is HTMLElement => cell.nodeType === NodeType.ELEMENT_NODE && /^t[hd]$/.test((cell as HTMLElement).rawTagName?.toLowerCase() ?? ""))
      .map((cell) => cell.text.replace(/\s+/g, " ").trim())
      .join(" | "),
  ).filter((line) => line.replace(/[|\s]/g, "").length > 0);
}

