import type { DocumentBlock, DocumentBlockType, DocumentFormat, ParsedDocument } from "./types.js";

const blockSeparator = "\n\n";

/** Collapses runs of spaces/tabs, trims each line and drops empty lines. */
export function normaliseBlockText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.replace(/[\t\f\v \u00a0]+/g, " ").trim())
    .filter((line) => line.length > 0)
    .join("\n");
}

/** Accumulates blocks into a {@link ParsedDocument}, tracking the heading path and character offsets. */
export class DocumentBuilder {
  private text = "";
  private readonly blocks: DocumentBlock[] = [];
  private readonly headings: Array<{ level: number; title: string }> = [];
  readonly warnings: string[] = [];

  constructor(private readonly format: DocumentFormat) {}

  /** Adds a block; empty text is ignored. Headings update the heading path of the blocks that follow. */
  add(type: DocumentBlockType, rawText: string, options: { level?: number; page?: number; preserveWhitespace?: boolean } = {}): void {
    const text = options.preserveWhitespace ? rawText.replace(/\r\n?/g, "\n").replace(/^\n+|\s+$/g, "") : normaliseBlockText(rawText);
    if (text.length === 0) return;
    if (type === "heading") {
      const level = options.level ?? 1;
      while (this.headings.length > 0 && this.headings[this.headings.length - 1]!.level >= level) this.headings.pop();
      this.headings.push({ level, title: text.replace(/\n/g, " ") });
    }
    if (this.text.length > 0) this.text += blockSeparator;
    const start = this.text.length;
    this.text += text;
    this.blocks.push({
      type,
      text,
      headingPath: this.headings.map((heading) => heading.title),
      level: type === "heading" ? (options.level ?? 1) : undefined,
      page: options.page,
      start,
      end: this.text.length,
    });
  }

  build(extra: { title?: string | undefined; pageCount?: number | undefined } = {}): ParsedDocument {
    const firstHeading = this.blocks.find((block) => block.type === "heading");
    return {
      format: this.format,
      title: extra.title ?? firstHeading?.text,
      text: this.text,
      blocks: this.blocks,
      pageCount: extra.pageCount,
      warnings: this.warnings,
    };
  }
}
