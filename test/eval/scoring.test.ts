import { describe, expect, it } from "vitest";
import {
  argmaxNumpy,
  argmaxStrict,
  buildWinograndeItems,
  commonPrefixLength,
  computeLmEvalLoglikelihoods,
  encodeLmEvalPair,
  evaluateMultipleChoiceItem,
  lmEvalChoiceMetrics,
  type MultipleChoiceItem,
  oneHotLabels,
  scoreLlamaCppCandidates,
  scoreLlamaCppWinogrande,
  truthfulqaMc2Score,
} from "../../src/eval/index.js";
import { InvalidRequestError } from "../../src/spec/index.js";
import { ToyBackend } from "./support/toy-backend.js";

/** q: cat vs q: cows — token mean prefers "cows", summed log-probability prefers "cat". */
const catCowsTable = { " |c": -100, "c|a": -1, "a|t": -3, "c|o": -1.5, "o|w": -1.5, "w|s": -1.5 };
const catCowsItem: MultipleChoiceItem = {
  id: "cat-cows",
  llamaCpp: { kind: "candidates", candidates: ["q: cat", "q: cows"], accumulation: "double" },
  lmEval: { kind: "choices", context: "q:", choices: ["cat", "cows"], delimiter: " " },
  labels: oneHotLabels(2, 1),
  goldIndex: 1,
  metric: "accuracy",
};

describe("common prefix and argmax", () => {
  it("finds the shared leading tokens of all sequences", () => {
    expect(commonPrefixLength([[1, 2, 3], [1, 2, 4], [1, 2]])).toBe(2);
    expect(commonPrefixLength([[5], [6]])).toBe(0);
    expect(commonPrefixLength([])).toBe(0);
  });

  it("breaks ties to the first index (llama.cpp strict >, numpy argmax)", () => {
    expect(argmaxStrict([-1, -0.5, -0.5])).toBe(1);
    expect(argmaxNumpy([-2, -2])).toBe(0);
    expect(argmaxNumpy([-1, Number.NaN, 0])).toBe(1);
    expect(argmaxStrict([Number.NaN, -1])).toBe(0); // nothing compares > NaN, as in C++
  });
});

describe("llama.cpp candidates rule (--hellaswag / --multiple-choice)", () => {
  it("scores the token mean after the common prefix, never the shared tokens", async () => {
    const backend = new ToyBackend({ table: catCowsTable });
    const score = await scoreLlamaCppCandidates(backend, ["q: cat", "q: cows"]);
    // prefix = BOS q : ␠ c (5 tokens); " |c" = −100 is shared, so never scored.
    expect(score.commonPrefixLength).toBe(5);
    expect(score.scoredTokenCounts).toEqual([2, 3]);
    expect(score.scores[0]).toBeCloseTo((-1 + -3) / 2, 12);
    expect(score.scores[1]).toBeCloseTo((-1.5 * 3) / 3, 12);
    expect(score.prediction).toBe(1);
    // The first scored token is conditioned on the last prefix token: one request per candidate from 5.
    expect(backend.requests[0]!.map((request) => request.from)).toEqual([5, 5]);
  });

  it("breaks ties to the lowest index", async () => {
    const backend = new ToyBackend({ table: { "a|b": -2, "a|c": -2 } });
    const score = await scoreLlamaCppCandidates(backend, ["q: ab", "q: ac"]);
    expect(score.scores[0]).toBe(score.scores[1]);
    expect(score.prediction).toBe(0);
  });

  it("accumulates in float for --multiple-choice and in double for --hellaswag", async () => {
    const backend = new ToyBackend({ table: { "x|y": -0.1, "y|z": -0.2, "x|q": -0.3 } });
    const double = await scoreLlamaCppCandidates(backend, ["xyz", "xq"], { accumulation: "double" });
    const float = await scoreLlamaCppCandidates(backend, ["xyz", "xq"], { accumulation: "float" });
    expect(double.scores[0]).toBe((-0.1 + -0.2) / 2);
    expect(float.scores[0]).toBe(Math.fround(Math.fround(Math.fround(-0.1) + Math.fround(-0.2)) / 2));
    expect(float.scores[0]).not.toBe(double.scores[0]);
  });

  it("keeps one token per candidate when a candidate is a prefix of another", async () => {
    const backend = new ToyBackend({ table: { "a|b": -0.5, "b|c": -4 } });
    const score = await scoreLlamaCppCandidates(backend, ["ab", "abc"]);
    expect(score.commonPrefixLength).toBe(2);
    expect(score.scores).toEqual([-0.5, (-0.5 + -4) / 2]);
  });

  it("rejects candidates without a shared first token (no BOS) and single candidates", async () => {
    const backend = new ToyBackend({ addsBos: false });
    await expect(scoreLlamaCppCandidates(backend, ["xa", "yb"])).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(scoreLlamaCppCandidates(new ToyBackend(), ["only"])).rejects.toBeInstanceOf(InvalidRequestError);
  });
});

