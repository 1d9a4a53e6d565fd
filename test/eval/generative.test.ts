import { describe, expect, it } from "vitest";
import {
  buildGsm8kPrompts,
  exactMatch,
  extractWithRegex,
  gsm8kExactMatchOptions,
  gsm8kFlexibleExtract,
  gsm8kStrictMatch,
  humanevalProgram,
  loadGsm8kJsonl,
  passAtK,
  PythonRandom,
  scoreGsm8kResponse,
  truncateAtStop,
} from "../../src/eval/index.js";
import { InvalidRequestError } from "../../src/spec/index.js";
import { datasetPath } from "./support/datasets-path.js";

describe("CPython random port", () => {
  it("matches CPython 3.11: Random(1234).sample(range(7473), 5) twice (the set-based branch)", () => {
    // python3 -c "import random; r=random.Random(1234); print(r.sample(range(7473),5), r.sample(range(7473),5))"
    const random = new PythonRandom(1234);
    const population = Array.from({ length: 7473 }, (_, index) => index);
    expect(random.sample(population, 5)).toEqual([6374, 3610, 957, 61, 742]);
    expect(random.sample(population, 5)).toEqual([7462, 6610, 4769, 286, 5501]);
  });

  it("matches CPython for random(), getrandbits(40), the pool branch of sample and multi-word seeds", () => {
    // r = random.Random(42); r.random(), r.getrandbits(40), r.sample([1..10], 4); random.Random(2**70+5).random()
    const random = new PythonRandom(42);
    expect(random.random()).toBe(0.6394267984578837);
    expect(random.getrandbits(40)).toBe(811856239313);
    expect(random.sample([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4)).toEqual([5, 4, 9, 2]);
    expect(new PythonRandom(2n ** 70n + 5n).random()).toBe(0.46679953776226335);
    expect(() => random.sample([1, 2], 3)).toThrow(RangeError);
  });
});

describe("GSM8K", () => {
  it("builds lm-eval's 5-shot prompts with one RNG carried over the test docs", async () => {
    const test = await loadGsm8kJsonl(datasetPath("gsm8k/test.first100.jsonl"));
    const train = await loadGsm8kJsonl(datasetPath("gsm8k/train.jsonl"));
    const prompts = buildGsm8kPrompts(test.slice(0, 2), train);
    expect(prompts.map((prompt) => prompt.shotIndices)).toEqual([
      [6374, 3610, 957, 61, 742],
      [7462, 6610, 4769, 286, 5501],
    ]);
    const first = prompts[0]!.prompt;
    expect(first.startsWith(`Question: ${train[6374]!.question}\nAnswer: ${train[6374]!.answer}\n\nQuestion: ${train[3610]!.question}\n`)).toBe(true);
    expect(first.endsWith(`\n\nQuestion: ${test[0]!.question}\nAnswer:`)).toBe(true);
    expect(first.split("\n\nQuestion: ")).toHaveLength(6);
    expect(() => buildGsm8kPrompts(test, train.slice(0, 3))).toThrow(InvalidRequestError);
  });

  it("extracts answers with the strict and flexible filters", () => {
    expect(gsm8kStrictMatch("She makes 9 * 2 = $18.\n#### 18")).toBe("18");
    expect(gsm8kStrictMatch("The answer is 18.")).toBe("[invalid]");
    expect(gsm8kFlexibleExtract("I have 3 apples and 5 pears")).toBe("5");
    expect(gsm8kFlexibleExtract("I have 3 apples and 5 pears, total 8.")).toBe("8.");
    expect(gsm8kFlexibleExtract("no digits")).toBe("[invalid]");
    expect(extractWithRegex("a1 b2 c3", "[a-z](\\d)", 1)).toBe("2");
  });

  it("normalises exact_match like lm-eval on both prediction and reference", () => {
    expect(exactMatch("$1,234.", "Long reasoning\n#### 1,234", gsm8kExactMatchOptions)).toBe(1);
    expect(exactMatch("12.", "12", gsm8kExactMatchOptions)).toBe(1);
    // Python's `$` also matches before a final newline: "12.\n" becomes "12\n".
    expect(exactMatch("12.\n", "12", gsm8kExactMatchOptions)).toBe(0);
    expect(exactMatch("a #### 5 #### 6", "6", gsm8kExactMatchOptions)).toBe(1);
    expect(exactMatch("ABC", "abc", gsm8kExactMatchOptions)).toBe(1);
    expect(exactMatch("ABC", "abc")).toBe(0);
    expect(exactMatch("a.b!", "ab", { ignorePunctuation: true })).toBe(1);
  });

  it("scores a response with both filters", async () => {
    const [item] = await loadGsm8kJsonl(datasetPath("gsm8k/test.first100.jsonl"));
    expect(scoreGsm8kResponse("16 - 3 - 4 = 9 eggs, 9 * 2 = $18\n#### 18", item!.answer)).toEqual({ strictAnswer: "18", flexibleAnswer: "18", strictMatch: 1, flexibleMatch: 1 });
    expect(scoreGsm8kResponse("She earns $18 a day, not 20", item!.answer)).toMatchObject({ strictMatch: 0, flexibleMatch: 0, flexibleAnswer: "20" });
  });
});

describe("HumanEval helpers", () => {
  it("computes unbiased pass@k", () => {
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3, 12);
    expect(passAtK(10, 3, 5)).toBeCloseTo(1 - 21 / 252, 12);
    expect(passAtK(5, 4, 2)).toBe(1);
    expect(passAtK(1, 0, 1)).toBe(0);
    expect(() => passAtK(3, 4, 1)).toThrow(InvalidRequestError);
  });

  it("truncates at the first stop sequence and assembles the program", () => {
    expect(truncateAtStop("    return x\n\ndef other():\n", ["\nclass", "\ndef", "\n#"])).toBe("    return x\n");
    expect(truncateAtStop("abc", [])).toBe("abc");
    const program = humanevalProgram({ taskId: "t", prompt: "def f():\n", canonicalSolution: "", test: "def check(candidate):\n    assert candidate() == 1\n", entryPoint: "f" }, "    return 1\n");
    expect(program).toBe("def f():\n    return 1\n\ndef check(candidate):\n    assert candidate() == 1\n\ncheck(f)");
  });
});
