import { extractText, getDocumentProxy } from "unpdf";
import { DocumentBuilder } from "./document-builder.js";
import { DocumentParseError } from "./document-parse-error.js";
import type { ParsedDocument } from "./types.js";

/** PDF text per page (pdf.js via unpdf); every block keeps its 1-based page number. */
export async function parsePdf(bytes: Uint8Array, options: { documentName?: string | undefined } = {}): Promise<ParsedDocument> {
  let pages: string[];
  let title: string | undefined;
  try {
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    pages = (await extractText(pdf, { mergePages: false })).text;
    const metadata = await pdf.getMetadata().catch(() => undefined);
    const info: unknown = metadata?.info;
    const documentTitle = typeof info === "object" && info !== null && "Title" in info ? info.Title : undefined;
    title = typeof documentTitle === "string" && documentTitle.trim() ? documentTitle.trim() : undefined;
    await pdf.destroy();
  } catch (error) {
    throw new DocumentParseError({ message: `unreadable PDF: ${(error as Error).message}`, failure: "corrupt", documentName: options.documentName, cause: error });
  }
  const builder = new DocumentBuilder("pdf");
  pages.forEach((pageText, index) => {
    const paragraphs = pageText.split(/\n\s*\n/).filter((paragraph) => paragraph.trim());
    if (paragraphs.length === 0) builder.warnings.push(`page ${index + 1} has no extractable text (a scanned image?)`);
    for (const paragraph of paragraphs) builder.add("paragraph", paragraph, { page: index + 1 });
  });
  return builder.build({ title, pageCount: pages.length });
}
