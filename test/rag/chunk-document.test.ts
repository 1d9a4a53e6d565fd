import { getLlama, LlamaLogLevel, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkDocument, contentHash, parseMarkdown, parsePlainText, type DocumentChunk, type ParsedDocument } from "../../src/rag/index.js";
import { testModelPath } from "../support/test-models.js";

let model: LlamaModel;
const countTokens = (text: string) => model.tokenize(text).length;

beforeAll(async () => {
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
  model = await llama.loadModel({ modelPath: await testModelPath("tiny-bert-random.gguf") });
});
afterAll(async () => model?.dispose());

const sentences = Array.from({ length: 40 }, (_, index) => `Sentence number ${index} talks about topic ${index % 7} in some detail.`);
const markdown = [
  "# Handbook",
  sentences.slice(0, 12).join(" "),
  "## Leave",
  sentences.slice(12, 30).join(" "),
  "| grade | days |\n|---|---|\n| junior | 20 |\n| senior | 25 |",
  "## Travel",
  "Short section.",
  "## Appendix",
  `${"Supercalifragilisticexpialidocious".repeat(40)} and one ${"very ".repeat(200)}long sentence without a full stop`,
].join("\n\n");

function expectInvariants(document: ParsedDocument, chunks: DocumentChunk[], chunkSize: number): void {
  chunks.forEach((chunk, index) => {
    expect(chunk.ordinal).toBe(index);
    expect(document.text.slice(chunk.start, chunk.end)).toBe(chunk.text);
    expect(chunk.tokenCount).toBe(countTokens(chunk.searchText));
    expect(chunk.tokenCount).toBeLessThanOrEqual(chunkSize);
    expect(chunk.contentHash).toBe(contentHash(chunk.searchText));
    expect(chunk.searchText.endsWith(chunk.text)).toBe(true);
  });
  // Every non-whitespace character of the document is in some chunk.
  const covered = new Uint8Array(document.text.length);
  for (const chunk of chunks) covered.fill(1, chunk.start, chunk.end);
  for (let index = 0; index < document.text.length; index++) if (!covered[index]) expect(document.text[index]).toMatch(/\s/);
}

describe("chunkDocument", () => {
  it("respects the token limit of the model's tokenizer, maps offsets back and keeps metadata", async () => {
    const document = parseMarkdown(markdown);
    const chunks = await chunkDocument(document, { documentId: "handbook", countTokens, chunkSize: 64, chunkOverlap: 12 });
    expectInvariants(document, chunks, 64);
    expect(chunks.length).toBeGreaterThan(8);
    const table = chunks.find((chunk) => chunk.text.includes("junior | 20"))!;
    expect(table.headingPath).toEqual(["Handbook", "Leave"]);
    expect(table.title).toBe("Handbook");
    expect(table.searchText.startsWith("Handbook > Leave\n")).toBe(true);
    const travel = chunks.find((chunk) => chunk.text.includes("Short section."))!;
    expect(travel.headingPath).toEqual(["Handbook", "Travel"]);
    expect(travel.text).toBe("Travel\n\nShort section.");
    expect(chunks.every((chunk) => chunk.documentId === "handbook")).toBe(true);
  });

  it("splits on headings: no chunk spans two sections", async () => {
    const document = parseMarkdown(markdown);
    const chunks = await chunkDocument(document, { documentId: "d", countTokens, chunkSize: 200, chunkOverlap: 20 });
    for (const chunk of chunks) {
      const blocks = document.blocks.filter((block) => block.start < chunk.end && block.end > chunk.start);
      expect(new Set(blocks.map((block) => block.headingPath.join(">"))).size).toBe(1);
    }
  });

  it("overlaps consecutive chunks of a section by whole sentences within the overlap budget", async () => {
    const document = parsePlainText(sentences.join(" "));
    const chunks = await chunkDocument(document, { documentId: "d", countTokens, chunkSize: 60, chunkOverlap: 20 });
    expectInvariants(document, chunks, 60);
    for (let index = 1; index < chunks.length; index++) {
      const previous = chunks[index - 1]!;
      const current = chunks[index]!;
      expect(current.start).toBeLessThan(previous.end);
      expect(current.start).toBeGreaterThan(previous.start);
      expect(countTokens(document.text.slice(current.start, previous.end))).toBeLessThanOrEqual(20);
      expect(document.text.slice(current.start, previous.end)).toMatch(/^Sentence number \d+/);
    }
    const withoutOverlap = await chunkDocument(document, { documentId: "d", countTokens, chunkSize: 60, chunkOverlap: 0 });
    for (let index = 1; index < withoutOverlap.length; index++) expect(withoutOverlap[index]!.start).toBeGreaterThanOrEqual(withoutOverlap[index - 1]!.end);
  });

  it("is deterministic, accepts an async tokenizer and keeps PDF pages", async () => {
    const document: ParsedDocument = {
      format: "pdf", title: "Report", text: "Page one text.\n\nPage two text.", warnings: [], pageCount: 2,
      blocks: [
        { type: "paragraph", text: "Page one text.", headingPath: [], page: 1, start: 0, end: 14 },
        { type: "paragraph", text: "Page two text.", headingPath: [], page: 2, start: 16, end: 30 },
      ],
    };
    const first = await chunkDocument(document, { documentId: "r", countTokens: async (text) => countTokens(text), chunkSize: 100 });
    const second = await chunkDocument(document, { documentId: "r", countTokens, chunkSize: 100 });
    expect(first).toEqual(second);
    expect(first.map((chunk) => [chunk.page, chunk.text])).toEqual([[1, "Page one text."], [2, "Page two text."]]);
    expect(await chunkDocument(parsePlainText(""), { documentId: "e", countTokens })).toEqual([]);
    await expect(chunkDocument(document, { documentId: "r", countTokens, chunkSize: 2 })).rejects.toThrow(RangeError);
  });
});
