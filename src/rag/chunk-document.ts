import { contentHash } from "./content-hash.js";
import { splitLines, splitSentences, splitWords, type TextRange } from "./split-sentences.js";
import type { DocumentBlock, DocumentChunk, ParsedDocument, TokenCounter } from "./types.js";

/** Options of {@link chunkDocument}. */
export type ChunkDocumentOptions = {
  documentId: string;
  /** Counts tokens with the embedding model's tokenizer. */
  countTokens: TokenCounter;
  /** Most tokens per chunk, including its title/heading prefix (default 256). */
  chunkSize?: number | undefined;
  /** Tokens of trailing sentences repeated at the start of the next chunk of the same section (default 32). */
  chunkOverlap?: number | undefined;
  /** Title used in the search prefix (default: the document's title). */
  title?: string | undefined;
  /**
   * Awaited between token counts, e.g. `TimeSlice.pause` so that chunking a large document does not hold the event
   * loop (default: none).
   */
  pause?: (() => Promise<void>) | undefined;
};

type Unit = TextRange & { tokens: number };
type Section = { headingPath: string[]; page: number | undefined; blocks: DocumentBlock[] };

/**
 * Structure-aware chunking: sections break at headings (and pages), sections are packed from sentences (lines for
 * tables, lists and code), over-long sentences fall back to words, then characters. Token counts use the injected
 * tokenizer; every chunk's `text` is exactly `document.text.slice(start, end)`. Deterministic.
 */
export async function chunkDocument(document: ParsedDocument, options: ChunkDocumentOptions): Promise<DocumentChunk[]> {
  const chunkSize = options.chunkSize ?? 256;
  const chunkOverlap = Math.min(options.chunkOverlap ?? 32, Math.floor(chunkSize / 2));
  if (!Number.isInteger(chunkSize) || chunkSize < 8) throw new RangeError("chunkSize must be an integer of at least 8 tokens");
  const title = options.title ?? document.title;
  const pause = options.pause;
  const count = async (text: string) => {
    if (pause) await pause();
    return Number(await options.countTokens(text));
  };
  const chunks: DocumentChunk[] = [];

  for (const section of sections(document.blocks)) {
    const prefix = await fittingPrefix(title, section.headingPath, chunkSize, count);
    const budget = chunkSize - prefix.tokens;
    const units: Unit[] = [];
    for (const block of section.blocks) {
      const ranges = block.type === "paragraph" ? splitSentences(block.text) : splitLines(block.text);
      for (const range of ranges) {
        const unit = { start: block.start + range.start, end: block.start + range.end };
        units.push(...(await fitUnit(document.text, unit, budget, count)));
      }
    }
    let current: Unit[] = [];
    let currentTokens = 0;
    const emit = async (group: Unit[]) => {
      for (const piece of await verifiedGroups(document.text, group, prefix.text, chunkSize, count)) {
        const text = document.text.slice(piece.start, piece.end);
        const searchText = prefix.text ? `${prefix.text}\n${text}` : text;
        chunks.push({
          documentId: options.documentId, ordinal: chunks.length, text, searchText, title,
          headingPath: section.headingPath, page: section.page, start: piece.start, end: piece.end,
          tokenCount: piece.tokens, contentHash: contentHash(searchText),
        });
      }
    };
    for (const unit of units) {
      if (current.length > 0 && currentTokens + unit.tokens > budget) {
        await emit(current);
        const overlap: Unit[] = [];
        let overlapTokens = 0;
        for (let index = current.length - 1; index > 0; index--) {
          const candidate = current[index]!;
          if (overlapTokens + candidate.tokens > chunkOverlap || overlapTokens + candidate.tokens + unit.tokens > budget) break;
          overlap.unshift(candidate);
          overlapTokens += candidate.tokens;
        }
        current = overlap;
        currentTokens = overlapTokens;
      }
      current.push(unit);
      currentTokens += unit.tokens;
    }
    if (current.length > 0) await emit(current);
  }
  return chunks;
}

function sections(blocks: DocumentBlock[]): Section[] {
  const result: Section[] = [];
  for (const block of blocks) {
    const last = result[result.length - 1];
    const samePath = last && last.headingPath.join("\u0000") === block.headingPath.join("\u0000");
    if (!last || block.type === "heading" || !samePath || last.page !== block.page) {
      result.push({ headingPath: block.headingPath, page: block.page, blocks: [block] });
    } else last.blocks.push(block);
  }
  return result;
}

async function fittingPrefix(title: string | undefined, headingPath: string[], chunkSize: number, count: (text: string) => Promise<number>) {
  const path = headingPath.filter((heading) => heading !== title);
  const candidates = [[title, ...path], [title], []].map((parts) => parts.filter(Boolean).join(" > "));
  for (const text of candidates) {
    const tokens = text ? (await count(`${text}\n`)) : 0;
    if (tokens <= chunkSize / 2) return { text, tokens };
  }
  return { text: "", tokens: 0 };
}

/** Splits a unit over budget into word runs, and a single over-long word into character slices. */
async function fitUnit(text: string, unit: TextRange, budget: number, count: (text: string) => Promise<number>): Promise<Unit[]> {
  const tokens = await count(text.slice(unit.start, unit.end));
  if (tokens <= budget) return [{ ...unit, tokens }];
  const words = splitWords(text.slice(unit.start, unit.end)).map((word) => ({ start: unit.start + word.start, end: unit.start + word.end }));
  if (words.length <= 1) {
    const middle = unit.start + Math.ceil((unit.end - unit.start) / 2);
    if (middle >= unit.end) return [{ ...unit, tokens }];
    return [...(await fitUnit(text, { start: unit.start, end: middle }, budget, count)), ...(await fitUnit(text, { start: middle, end: unit.end }, budget, count))];
  }
  const half = Math.ceil(words.length / 2);
  const left = { start: words[0]!.start, end: words[half - 1]!.end };
  const right = { start: words[half]!.start, end: words[words.length - 1]!.end };
  return [...(await fitUnit(text, left, budget, count)), ...(await fitUnit(text, right, budget, count))];
}

/** Counts a group exactly (with its prefix) and halves it until every piece fits `chunkSize`. */
async function verifiedGroups(text: string, group: Unit[], prefix: string, chunkSize: number, count: (text: string) => Promise<number>): Promise<Unit[]> {
  const start = group[0]!.start;
  const end = group[group.length - 1]!.end;
  const body = text.slice(start, end);
  const tokens = await count(prefix ? `${prefix}\n${body}` : body);
  if (tokens <= chunkSize) return [{ start, end, tokens }];
  if (group.length === 1) {
    const pieces = await fitUnit(text, group[0]!, Math.max(1, group[0]!.tokens - (tokens - chunkSize) - 1), count);
    if (pieces.length === 1) return [{ start, end, tokens }];
    const verified: Unit[] = [];
    for (const piece of pieces) verified.push(...(await verifiedGroups(text, [piece], prefix, chunkSize, count)));
    return verified;
  }
  const half = Math.ceil(group.length / 2);
  return [...(await verifiedGroups(text, group.slice(0, half), prefix, chunkSize, count)), ...(await verifiedGroups(text, group.slice(half), prefix, chunkSize, count))];
}
