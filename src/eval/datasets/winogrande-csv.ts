import { readDatasetText } from "./read-dataset-file.js";
import type { WinograndeItem } from "./winogrande-item.js";

export type SkippedRow = { line: number; reason: string; text: string };

export type WinograndeCsv = {
  items: WinograndeItem[];
  /** Rows llama.cpp skips with an error message (header, no `_`, bad answer, fewer than 4 commas). */
  skipped: SkippedRow[];
};

/**
 * llama.cpp's `load_winogrande_from_csv` exactly, applied to the text as `-f` delivers it (one trailing
 * `\n` stripped first):
 * - a line is used only if it ends with `\n`; the loop stops at EOF, so an unterminated last line is ignored;
 * - the first 4 commas outside double quotes split `index,sentence,option1,option2,answer`;
 * - a sentence starting with `"` loses one character at each end (no `""` unescaping); options are taken raw;
 * - rows without `_` in the sentence, or whose answer does not parse as the integer 1 or 2, are skipped.
 */
export function parseWinograndeCsv(text: string): WinograndeCsv {
  const prompt = text.endsWith("\n") ? text.slice(0, -1) : text;
  const items: WinograndeItem[] = [];
  const skipped: SkippedRow[] = [];
  let start = 0;
  let lineNumber = 0;
  for (;;) {
    const end = prompt.indexOf("\n", start);
    if (end < 0) break;
    lineNumber += 1;
    const line = prompt.slice(start, end);
    start = end + 1;
    const commas: number[] = [];
    let quoteOpen = false;
    for (let index = 0; index < line.length && commas.length < 4; index += 1) {
      const character = line[index];
      if (!quoteOpen) {
        if (character === ",") commas.push(index);
        else if (character === '"') quoteOpen = true;
      } else if (character === '"') {
        quoteOpen = false;
      }
    }
    if (commas.length !== 4) {
      skipped.push({ line: lineNumber, reason: "failed to find comma separators", text: line });
      continue;
    }
    const [comma0, comma1, comma2, comma3] = commas as [number, number, number, number];
    const sentence = line[comma0 + 1] === '"' ? line.slice(comma0 + 2, comma1 - 1) : line.slice(comma0 + 1, comma1);
    const option1 = line.slice(comma1 + 1, comma2);
    const option2 = line.slice(comma2 + 1, comma3);
    const answerText = line.slice(comma3 + 1);
    const where = sentence.indexOf("_");
    if (where < 0) {
      skipped.push({ line: lineNumber, reason: "no _ in sentence", text: line });
      continue;
    }
    // `std::istringstream >> int`: optional leading whitespace, sign, digits.
    const answerMatch = /^\s*([+-]?\d+)/.exec(answerText);
    const answer = answerMatch ? Number(answerMatch[1]) : Number.NaN;
    if (answer !== 1 && answer !== 2) {
      skipped.push({ line: lineNumber, reason: "failed to parse answer", text: line });
      continue;
    }
    items.push({ id: line.slice(0, comma0), first: sentence.slice(0, where), second: sentence.slice(where + 1), options: [option1, option2], answer });
  }
  return { items, skipped };
}

export async function loadWinograndeCsv(path: string): Promise<WinograndeCsv> {
  return parseWinograndeCsv(await readDatasetText(path));
}
