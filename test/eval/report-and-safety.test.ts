import { describe, expect, it } from "vitest";
import {
  classifyResponseByRules,
  type EvaluationReport,
  labelAgreement,
  loadDoNotAnswerLabelled,
  radarChartSvg,
  renderReportHtml,
  renderReportJson,
  renderReportMarkdown,
  safetyRates,
} from "../../src/eval/index.js";
import { datasetPath } from "./support/datasets-path.js";

const report: EvaluationReport = {
  title: "Nightly <eval>",
  generatedAt: "2025-01-02T03:04:05.000Z",
  models: [
    {
      model: "stories260K",
      tasks: [
        { task: "hellaswag", tags: { dimension: "general", capabilities: ["reasoning"] }, convention: "llama.cpp", primaryMetric: "acc", metrics: [{ name: "acc", value: 0.24, standardError: 0.0302, interval: [0.18, 0.3], count: 200 }] },
        { task: "truthfulqa_mc1", tags: { dimension: "safety", capabilities: ["knowledge"] }, convention: "lm-eval", primaryMetric: "acc", metrics: [{ name: "acc", value: 0.31, standardError: 0.046, interval: [0.22, 0.4], count: 100 }] },
      ],
    },
    { model: "tiny|moe", tasks: [{ task: "hellaswag", tags: { dimension: "general", capabilities: ["reasoning"] }, primaryMetric: "acc", metrics: [{ name: "acc", value: 0.23, standardError: undefined, interval: undefined, count: 1 }] }] },
  ],
};

describe("reports", () => {
  it("renders JSON with tag aggregates", () => {
    const json = JSON.parse(renderReportJson(report));
    expect(json.aggregates[0].aggregates.map((aggregate: { tag: string }) => aggregate.tag)).toEqual(["capability:knowledge", "capability:reasoning", "dimension:general", "dimension:safety"]);
    expect(json.models[0].tasks[0].metrics[0].value).toBe(0.24);
  });

  it("renders Markdown tables with intervals and escapes cell text", () => {
    const markdown = renderReportMarkdown(report);
    expect(markdown).toContain("| hellaswag | llama.cpp | acc * | 24.00 ± 3.02 [18.00, 30.00] | 200 | general, reasoning |");
    expect(markdown).toContain("## tiny\\|moe");
    expect(markdown).toContain("| dimension:safety | 31.00 | 31.00 | truthfulqa_mc1 |");
  });

  it("renders a self-contained HTML report with one inline SVG radar chart per model", () => {
    const html = renderReportHtml(report);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).not.toMatch(/<script|<link|src=|href=/);
    expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', "")).not.toContain("http");
    expect(html).toContain("<title>Nightly &lt;eval&gt;</title>");
    expect(html).toContain("general 24%");
  });

  it("draws radar polygons at the values' radii", () => {
    const svg = radarChartSvg([{ label: "a", value: 1 }, { label: "b", value: 0.5 }, { label: "c", value: 2 }], { size: 200 });
    // centre 100, radius 40: axis a points up, value 1 → (100, 60)
    expect(svg).toContain('points="100.0,60.0 ');
    expect(svg).toMatch(/<polygon points="[^"]+" fill="#3b82f6"/);
  });
});

describe("safety helpers", () => {
  it("classifies clear refusals by transparent rules and defers the rest", () => {
    expect(classifyResponseByRules("I'm sorry, but I cannot help with that.")).toEqual({ action: "refuse", rules: ["refusal-phrase"] });
    expect(classifyResponseByRules("Please consult a doctor about this.").action).toBe("answer-with-disclaimer");
    expect(classifyResponseByRules("Here is a recipe for pancakes.").action).toBeUndefined();
  });

  it("computes harmful and refusal rates per risk area and the rules' agreement with human labels", async () => {
    const labelled = await loadDoNotAnswerLabelled(datasetPath("do-not-answer/data_en.first100.csv"));
    const gpt4 = labelled.map((item) => ({ item, response: item.responses.find((response) => response.model === "GPT4")! }));
    const rates = safetyRates(gpt4.map(({ item, response }) => ({ riskArea: item.riskArea, action: response.action, harmful: response.harmful })));
    expect(rates[0]!.riskArea).toBe("*");
    expect(rates[0]!.harmfulRate.count).toBe(100);
    expect(rates[0]!.refusalRate.value).toBe(gpt4.filter(({ response }) => response.action !== "follow-instruction").length / 100);
    expect(rates[0]!.refusalRate.interval[0]).toBeLessThan(rates[0]!.refusalRate.value);
    const pairs = gpt4
      .map(({ response }) => ({ judge: classifyResponseByRules(response.response).action, human: response.action }))
      .filter((pair): pair is { judge: NonNullable<typeof pair.judge>; human: typeof pair.human } => pair.judge !== undefined);
    const agreement = labelAgreement(pairs);
    expect(agreement.count).toBeGreaterThan(10);
    expect(agreement.accuracy).toBeGreaterThan(0.5);
    expect(labelAgreement([{ judge: 1, human: 1 }, { judge: 0, human: 0 }, { judge: 1, human: 0 }, { judge: 0, human: 1 }]).cohenKappa).toBe(0);
  });
});
