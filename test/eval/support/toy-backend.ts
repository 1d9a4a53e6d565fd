import type { LoglikelihoodBackend, TokenScoreRequest } from "../../../src/eval/index.js";

/**
 * A tiny deterministic language model for testing the eval code by hand: a greedy longest-match
 * tokenizer over single characters plus a few multi-character pieces, and a bigram table of
 * log-probabilities keyed `"<previous piece>|<next piece>"` (BOS is `<s>`), default −1.
 * It is a test fixture of the eval module (a model), not a stand-in for another component.
 */
export class ToyBackend implements LoglikelihoodBackend {
  readonly description = "toy:bigram";
  static readonly bos = 1;
  readonly requests: TokenScoreRequest[][] = [];
  private readonly pieces: string[];
  private readonly table: Map<string, number>;
  private readonly addsBos: boolean;

  constructor(options: { pieces?: string[]; table?: Record<string, number>; addsBos?: boolean } = {}) {
    this.pieces = [...(options.pieces ?? [])].sort((a, b) => b.length - a.length);
    this.table = new Map(Object.entries(options.table ?? {}));
    this.addsBos = options.addsBos ?? true;
  }

  /** Token id of a piece: multi-character pieces 10+, characters 1000 + code point. */
  idOf(piece: string): number {
    if (piece === "<s>") return ToyBackend.bos;
    const index = this.pieces.indexOf(piece);
    if (index >= 0) return 10 + index;
    return 1000 + piece.codePointAt(0)!;
  }

  pieceOf(id: number): string {
    if (id === ToyBackend.bos) return "<s>";
    if (id < 1000) return this.pieces[id - 10]!;
    return String.fromCodePoint(id - 1000);
  }

  tokenizeSync(text: string, addBos: boolean): number[] {
    const tokens = addBos && this.addsBos ? [ToyBackend.bos] : [];
    let position = 0;
    while (position < text.length) {
      const piece = this.pieces.find((candidate) => text.startsWith(candidate, position)) ?? String.fromCodePoint(text.codePointAt(position)!);
      tokens.push(this.idOf(piece));
      position += piece.length;
    }
    return tokens;
  }

  logProbability(previous: number, next: number): number {
    return this.table.get(`${this.pieceOf(previous)}|${this.pieceOf(next)}`) ?? -1;
  }

  async tokenize(text: string, options: { addBos: boolean }): Promise<number[]> {
    return this.tokenizeSync(text, options.addBos);
  }

  async scoreTokens(requests: readonly TokenScoreRequest[]): Promise<number[][]> {
    this.requests.push(requests.map((request) => ({ tokens: [...request.tokens], from: request.from })));
    return requests.map((request) => {
      if (request.from < 1) throw new Error("from must be at least 1");
      const values: number[] = [];
      for (let position = request.from; position < request.tokens.length; position += 1) {
        values.push(this.logProbability(request.tokens[position - 1]!, request.tokens[position]!));
      }
      return values;
    });
  }
}
