import fs from "node:fs";
import path from "node:path";
import { InvalidRequestError } from "../../spec/index.js";

/** A file to ingest and its name (= its document id) in the knowledge base. */
export type DocumentFile = { name: string; path: string };

/**
 * Files and folders (recursively, skipping dot-files and dot-folders) → files named by their path relative to the
 * common base of the inputs (a file counts from its folder, a folder from itself), in `/` form. So one file keeps its
 * base name, one folder's files are named relative to it, and `teamA/notes.md teamB/notes.md` stay two documents
 * (`teamA/notes.md`, `teamB/notes.md`) instead of one overwriting the other. The same file given twice is listed once;
 * two different files that would get one name are an error naming both, never silently dropped. Sorted.
 */
export async function collectDocumentFiles(paths: string[]): Promise<DocumentFile[]> {
  const found: string[] = [];
  const roots: string[] = [];
  for (const given of paths) {
    const absolute = path.resolve(given);
    const stat = await fs.promises.stat(absolute).catch(() => undefined);
    if (!stat) throw new InvalidRequestError({ message: `no such file or folder: ${given}`, param: "paths" });
    if (stat.isFile()) {
      found.push(absolute);
      roots.push(path.dirname(absolute));
      continue;
    }
    roots.push(absolute);
    const entries = await fs.promises.readdir(absolute, { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath, entry.name);
      if (path.relative(absolute, full).split(path.sep).some((part) => part.startsWith("."))) continue;
      found.push(full);
    }
  }
  const base = commonBase(roots);
  const files = new Map<string, DocumentFile>();
  for (const file of found) {
    const name = path.relative(base, file).split(path.sep).join("/");
    const existing = files.get(name);
    if (existing && existing.path !== file) {
      throw new InvalidRequestError({ message: `${existing.path} and ${file} would both be document ${name}; add them in separate calls`, param: "paths", code: "document_id_collision" });
    }
    files.set(name, { name, path: file });
  }
  return [...files.values()].sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
}

/** The deepest folder that contains every one of `folders` (absolute paths). */
function commonBase(folders: string[]): string {
  const [first, ...rest] = folders.map((folder) => folder.split(path.sep));
  if (!first) return process.cwd();
  let length = first.length;
  for (const parts of rest) {
    let shared = 0;
    while (shared < Math.min(length, parts.length) && parts[shared] === first[shared]) shared++;
    length = shared;
  }
  return first.slice(0, length).join(path.sep) || path.sep;
}
