import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow } from "docx";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { DocumentParseError, parseDocument, type ParsedDocument } from "../../src/rag/index.js";

async function makePdf(pages: string[][]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle("Staff handbook");
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage([400, 400]);
    lines.forEach((line, index) => page.drawText(line, { x: 30, y: 350 - index * 30, size: 12, font }));
  }
  return pdf.save();
}

async function makeDocx(): Promise<Uint8Array> {
  const cell = (text: string) => new TableCell({ children: [new Paragraph(text)] });
  const document = new Document({
    sections: [{
      children: [
        new Paragraph({ text: "Leave policy", heading: HeadingLevel.HEADING_1 }),
        new Paragraph("New staff get twenty vacation days."),
        new Paragraph({ text: "Allowances", heading: HeadingLevel.HEADING_2 }),
        new Table({ rows: [new TableRow({ children: [cell("Grade"), cell("Days")] }), new TableRow({ children: [cell("Junior"), cell("20")] })] }),
      ],
    }],
  });
  return new Uint8Array(await Packer.toBuffer(document));
}

/** Every block's offsets must point at its text. */
function expectConsistent(parsed: ParsedDocument): void {
  for (const block of parsed.blocks) expect(parsed.text.slice(block.start, block.end)).toBe(block.text);
}

describe("parsers", () => {
  it("reads a multi-page PDF per page, keeps page numbers and reports a page without text", async () => {
    const bytes = await makePdf([["Vacation policy", "New staff get twenty days."], ["Sick leave", "Ten days paid."], []]);
    const parsed = await parseDocument({ bytes, fileName: "handbook.pdf" });
    expectConsistent(parsed);
    expect(parsed.format).toBe("pdf");
    expect(parsed.pageCount).toBe(3);
    expect(parsed.title).toBe("Staff handbook");
    expect(parsed.blocks.find((block) => block.text.includes("twenty"))?.page).toBe(1);
    expect(parsed.blocks.find((block) => block.text.includes("Ten days"))?.page).toBe(2);
    expect(parsed.warnings).toEqual(["page 3 has no extractable text (a scanned image?)"]);
  });

  it("reads DOCX headings, paragraphs and tables row by row", async () => {
    const parsed = await parseDocument({ bytes: await makeDocx(), fileName: "policy.docx" });
    expectConsistent(parsed);
    expect(parsed.format).toBe("docx");
    expect(parsed.blocks.map((block) => block.type)).toEqual(["heading", "paragraph", "heading", "table"]);
    const table = parsed.blocks[3]!;
    expect(table.text).toBe("Grade | Days\nJunior | 20");
    expect(table.headingPath).toEqual(["Leave policy", "Allowances"]);
    expect(parsed.title).toBe("Leave policy");
  });

  it("reads HTML structure, dropping scripts, styles and navigation", async () => {
    const html = `<!doctype html><html><head><title>Intranet</title><style>p{color:red}</style></head><body>
      <nav><a href="/">Home</a> menu</nav><script>alert("x")</script>
      <h1>Benefits</h1><p>Lunch is <b>free</b> &amp; healthy.</p>
      <h2>Gym</h2><ul><li>Open 7-22</li><li>Towels provided</li></ul>
      <table><tr><th>Day</th><th>Class</th></tr><tr><td>Mon</td><td>Yoga</td></tr></table>
      <div>Loose text in a div</div></body></html>`;
    const parsed = await parseDocument({ text: html, fileName: "benefits.html" });
    expectConsistent(parsed);
    expect(parsed.title).toBe("Intranet");
    expect(parsed.text).not.toMatch(/alert|color:red|menu/);
    expect(parsed.blocks.map((block) => [block.type, block.text])).toEqual([
      ["heading", "Benefits"],
      ["paragraph", "Lunch is free & healthy."],
      ["heading", "Gym"],
      ["list", "- Open 7-22\n- Towels provided"],
      ["table", "Day | Class\nMon | Yoga"],
      ["paragraph", "Loose text in a div"],
    ]);
    expect(parsed.blocks[4]!.headingPath).toEqual(["Benefits", "Gym"]);
  });

  it("reads Markdown headings (ATX and setext), lists, fenced code and tables", async () => {
    const markdown = "Guide\n=====\n\nIntro with **bold** and [a link](http://x).\n\n## Setup\n\n- install\n- run `aiplus`\n\n```sh\nnpx aiplus  serve\n```\n\n| key | value |\n|-----|-------|\n| a | 1 |\n\nSub part\n--------\nLast words.";
    const parsed = await parseDocument({ text: markdown, fileName: "guide.md" });
    expectConsistent(parsed);
    expect(parsed.blocks.map((block) => [block.type, block.text, block.headingPath.join(" > ")])).toEqual([
      ["heading", "Guide", "Guide"],
      ["paragraph", "Intro with bold and a link.", "Guide"],
      ["heading", "Setup", "Guide > Setup"],
      ["list", "- install\n- run aiplus", "Guide > Setup"],
      ["code", "npx aiplus  serve", "Guide > Setup"],
      ["table", "key | value\na | 1", "Guide > Setup"],
      ["heading", "Sub part", "Guide > Sub part"],
      ["paragraph", "Last words.", "Guide > Sub part"],
    ]);
  });

  it("reads plain text, CSV rows with their header and flattened JSON", async () => {
    const text = await parseDocument({ text: "First paragraph.\n\nSecond\nparagraph.", fileName: "notes.txt" });
    expect(text.blocks.map((block) => block.text)).toEqual(["First paragraph.", "Second\nparagraph."]);
    const csv = await parseDocument({ text: 'name,role\nAda,"Engineer, senior"\nBob,"Says ""hi"""\n', fileName: "staff.csv" });
    expectConsistent(csv);
    expect(csv.blocks.map((block) => [block.type, block.text])).toEqual([
      ["table", "name: Ada | role: Engineer, senior"],
      ["table", 'name: Bob | role: Says "hi"'],
    ]);
    const json = await parseDocument({ text: JSON.stringify({ office: { city: "Oslo", floors: [1, 2] }, open: true }), fileName: "data.json" });
    expectConsistent(json);
    expect(json.blocks.map((block) => block.text)).toEqual(["office.city: Oslo\noffice.floors[0]: 1\noffice.floors[1]: 2", "open: true"]);
  });

  it("detects the real format when the extension is wrong", async () => {
    const pdfNamedText = await parseDocument({ bytes: await makePdf([["Hidden PDF content"]]), fileName: "notes.txt" });
    expect(pdfNamedText.format).toBe("pdf");
    expect(pdfNamedText.text).toContain("Hidden PDF content");
    const htmlWithoutExtension = await parseDocument({ text: "<html><body><h1>Hi</h1></body></html>", fileName: "page" });
    expect(htmlWithoutExtension.format).toBe("html");
  });

  it("rejects corrupt and unknown files with DocumentParseError, never a crash", async () => {
    const cases: Array<[Parameters<typeof parseDocument>[0], 400 | 422]> = [
      [{ bytes: new TextEncoder().encode("%PDF-1.7\n garbage that is not a pdf"), fileName: "broken.pdf" }, 422],
      [{ bytes: (await makePdf([["x"]])).slice(0, 300), fileName: "truncated.pdf" }, 422],
      [{ text: "just text, not a PDF", fileName: "fake.pdf" }, 422],
      [{ bytes: new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3, 0, 0, 9]), fileName: "broken.docx" }, 422],
      [{ bytes: new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3, 0, 0, 9]), fileName: "archive.zip" }, 400],
      [{ bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]), fileName: "image.png" }, 400],
      [{ text: "{ not json", fileName: "bad.json" }, 422],
      [{ text: 'a,b\n"unterminated', fileName: "bad.csv" }, 422],
    ];
    for (const [source, statusCode] of cases) {
      const error = await parseDocument(source).then(() => undefined, (caught: unknown) => caught);
      expect(error, source.fileName).toBeInstanceOf(DocumentParseError);
      expect((error as DocumentParseError).statusCode, source.fileName).toBe(statusCode);
      expect((error as DocumentParseError).documentName).toBe(source.fileName);
    }
  });
});
