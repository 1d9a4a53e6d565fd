import { readdir } from "node:fs/promises";
import path from "node:path";
import { InvalidRequestError } from "../../spec/index.js";
import { parseCsv } from "./parse-csv.js";
import { readDatasetText } from "./read-dataset-file.js";

export type MmluItem = {
  subject: string;
  /** 0-based row in its subject file. */
  index: number;
  question: string;
  choices: [string, string, string, string];
  goldIndex: number;
};

export type MmluSubject = {
  subject: string;
  test: MmluItem[];
  /** The dev split: 5 exemplars per subject for 5-shot (`first_n`). */
  dev: MmluItem[];
};

const answerLetters = ["A", "B", "C", "D"] as const;

/** One hendrycks MMLU CSV without header: `question,A,B,C,D,answer` with answer a letter A–D. */
export function parseMmluCsv(text: string, subject: string, source = `${subject}.csv`): MmluItem[] {
  return parseCsv(text, { source }).map((row, index) => {
    if (row.length !== 6) {
      throw new InvalidRequestError({ message: `${source}: record ${index + 1} has ${row.length} fields, expected 6`, code: "invalid_dataset" });
    }
    const [question, a, b, c, d, answer] = row as [string, string, string, string, string, string];
    const goldIndex = answerLetters.indexOf(answer.trim() as (typeof answerLetters)[number]);
    if (goldIndex < 0) {
      throw new InvalidRequestError({ message: `${source}: record ${index + 1} has answer ${JSON.stringify(answer)}`, code: "invalid_dataset" });
    }
    return { subject, index, question, choices: [a, b, c, d], goldIndex };
  });
}

/** Subject of an MMLU file name: `abstract_algebra_test.csv`, `…_dev.csv`, `…_test.first4.csv`. */
export function mmluSubjectOfFile(fileName: string): string | undefined {
  return /^(.+?)_(?:dev|val|test)(?:\.[^.]+)*\.csv$/.exec(path.basename(fileName))?.[1];
}

export type LoadMmluOptions = {
  /** Folder of `<subject>_test*.csv` files (or `_val`). */
  testFolder: string;
  /** Folder of `<subject>_dev.csv` files; required for 5-shot. */
  devFolder?: string | undefined;
  /** Restrict to these subjects. Defaults to every subject in `testFolder`. */
  subjects?: readonly string[] | undefined;
};

/** Loads MMLU subject by subject, sorted by subject name. */
export async function loadMmlu(options: LoadMmluOptions): Promise<MmluSubject[]> {
  const testFiles = await listCsv(options.testFolder);
  const devFiles = options.devFolder ? await listCsv(options.devFolder) : new Map<string, string>();
  const subjects = [...testFiles.keys()].filter((subject) => !options.subjects || options.subjects.includes(subject)).sort();
  if (options.subjects) {
    const missing = options.subjects.filter((subject) => !testFiles.has(subject));
    if (missing.length > 0) throw new InvalidRequestError({ message: `unknown MMLU subjects: ${missing.join(", ")}`, code: "invalid_dataset" });
  }
  const result: MmluSubject[] = [];
  for (const subject of subjects) {
    const testPath = testFiles.get(subject)!;
    const devPath = devFiles.get(subject);
    result.push({
      subject,
      test: parseMmluCsv(await readDatasetText(testPath), subject, testPath),
      dev: devPath ? parseMmluCsv(await readDatasetText(devPath), subject, devPath) : [],
    });
  }
  return result;
}

async function listCsv(folder: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of (await readdir(folder)).sort()) {
    const subject = mmluSubjectOfFile(name);
    if (subject) files.set(subject, path.join(folder, name));
  }
  return files;
}
