/**
 * Aho–Corasick over UTF-16 code units: one pass over the text whatever the number of keywords, linear in
 * text length plus matches. (modern-ahocorasick segments graphemes with Intl.Segmenter, which we measured going
 * superlinear on non-ASCII text — 64 KB took 23 s — so dictionaries use this small automaton instead.)
 */
export class KeywordAutomaton {
  /** Transitions: state * 65536 + code unit → next state. */
  private readonly transitions = new Map<number, number>();
  private readonly failure: number[] = [0];
  /** Keyword indexes ending at a state, including those reached through failure links. */
  private readonly outputs: number[][] = [[]];
  readonly keywords: readonly string[];
  readonly longestKeyword: number;

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    let longest = 0;
    keywords.forEach((keyword, keywordIndex) => {
      if (keyword.length === 0) throw new RangeError("keywords must not be empty");
      longest = Math.max(longest, keyword.length);
      let state = 0;
      for (let index = 0; index < keyword.length; index += 1) {
        const key = state * 65536 + keyword.charCodeAt(index);
        let next = this.transitions.get(key);
        if (next === undefined) {
          next = this.failure.length;
          this.failure.push(0);
          this.outputs.push([]);
          this.transitions.set(key, next);
        }
        state = next;
      }
      this.outputs[state]!.push(keywordIndex);
    });
    this.longestKeyword = longest;
    this.buildFailureLinks();
  }

  private buildFailureLinks(): void {
    const children = new Map<number, [number, number][]>();
    for (const [key, next] of this.transitions) {
      const parent = Math.floor(key / 65536);
      const list = children.get(parent) ?? [];
      list.push([key % 65536, next]);
      children.set(parent, list);
    }
    const queue: number[] = [];
    for (const [, next] of children.get(0) ?? []) queue.push(next);
    for (let head = 0; head < queue.length; head += 1) {
      const state = queue[head]!;
      for (const [code, next] of children.get(state) ?? []) {
        let fallback = this.failure[state]!;
        while (fallback !== 0 && !this.transitions.has(fallback * 65536 + code)) fallback = this.failure[fallback]!;
        const target = this.transitions.get(fallback * 65536 + code);
        this.failure[next] = target !== undefined && target !== next ? target : 0;
        this.outputs[next]!.push(...this.outputs[this.failure[next]]!);
        queue.push(next);
      }
    }
  }

  /** Calls onMatch(keywordIndex, start, end) for every occurrence (overlapping ones included), in order of end. */
  search(text: string, onMatch: (keywordIndex: number, start: number, end: number) => void): void {
    let state = 0;
    for (let index = 0; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      let next = this.transitions.get(state * 65536 + code);
      while (next === undefined && state !== 0) {
        state = this.failure[state]!;
        next = this.transitions.get(state * 65536 + code);
      }
      state = next ?? 0;
      const output = this.outputs[state]!;
      for (let outputIndex = 0; outputIndex < output.length; outputIndex += 1) {
        const keywordIndex = output[outputIndex]!;
        onMatch(keywordIndex, index + 1 - this.keywords[keywordIndex]!.length, index + 1);
      }
    }
  }
}
