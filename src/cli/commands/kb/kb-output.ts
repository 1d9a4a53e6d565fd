import type { DocumentView, KnowledgeBaseView, RetrievedPassage } from "../../../rag/index.js";
import { printLine, printTable } from "../../output.js";

export function printKnowledgeBases(views: KnowledgeBaseView[]): void {
  printTable(
    ["NAME", "ID", "OWNER", "EMBEDDING MODEL", "DOCUMENTS", "CHUNKS", "STATUS"],
    views.map((view) => [
      view.name, view.id, view.ownerId, view.embeddingModel ?? "-", String(view.documentCount), String(view.chunkCount),
      view.status === "unusable" ? `unusable: ${view.unusableReason ?? "embedding model missing"}` : view.reindexing ? `reindexing to ${view.reindexing.embeddingModel}` : "ready",
    ]),
    "no knowledge bases; create one with `aiplus kb create <name> --embedding-model <model>`",
  );
}

export function printKnowledgeBase(view: KnowledgeBaseView, documents: DocumentView[]): void {
  printLine(`${view.name} (${view.id}), owner ${view.ownerId}`);
  if (view.description) printLine(view.description);
  printLine(`embedding model ${view.embeddingModel ?? "-"} (${view.dimensions ?? "?"} dimensions), chunks of ${view.chunkSize ?? "?"} tokens with ${view.chunkOverlap ?? "?"} overlap`);
  if (view.status === "unusable") printLine(`unusable: ${view.unusableReason ?? "its embedding model is missing"}`);
  if (view.reindexing) printLine(`re-indexing with ${view.reindexing.embeddingModel} (the current index serves meanwhile)`);
  printLine(`${view.documentCount} documents, ${view.chunkCount} chunks`);
  printLine();
  printTable(
    ["DOCUMENT", "STATUS", "FORMAT", "CHUNKS", "TITLE / ERROR"],
    documents.map((document) => [document.name, document.status, document.format ?? "-", String(document.chunkCount), document.error ?? document.title ?? ""]),
    "no documents; add some with `aiplus kb add <name> <files or folders...>`",
  );
}

export function printPassages(passages: RetrievedPassage[]): void {
  if (passages.length === 0) {
    printLine("nothing relevant found");
    return;
  }
  passages.forEach((passage, index) => {
    const location = [passage.documentName, passage.page !== undefined ? `page ${passage.page}` : undefined, passage.headingPath.join(" > ") || undefined]
      .filter(Boolean)
      .join(", ");
    printLine(`[${index + 1}] ${passage.score.toFixed(4)}  ${location}`);
    printLine(`    ${passage.text.replace(/\s+/g, " ").trim().slice(0, 400)}`);
  });
}
