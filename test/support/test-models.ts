import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The tiny GGUF files the tests use, with their pinned sha256 (see ../shared/models/README.md). */
export const testModels = {
  "stories260K.gguf": {
    sha256: "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d",
    url: "https://huggingface.co/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf",
  },
  "llama-2-tiny-random.gguf": {
    sha256: "81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb",
    url: "https://huggingface.co/aladar/llama-2-tiny-random-GGUF/resolve/main/llama-2-tiny-random.gguf",
  },
  "tiny-llama-moe-random.gguf": { sha256: "524e9568e39e3e8bc7345b360af9a0e6699e621f4e9f1cc0a64ad89dfe8ae513", url: undefined },
  "tiny-qwen2moe-random.gguf": { sha256: "48a185ae658376016da30ccac08c746698bb70504f410fb323ab694288c7da87", url: undefined },
  "tiny-bert-random.gguf": { sha256: "285a2efe67e038ddb1119c1176e50ae53f8b6a7684bcf028b42ab36914c78e6e", url: undefined },
  /** A clip vision projector (mmproj), not a model of its own: pairs with stories260K. */
  "tiny-mmproj-random.gguf": { sha256: "7a28ec27fa23a63423d13a9a3b3c881aac7225757bae5df951de1384022bc26a", url: undefined },
} as const;

export type TestModelFile = keyof typeof testModels;

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function candidateFolders(): string[] {
  const folders: string[] = [];
  if (process.env.AIPLUS_TEST_MODELS) folders.push(process.env.AIPLUS_TEST_MODELS);
  folders.push(path.resolve(repositoryRoot, "../shared/models"));
  folders.push(path.join(os.homedir(), ".cache", "aiplus-test-models"));
  return folders;
}

/**
 * Path of a test model: `AIPLUS_TEST_MODELS`, else `../shared/models`, else a cache folder that
 * {@link fetchTestModel} fills by pinned URL and sha256. Throws with a clear message if unavailable.
 */
export async function testModelPath(file: TestModelFile): Promise<string> {
  for (const folder of candidateFolders()) {
    const candidate = path.join(folder, file);
    if (fs.existsSync(candidate)) return candidate;
  }
  return fetchTestModel(file);
}

async function fetchTestModel(file: TestModelFile): Promise<string> {
  const { url, sha256 } = testModels[file];
  if (!url) {
    throw new Error(`test model ${file} is unavailable: set AIPLUS_TEST_MODELS to a folder holding it (it has no public download; see ../shared/models/README.md)`);
  }
  const cache = path.join(os.homedir(), ".cache", "aiplus-test-models");
  fs.mkdirSync(cache, { recursive: true });
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch test model ${file} from ${url}: HTTP ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== sha256) throw new Error(`test model ${file} from ${url} has sha256 ${actual}, expected ${sha256}`);
  const target = path.join(cache, file);
  fs.writeFileSync(`${target}.partial`, bytes);
  fs.renameSync(`${target}.partial`, target);
  return target;
}
