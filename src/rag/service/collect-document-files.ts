import fs from "node:fs";
import path from "node:path";
import { InvalidRequestError } from "../../spec/index.js";

/** A file to ingest and its name in the knowledge base. */
export type DocumentFile = { name: string; path: string };

/**
 * Files and folders (recursively, skipping dot-files and dot-folders) → files with knowledge-base names: a file
 * keeps its base name, a folder's files are named by their path relative to the folder. Sorted, de-duplicated.
 */
export async function collectDocumentFiles(paths: string[]): Promise<DocumentFile[]> {
  const files = new Map<string, DocumentFile>();
  for (const given of paths) {
    const absolute = path.resolve(given);
    const stat = await fs.promises.stat(absolute).catch(() => undefined);
    if (!stat) throw new InvalidRequestError({ message: `no such file or folder: ${given}`, param: "paths" });
    if (stat.isFile()) {
      files.set(path.basename(absolute), { name: path.basename(absolute), path: absolute });
      continue;
    }
    const entries = await fs.promises.readdir(absolute, { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath, entry.name);
      const relative = path.relative(absolute, full).split(path.sep).join("/");
      if (relative.split("/").some((part) => part.startsWith("."))) continue;
      files.set(relative, { name: relative, path: full });
    }
  }
  return [...files.values()].sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
}
