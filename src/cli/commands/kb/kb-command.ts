import { Command, InvalidArgumentError, Option } from "commander";
import type { IngestJobResult, KnowledgeService } from "../../../rag/index.js";
import { InvalidRequestError } from "../../../spec/index.js";
import { loadApiViews } from "../../api-views.js";
import { printJson, printLine } from "../../output.js";
import { parsePositiveInteger } from "../../parse-options.js";
import { withKnowledge } from "./kb-context.js";
import { printKnowledgeBase, printKnowledgeBases, printPassages } from "./kb-output.js";
import { createJobProgress } from "./kb-progress.js";

type JsonFlag = { json?: boolean };

/**
 * `aiplus kb create | ls | show | add | query | rm-doc | reindex | grant | revoke | rm`: knowledge bases, in-process as
 * the local operator (sees every knowledge base); works with or without a server on the same AIPLUS_HOME.
 */
export function kbCommand(): Command {
  const kb = new Command("kb").description("knowledge bases: add documents, search them, answer from them (chat with knowledge_bases)");

  kb.command("create")
    .description("create a knowledge base")
    .argument("<name>", "letters, digits, '.', '_' or '-'")
    .requiredOption("--embedding-model <model>", "a registered embedding model (local or served by a provider)")
    .option("--description <text>", "what it holds")
    .option("--chunk-size <tokens>", "tokens per chunk (default: from the model's context, at most 512)", parsePositiveInteger)
    .option("--chunk-overlap <tokens>", "tokens repeated between chunks (default: chunk size / 8)", parseNonNegativeInteger)
    .option("--json", "print JSON")
    .action(async (name: string, options: JsonFlag & { embeddingModel: string; description?: string; chunkSize?: number; chunkOverlap?: number }, command: Command) => {
      const view = await withKnowledge(command, async (knowledge) => {
        const { localOperator } = await import("../../../rag/index.js");
        return knowledge.createKnowledgeBase(localOperator, { name, embeddingModel: options.embeddingModel, description: options.description, chunkSize: options.chunkSize, chunkOverlap: options.chunkOverlap });
      });
      if (options.json) printJson((await loadApiViews()).knowledgeBaseView(view));
      else printLine(`created knowledge base ${view.name} (${view.id}) with ${view.embeddingModel}, ${view.dimensions} dimensions, chunks of ${view.chunkSize} tokens`);
    });

  kb.command("ls")
    .description("list knowledge bases")
    .option("--json", "print JSON")
    .action(async (options: JsonFlag, command: Command) => {
      const views = await withKnowledge(command, async (knowledge) => knowledge.listKnowledgeBases(await operator()));
      if (options.json) printJson(views.map((await loadApiViews()).knowledgeBaseView));
      else printKnowledgeBases(views);
    });

  kb.command("show")
    .description("show a knowledge base and its documents")
    .argument("<name>", "name or id")
    .option("--json", "print JSON")
    .action(async (name: string, options: JsonFlag, command: Command) => {
      const { view, documents } = await withKnowledge(command, async (knowledge) => {
        const accessor = await operator();
        return { view: await knowledge.getKnowledgeBase(accessor, name), documents: await knowledge.listDocuments(accessor, name) };
      });
      if (options.json) {
        const { knowledgeBaseView, documentView } = await loadApiViews();
        printJson({ ...knowledgeBaseView(view), documents: documents.map(documentView) });
      }
      else printKnowledgeBase(view, documents);
    });

  kb.command("add")
    .description("add files and folders (PDF, DOCX, HTML, Markdown, text, CSV, JSON); unchanged files are skipped")
    .argument("<name>", "name or id")
    .argument("<paths...>", "files and folders (read recursively); each document is named by its path relative to the inputs' common folder")
    .option("--force", "re-process files even if unchanged")
    .option("--json", "print the job result as JSON")
    .action(async (name: string, paths: string[], options: JsonFlag & { force?: boolean }, command: Command) => {
      const { collectDocumentFiles } = await import("../../../rag/index.js");
      const files = await collectDocumentFiles(paths);
      if (files.length === 0) throw new InvalidRequestError({ message: `no files found in ${paths.join(", ")}` });
      const result = await withKnowledge(command, async (knowledge) => {
        const accessor = await operator();
        const { record } = await knowledge.access(accessor, name);
        await knowledge.jobs.runPending({ subject: record.id }); // resume ingestion a crashed process left behind
        const job = await knowledge.addDocuments(accessor, record.id, files.map((file) => ({ name: file.name, path: file.path })), { force: options.force, runHere: true });
        return (await runJob(knowledge, job.id, options.json ? undefined : `kb add ${name}`, "files")) as IngestJobResult;
      });
      if (options.json) printJson((await loadApiViews()).ingestResultView(result));
      else {
        const chunks = result.documents.reduce((sum, document) => sum + document.chunkCount, 0);
        printLine(`${result.added} added, ${result.replaced} replaced, ${result.unchanged} unchanged, ${result.failed} failed (${chunks} chunks)`);
      }
      const failed = result.documents.filter((document) => document.status === "failed");
      for (const document of failed) process.stderr.write(`aiplus: ${document.name}: ${document.error ?? "failed"}\n`);
      if (failed.length > 0) throw new InvalidRequestError({ message: `${failed.length} of ${result.documents.length} documents failed` });
    });

  kb.command("query")
    .description("search a knowledge base")
    .argument("<name>", "name or id")
    .argument("<query>", "what to look for")
    .option("--top <n>", "passages to return", parsePositiveInteger, 5)
    .addOption(new Option("--mode <mode>", "retrieval mode").choices(["lexical", "vector", "hybrid"]).default("hybrid"))
    .option("--rerank-model <model>", "rerank the candidates with this model")
    .option("--json", "print the hits (text, score, source) as JSON")
    .action(async (name: string, query: string, options: JsonFlag & { top: number; mode: "lexical" | "vector" | "hybrid"; rerankModel?: string }, command: Command) => {
      const result = await withKnowledge(command, async (knowledge) => knowledge.query(await operator(), name, { query, top: options.top, mode: options.mode, rerankModel: options.rerankModel }));
      if (options.json) printJson(result.passages.map((await loadApiViews()).passageView));
      else printPassages(result.passages);
    });

  kb.command("rm-doc")
    .description("delete a document with all its chunks (a queued, processing or failed one too)")
    .argument("<name>", "name or id")
    .argument("<document>", "the document's id or name in the knowledge base (see `aiplus kb show`)")
    .option("--json", "print JSON")
    .action(async (name: string, document: string, options: JsonFlag, command: Command) => {
      await withKnowledge(command, async (knowledge) => knowledge.removeDocument(await operator(), name, document));
      if (options.json) printJson({ id: document, object: "knowledge_base.document.deleted", knowledge_base: name, deleted: true });
      else printLine(`deleted ${document} from ${name}`);
    });

  kb.command("reindex")
    .description("re-embed everything with another embedding model; the current index serves until the switch")
    .argument("<name>", "name or id")
    .requiredOption("--embedding-model <model>", "the new embedding model")
    .option("--chunk-size <tokens>", "tokens per chunk (default: from the model)", parsePositiveInteger)
    .option("--json", "print JSON")
    .action(async (name: string, options: JsonFlag & { embeddingModel: string; chunkSize?: number }, command: Command) => {
      const view = await withKnowledge(command, async (knowledge) => {
        const accessor = await operator();
        const { record } = await knowledge.access(accessor, name, "manage");
        await knowledge.jobs.runPending({ subject: record.id });
        const job = await knowledge.reindex(accessor, record.id, { embeddingModel: options.embeddingModel, chunkSize: options.chunkSize, runHere: true });
        await runJob(knowledge, job.id, options.json ? undefined : `kb reindex ${name}`, "documents");
        return knowledge.getKnowledgeBase(accessor, record.id);
      });
      if (options.json) printJson((await loadApiViews()).knowledgeBaseView(view));
      else printLine(`${view.name} now uses ${view.embeddingModel} (${view.chunkCount} chunks)`);
    });

  for (const [verb, description] of [["grant", "let an API key use a knowledge base"], ["revoke", "remove an API key's access"]] as const) {
    kb.command(verb)
      .description(description)
      .argument("<name>", "name or id")
      .requiredOption("--key <key>", "the API key's id or prefix")
      .option("--json", "print JSON")
      .action(async (name: string, options: JsonFlag & { key: string }, command: Command) => {
        const { key, grants } = await withKnowledge(command, async (knowledge, platform) => {
          const record = await platform.maas.keys.resolve(options.key);
          const accessor = await operator();
          return { key: record, grants: verb === "grant" ? await knowledge.grant(accessor, name, record.id) : await knowledge.revoke(accessor, name, record.id) };
        });
        if (options.json) printJson({ object: "list", knowledge_base: name, key_id: key.id, data: grants });
        else printLine(`${verb === "grant" ? "granted" : "revoked"} ${key.name} (${key.prefix}) ${verb === "grant" ? "access to" : "access from"} ${name}`);
      });
  }

  kb.command("rm")
    .description("delete a knowledge base with all its documents")
    .argument("<name>", "name or id")
    .option("--json", "print JSON")
    .action(async (name: string, options: JsonFlag, command: Command) => {
      const deleted = await withKnowledge(command, async (knowledge) => {
        const accessor = await operator();
        const view = await knowledge.getKnowledgeBase(accessor, name);
        await knowledge.deleteKnowledgeBase(accessor, view.id);
        return view;
      });
      if (options.json) printJson({ id: deleted.id, object: "knowledge_base.deleted", deleted: true });
      else printLine(`deleted knowledge base ${name}`);
    });

  return kb;
}

async function operator() {
  return (await import("../../../rag/index.js")).localOperator;
}

/** Waits for a job with a progress bar (when `label` is set); returns its result or throws its error. */
async function runJob(knowledge: KnowledgeService, jobId: string, label: string | undefined, unit: string): Promise<unknown> {
  const progress = label ? createJobProgress(label, unit) : undefined;
  try {
    const job = await knowledge.jobs.waitFor(jobId, { onUpdate: (update) => progress?.update(update) });
    if (job.status !== "completed") throw new InvalidRequestError({ message: `job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ""}` });
    return job.result;
  } finally {
    progress?.stop();
  }
}

function parseNonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError("Must be a non-negative integer.");
  return Number(value.trim());
}
