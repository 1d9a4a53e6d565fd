import { DocumentBuilder } from "./document-builder.js";
import type { ParsedDocument } from "./types.js";

/** Plain text: one paragraph block per blank-line-separated paragraph. */
export function parsePlainText(text: string, options: { title?: string | undefined } = {}): ParsedDocument {
  const builder = new DocumentBuilder("text");
  for (const paragraph of text.replace(/\r\n?/g, "\n").split(/\n\s*\n/)) builder.add("paragraph", paragraph);
  return builder.build({ title: options.title });
}
