import path from "node:path";
import { fileURLToPath } from "node:url";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The shared development datasets: `AIPLUS_TEST_DATASETS`, else `../shared/datasets` next to the repository. */
export function datasetPath(...parts: string[]): string {
  return path.join(process.env.AIPLUS_TEST_DATASETS ?? path.resolve(repositoryRoot, "../shared/datasets"), ...parts);
}