describe("llama.cpp WinoGrande partial scoring", () => {
  it("scores from the end of first+option, excluding the last token, when both have > 3 trailing tokens", async () => {
    const backend = new ToyBackend({ table: { "t| ": -0.1, "g| ": -3, "m|.": -50 } });
    const score = await scoreLlamaCppWinogrande(backend, { first: "The cat sat on the ", second: " because it was warm.", options: ["mat", "rug"] });
    expect(score.commonPrefixLength).toBe(20);
    expect(score.skippedChoice).toBe(true);
    expect(score.scoredFrom).toEqual([23, 23]);
    // " because it was warm" = 20 tokens; the final "." (m|. = −50) is excluded.
    expect(score.scoredTokenCounts).toEqual([20, 20]);
    // option 1: (t,␠) twice = −0.2, 18 others at −1; option 2: (g,␠) −3, one (t,␠) −0.1, 18 × −1.
    expect(score.scores[0]).toBeCloseTo(-18.2 / 20, 6);
    expect(score.scores[1]).toBeCloseTo(-21.1 / 20, 6);
    expect(score.scores[0]).toBe(Math.fround(score.scores[0]));
    expect(score.prediction).toBe(0);
  });

  it("scores from the common prefix otherwise, reproducing the FIXME (option 2's first token after option 1)", async () => {
    const backend = new ToyBackend({ table: { "!|o": -7, "t|o": -0.3 } });
    const score = await scoreLlamaCppWinogrande(backend, { first: "I like ", second: "!", options: ["tea", "toast"] });
    expect(score.skippedChoice).toBe(false);
    expect(score.commonPrefixLength).toBe(9);
    expect(score.scoredTokenCounts).toEqual([2, 4]);
    // option 1: (t,e) (e,a) = −1 each; option 2: (!,o) = −7 (FIXME: conditioned on all of option 1), then 3 × −1.
    expect(score.scores).toEqual([-1, -2.5]);
    expect(score.prediction).toBe(0);
  });

  it("gives ties to option 2", async () => {
    const score = await scoreLlamaCppWinogrande(new ToyBackend(), { first: "a ", second: " zzzz", options: ["b", "c"] });
    expect(score.scores[0]).toBe(score.scores[1]);
    expect(score.prediction).toBe(1);
  });
});

