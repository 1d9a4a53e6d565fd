import { describe, expect, it } from "vitest";
import { type EvaluationReport, parseCustomTask, radarChartSvg, renderReportHtml, scoreCustomExactMatch } from "../../src/eval/index.js";
import { InvalidRequestError } from "../../src/spec/index.js";

/** Every `<text>` of an SVG must lie inside its viewBox, its width estimated generously (0.62 em per character). */
function expectLabelsInsideViewBox(svg: string): void {
  const [left, top, width, height] = /viewBox="([^"]+)"/.exec(svg)![1]!.split(" ").map(Number) as [number, number, number, number];
  const texts = [...svg.matchAll(/<text x="([^"]+)" y="([^"]+)" font-size="([^"]+)" text-anchor="([^"]+)"[^>]*>([^<]*)<\/text>/g)];
  expect(texts.length).toBeGreaterThan(0);
  for (const [, x, y, fontSize, anchor, content] of texts) {
    const textWidth = content!.replaceAll("&amp;", "&").length * Number(fontSize) * 0.62;
    const start = anchor === "start" ? Number(x) : anchor === "end" ? Number(x) - textWidth : Number(x) - textWidth / 2;
    expect(start, content).toBeGreaterThanOrEqual(left);
    expect(start + textWidth, content).toBeLessThanOrEqual(left + width);
    expect(Number(y) - Number(fontSize) / 2, content).toBeGreaterThanOrEqual(top);
    expect(Number(y) + Number(fontSize) / 2, content).toBeLessThanOrEqual(top + height);
  }
}

describe("HTML evaluation report", () => {
  const report: EvaluationReport = {
    title: "Coverage",
    generatedAt: "2025-01-02T03:04:05.000Z",
    models: [
      {
        model: "broad",
        tasks: [
          { task: "hellaswag", tags: { dimension: "general", capabilities: ["commonsense-reasoning"] }, primaryMetric: "acc", metrics: [{ name: "acc", value: 0.5, standardError: 0.05, interval: [0.4, 0.6], count: 100 }] },
          { task: "do_not_answer", tags: { dimension: "safety", capabilities: ["harmlessness"] }, primaryMetric: "harmless_rate", metrics: [{ name: "harmless_rate", value: 0.9, standardError: 0.03, interval: [0.84, 0.96], count: 100 }] },
        ],
      },
      { model: "narrow", tasks: [{ task: "hellaswag", tags: { dimension: "general", capabilities: ["commonsense-reasoning"] }, primaryMetric: "acc", metrics: [{ name: "acc", value: 0.3, standardError: 0.05, interval: [0.2, 0.4], count: 100 }] }] },
    ],
  };

  it("says 'not evaluated' for tags a model has no results on, never 0%", () => {
    const html = renderReportHtml(report);
    const narrow = html.slice(html.indexOf("<h2>narrow</h2>"));
    const narrowChart = narrow.slice(narrow.indexOf("<svg"), narrow.indexOf("</svg>"));
    expect(narrowChart).toContain("safety not evaluated");
    expect(narrowChart).toContain("harmlessness not evaluated");
    expect(narrowChart).toContain("general 30%");
    expect(narrowChart).not.toMatch(/\b0%/);
    const broad = html.slice(html.indexOf("<h2>broad</h2>"), html.indexOf("<h2>narrow</h2>"));
    expect(broad).toContain("safety 90%");
    expect(broad).not.toContain("not evaluated");
  });

  it("sizes each radar chart's viewBox to hold its labels", () => {
    for (const svg of renderReportHtml(report).match(/<svg[\s\S]*?<\/svg>/g)!) expectLabelsInsideViewBox(svg);
    const long = radarChartSvg(
      ["commonsense-reasoning", "reading-comprehension", "harmlessness", "knowledge", "mathematics", "instruction-following"].map((label, index) => ({ label, value: index % 2 === 0 ? 0.5 : undefined })),
      { size: 200 },
    );
    expectLabelsInsideViewBox(long);
    // The chart stays where it was (centre 100, radius 40, first axis up); the polygon joins the evaluated axes only.
    expect(long).toContain('<polygon points="100.0,80.0 117.3,110.0 82.7,110.0" fill="#3b82f6"');
  });
});

describe("custom task definitions", () => {
  const definition = (extract: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    parseCustomTask(
      JSON.stringify({
        name: "answers",
        dataset: { records: [{ question: "2+2", answer: "4" }] },
        prompt: { template: "{{question}} =" },
        scorer: { type: "exact-match", target: "{{answer}}", extract },
        ...extra,
      }),
      "answers.json",
    );

  it("makes tags optional (dimension application, no capabilities)", () => {
    expect(definition({ regex: "\\d+" }).tags).toEqual({ dimension: "application", capabilities: [] });
    expect(definition({ regex: "\\d+" }, { tags: { capabilities: ["math"] } }).tags).toEqual({ dimension: "application", capabilities: ["math"] });
    expect(definition({ regex: "\\d+" }, { tags: { dimension: "industry" } }).tags).toEqual({ dimension: "industry", capabilities: [] });
  });

  it("extract.group selects the capture group (0 = whole match) and extract.match the match (-1 = last)", () => {
    const response = "Answer: 3 (draft). Answer: 4 (final).";
    const score = (extract: Record<string, unknown>) => scoreCustomExactMatch(definition(extract), response, { answer: "4" }).extracted;
    expect(score({ regex: "Answer: (\\d+) \\((\\w+)\\)" })).toBe("3"); // lm-eval: the first non-empty group of the first match
    expect(score({ regex: "Answer: (\\d+) \\((\\w+)\\)", group: 0 })).toBe("Answer: 3 (draft)");
    expect(score({ regex: "Answer: (\\d+) \\((\\w+)\\)", group: 2 })).toBe("draft");
    expect(score({ regex: "Answer: (\\d+) \\((\\w+)\\)", match: -1, group: 1 })).toBe("4");
    expect(score({ regex: "Answer: (\\d+) \\((\\w+)\\)", match: 1, group: 2 })).toBe("final");
    // Definitions from before: a negative group selected the match, and still does.
    expect(definition({ regex: "(\\d+)", group: -1 }).scorer).toMatchObject({ extract: { regex: "(\\d+)", match: -1, group: undefined } });
    expect(score({ regex: "(\\d+)", group: -1 })).toBe("4");
    // A stored (parsed) definition parses to itself.
    const parsed = definition({ regex: "Answer: (\\d+)", match: -1, group: 1 });
    expect(parseCustomTask(JSON.stringify(parsed), "stored.json")).toEqual(parsed);
  });

  it("rejects a capture group the regex does not have, and a regex that does not compile, naming the field", () => {
    expect(() => definition({ regex: "Answer: (\\d+)", group: 2 })).toThrow(/scorer\.extract\.group: the regex has 1 capture group: group must be 0 \(whole match\) to 1/);
    try {
      definition({ regex: "(unclosed" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).param).toBe("task_definition.scorer.extract.regex");
    }
  });
});
