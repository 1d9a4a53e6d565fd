import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

/** One ground-truth call: `{function_name: {parameter: [accepted alternatives…]}}`. */
export type BfclCall = { name: string; arguments: Record<string, unknown[]> };

export type BfclFunction = { name: string; description: string | undefined; parameters: unknown };

export type BfclEntry = {
  id: string;
  category: string;
  functions: BfclFunction[];
  /** The accepted calls (any order for parallel entries); undefined where the category has no answer file. */
  groundTruth: BfclCall[] | undefined;
};

export type BfclCategory = { name: string; entries: BfclEntry[] };

const questionLine = z.object({
  id: z.string(),
  function: z.array(z.object({ name: z.string(), description: z.string().optional(), parameters: z.unknown() })),
});

const answerLine = z.object({
  id: z.string(),
  ground_truth: z.array(z.record(z.string(), z.record(z.string(), z.array(z.unknown())))),
});

function jsonLines(file: string): unknown[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, index) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (error) {
        throw new Error(`${file}:${index + 1}: not JSON: ${(error as Error).message}`, { cause: error });
      }
    });
}

function categoryName(file: string): string {
  return path.basename(file, ".json").replace(/^BFCL_v\d+_/, "");
}

/**
 * A folder in the layout of ../shared/datasets/tools (BFCL v4 data): one JSON Lines question file per category
 * (`BFCL_v4_<category>.json`) and, for categories with answers, `possible_answer/<same name>`. Answers are matched to
 * questions by id.
 */
export function loadBfclDataset(folder: string): BfclCategory[] {
  const files = fs
    .readdirSync(folder)
    .filter((file) => file.endsWith(".json") && fs.statSync(path.join(folder, file)).isFile())
    .sort();
  if (files.length === 0) throw new Error(`${folder} holds no BFCL question files (*.json)`);
  return files.map((file) => {
    const answerFile = path.join(folder, "possible_answer", file);
    const answers = new Map<string, BfclCall[]>();
    if (fs.existsSync(answerFile)) {
      for (const [index, raw] of jsonLines(answerFile).entries()) {
        const parsed = answerLine.safeParse(raw);
        if (!parsed.success) throw new Error(`${answerFile}:${index + 1}: not a BFCL answer: ${parsed.error.issues[0]?.message}`);
        answers.set(
          parsed.data.id,
          parsed.data.ground_truth.flatMap((call) => Object.entries(call).map(([name, callArguments]) => ({ name, arguments: callArguments }))),
        );
      }
    }
    const category = categoryName(file);
    const entries = jsonLines(path.join(folder, file)).map((raw, index): BfclEntry => {
      const parsed = questionLine.safeParse(raw);
      if (!parsed.success) throw new Error(`${path.join(folder, file)}:${index + 1}: not a BFCL entry: ${parsed.error.issues[0]?.message}`);
      const { id, function: functions } = parsed.data;
      return {
        id,
        category,
        functions: functions.map((definition) => ({ name: definition.name, description: definition.description, parameters: definition.parameters })),
        groundTruth: fs.existsSync(answerFile) ? (answers.get(id) ?? []) : undefined,
      };
    });
    return { name: category, entries };
  });
}
