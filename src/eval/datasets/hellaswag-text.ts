import { InvalidRequestError } from "../../spec/index.js";
import { readDatasetText } from "./read-dataset-file.js";

/** One HellaSwag task from the llama.cpp text format. */
export type HellaswagItem = {
  /** 0-based task index in file order. */
  index: number;
  /** Line 1: `activity_label + ": " + ctx` (klosax preprocessing). */
  context: string;
  goldIndex: number;
  endings: [string, string, string, string];
};

/**
 * The file `llama-perplexity --hellaswag -f FILE` reads: 6 lines per task (context, gold index 0–3,
 * four endings). Like `-f`, exactly one trailing `\n` is stripped before splitting into lines; the line
 * count must then be a multiple of 6.
 */
export function parseHellaswagText(text: string, source = "hellaswag"): HellaswagItem[] {
  const prompt = text.endsWith("\n") ? text.slice(0, -1) : text;
  const lines = prompt.split("\n");
  // std::getline yields no empty last line for a trailing "\n".
  if (lines.at(-1) === "") lines.pop();
  if (lines.length % 6 !== 0) {
    throw new InvalidRequestError({ message: `${source}: number of lines (${lines.length}) is not a multiple of 6`, code: "invalid_dataset" });
  }
  const items: HellaswagItem[] = [];
  for (let index = 0; index < lines.length / 6; index += 1) {
    const [context, gold, ...endings] = lines.slice(index * 6, index * 6 + 6) as [string, string, string, string, string, string];
    const goldMatch = /^\s*([+-]?\d+)/.exec(gold);
    const goldIndex = goldMatch ? Number(goldMatch[1]) : Number.NaN;
    if (!(goldIndex >= 0 && goldIndex <= 3)) {
      throw new InvalidRequestError({ message: `${source}: task ${index} has gold index ${JSON.stringify(gold)} (line ${index * 6 + 2})`, code: "invalid_dataset" });
    }
    items.push({ index, context, goldIndex, endings: endings });
  }
  return items;
}

export async function loadHellaswagText(path: string): Promise<HellaswagItem[]> {
  return parseHellaswagText(await readDatasetText(path), path);
}
