/** One WinoGrande item, split at the first `_` of its sentence. */
export type WinograndeItem = {
  /** `index` column of the llama.cpp CSV, `qID` of the AllenAI jsonl. */
  id: string;
  /** Sentence text before the first `_`. */
  first: string;
  /** Sentence text after the first `_`. */
  second: string;
  options: [string, string];
  /** 1 or 2. */
  answer: 1 | 2;
};