describe("lm-eval convention", () => {
  it("moves trailing context whitespace into the continuation", async () => {
    const backend = new ToyBackend();
    const pair = await encodeLmEvalPair(backend, "Answer: ", "yes");
    expect(pair.contextTokens).toEqual(backend.tokenizeSync("Answer:", true));
    expect(pair.continuationTokens).toEqual(backend.tokenizeSync(" yes", false));
  });

  it("splits the continuation on the token ids of the whole string", async () => {
    const backend = new ToyBackend({ pieces: [" the"] });
    const pair = await encodeLmEvalPair(backend, "see t", "he end");
    // whole = BOS s e e "␠the" ␠ e n d; enc(context) has 6 tokens, so the continuation is whole[6:] = e n d.
    expect(pair.contextTokens).toHaveLength(6);
    expect(pair.continuationTokens).toEqual(["e", "n", "d"].map((piece) => backend.idOf(piece)));
  });

  it("uses the prefix token for an empty context, and honours addBos=false", async () => {
    const backend = new ToyBackend();
    expect(await encodeLmEvalPair(backend, "", "hi")).toEqual({ contextTokens: [ToyBackend.bos], continuationTokens: backend.tokenizeSync("hi", false) });
    const noBos = await encodeLmEvalPair(backend, "ab", " c", { addBos: false });
    expect(noBos.contextTokens).toEqual(backend.tokenizeSync("ab", false));
  });

  it("sums log-probabilities of ' ' + choice; acc on sums, acc_norm per character", async () => {
    const backend = new ToyBackend({ table: catCowsTable });
    const lls = await computeLmEvalLoglikelihoods(backend, [
      { context: "q:", continuation: " cat" },
      { context: "q:", continuation: " cows" },
    ]);
    // (:,␠) −1, (␠,c) −100, then c a t = −1 −3  |  c o w s = −1.5 × 3
    expect(lls.logLikelihoods).toEqual([-105, -105.5]);
    const record = await evaluateMultipleChoiceItem(backend, catCowsItem, { convention: "lm-eval" });
    expect(record.scores).toEqual([-105, -105.5]);
    expect(record.metrics).toEqual({ acc: 0, acc_norm: 1, acc_bytes: 1 });
    const llama = await evaluateMultipleChoiceItem(backend, catCowsItem, { convention: "llama.cpp" });
    expect(llama.metrics).toEqual({ acc: 1 });
    expect(llama.scores).toEqual([-2, -1.5]);
  });

  it("counts characters as Python does (code points) and bytes as UTF-8", () => {
    // "😀" is 1 code point (2 UTF-16 units, 4 bytes); "ab" is 2 of each.
    const metrics = lmEvalChoiceMetrics([-3, -5], ["😀", "ab"], 1);
    expect(metrics.prediction).toBe(0);
    expect(metrics.predictionNormalized).toBe(1); // −3/1 < −5/2
    expect(metrics.predictionBytes).toBe(0); // −3/4 > −5/2
  });

  it("scores WinoGrande as partial evaluation: one context per option, shared continuation", async () => {
    const [item] = buildWinograndeItems([{ id: "w1", first: "I like ", second: " because it is hot. ", options: ["tea", "toast"], answer: 1 }]);
    expect(item!.lmEval).toEqual({ kind: "shared-continuation", contexts: ["I like tea", "I like toast"], continuation: " because it is hot." });
    const backend = new ToyBackend({ table: { "a| ": -0.5, "t| ": -2 } });
    const record = await evaluateMultipleChoiceItem(backend, item!, { convention: "lm-eval" });
    expect(record.scores[0]! - record.scores[1]!).toBeCloseTo(1.5, 12);
    expect(record.metrics).toEqual({ acc: 1 });
    expect(backend.requests[0]!.map((request) => request.from)).toEqual([11, 13]);
  });

  it("computes TruthfulQA mc2 as the normalised mass before the first false label", () => {
    expect(truthfulqaMc2Score([0.2, 0.1, 0.3, 0.4].map(Math.log), [1, 1, 0, 0])).toBeCloseTo(0.3, 12);
    expect(truthfulqaMc2Score([-1000, -1001, -1002], [1, 0, 0])).toBeCloseTo(1 / (1 + Math.exp(-1) + Math.exp(-2)), 12);
    expect(() => truthfulqaMc2Score([-1, -2], [1, 1])).toThrow(InvalidRequestError);
  });

  it("refuses the llama.cpp convention for items without a llama.cpp rule", async () => {
    const item: MultipleChoiceItem = { ...catCowsItem, llamaCpp: { kind: "unsupported", reason: "no rule" } };
    await expect(evaluateMultipleChoiceItem(new ToyBackend(), item, { convention: "llama.cpp" })).rejects.toBeInstanceOf(InvalidRequestError);
  });
});
