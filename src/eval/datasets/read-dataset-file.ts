import { readFile } from "node:fs/promises";
import { NotFoundError } from "../../spec/index.js";

/** Reads a dataset file as UTF-8 (or bytes); a missing file is a NotFoundError naming the path. */
export async function readDatasetText(path: string): Promise<string> {
  return (await readDatasetBytes(path)).toString("utf8");
}

export async function readDatasetBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new NotFoundError({ message: `dataset file not found: ${path}`, code: "dataset_not_found", cause: error });
    }
    throw error;
  }
}
