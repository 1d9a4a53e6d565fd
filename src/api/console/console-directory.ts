import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `web/dist` of the aiplus installation this code runs from: the nearest folder above this module (`src/api/console`
 * under tsx, `dist/` when bundled) whose package.json is aiplus's. Never the working directory.
 */
export function defaultConsoleDirectory(moduleUrl: string = import.meta.url): string {
  const start = path.dirname(fileURLToPath(moduleUrl));
  for (let folder = start; ; folder = path.dirname(folder)) {
    if (isAiplusPackage(path.join(folder, "package.json"))) return path.join(folder, "web", "dist");
    if (path.dirname(folder) === folder) return path.resolve(start, "..", "web", "dist");
  }
}

function isAiplusPackage(file: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { name?: unknown }).name === "aiplus";
  } catch {
    return false;
  }
}
