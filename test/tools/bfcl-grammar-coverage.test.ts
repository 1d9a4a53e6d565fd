import path from "node:path";
import { fileURLToPath } from "node:url";
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grammarAcceptance, jsonSchemaGrammar, toolCallGrammar } from "../../src/runtime/index.js";
import { InvalidRequestError, type ToolDefinition } from "../../src/spec/index.js";
import { canonicalArguments, loadBfclDataset, measureGrammarCoverage, normalizeToolSchema, openAiToolName, toolCallText } from "../../src/tools/bfcl/index.js";
import { testModelPath } from "../support/test-models.js";

const datasetFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/datasets/tools");

let llama: Llama;
let model: LlamaModel;

beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
  model = await llama.loadModel({ modelPath: await testModelPath("llama-2-tiny-random.gguf"), gpuLayers: 0 });
});

afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
});

/** Whether the tool-call grammar of `tools` (tool_choice "required") accepts `text` completely. */
async function callAccepted(tools: ToolDefinition[], text: string): Promise<boolean> {
  return grammarAcceptance(llama, model, await toolCallGrammar(llama, tools), text).accepted;
}

async function valueAccepted(schema: unknown, value: unknown): Promise<boolean> {
  return callAccepted([{ name: "f", parameters: { type: "object", properties: { v: schema as Record<string, unknown> }, required: ["v"] } }], JSON.stringify({ name: "f", arguments: { v: value } }));
}

describe("BFCL grammar coverage (shared dataset)", () => {
  it("accepts every canonical ground-truth call of the first entries of each category, and converts every schema", async () => {
    const categories = loadBfclDataset(datasetFolder);
    expect(categories.map((category) => category.name).sort()).toEqual(["irrelevance", "multiple", "parallel", "simple_python"]);
    const report = await measureGrammarCoverage({ llama, model, categories, entriesPerCategory: 30 });
    expect(report.schemas.failures).toEqual([]);
    expect(report.schemas.total).toBeGreaterThanOrEqual(120);
    expect(report.calls.failures).toEqual([]);
    expect(Object.keys(report.calls.categories).sort()).toEqual(["multiple", "parallel", "simple_python"]);
    expect(report.calls.categories.parallel!.total).toBeGreaterThan(30); // each parallel call checked on its own
    expect(report.calls.accepted).toBe(report.calls.total);
    expect(report.extra.spaced.accepted).toBe(report.extra.spaced.total);
  });

  it("rejects the alternatives the README says fall outside the schema (the check is not vacuous)", async () => {
    const categories = loadBfclDataset(datasetFolder).map((category) => ({
      ...category,
      entries: category.entries.filter((entry) => ["simple_python_358", "multiple_76", "parallel_152"].includes(entry.id)),
    }));
    const report = await measureGrammarCoverage({ llama, model, categories });
    expect(report.calls.accepted).toBe(report.calls.total);
    const rejected = report.extra.alternatives.failures.map((failure) => `${failure.id} ${failure.parameter}=${JSON.stringify(failure.alternative)}`);
    expect(rejected).toEqual(
      expect.arrayContaining(['simple_python_358 diet=["GF"]', 'simple_python_358 diet=["gluten free"]', 'multiple_76 material="bronze"', "parallel_152 mod=null"]),
    );
  });

  it("a ground-truth call with a wrong type, an unknown key or a missing required parameter is rejected", async () => {
    const tools = [{ name: "calculate_triangle_area", parameters: normalizeToolSchema({ type: "dict", properties: { base: { type: "integer" }, height: { type: "integer" }, unit: { type: "string" } }, required: ["base", "height"] }) as Record<string, unknown> }];
    const call = (callArguments: Record<string, unknown>) => toolCallText("calculate_triangle_area", callArguments, "compact").text;
    expect(await callAccepted(tools, call({ base: 10, height: 5 }))).toBe(true);
    expect(await callAccepted(tools, call({ base: 10, height: 5, unit: "units" }))).toBe(true);
    expect(await callAccepted(tools, call({ base: "10", height: 5 }))).toBe(false);
    expect(await callAccepted(tools, call({ base: 10.5, height: 5 }))).toBe(false);
    expect(await callAccepted(tools, call({ base: 10 }))).toBe(false);
    expect(await callAccepted(tools, call({ base: 10, height: 5, color: "red" }))).toBe(false);
    expect(await callAccepted(tools, call({ base: 10, height: 5 }).replace("calculate_triangle_area", "other_tool"))).toBe(false);
    // A prefix of a match is not a match.
    expect(await callAccepted(tools, call({ base: 10, height: 5 }).slice(0, -1))).toBe(false);
  });
});

describe("normalizeToolSchema (BFCL dialect → JSON Schema)", () => {
  it("maps each BFCL type", () => {
    expect(normalizeToolSchema({ type: "dict", properties: { a: { type: "float" } } })).toEqual({ type: "object", properties: { a: { type: "number" } } });
    expect(normalizeToolSchema({ type: "tuple", items: { type: "integer" } })).toEqual({ type: "array", items: { type: "integer" } });
    expect(normalizeToolSchema({ type: "any", description: "anything" })).toEqual({ description: "anything" });
    for (const type of ["integer", "string", "boolean", "array", "number", "object", "null"]) expect(normalizeToolSchema({ type })).toEqual({ type });
    expect(normalizeToolSchema({ type: "array", items: { type: "dict", properties: { b: { type: "tuple" } }, required: ["b"] } })).toEqual({
      type: "array",
      items: { type: "object", properties: { b: { type: "array" } }, required: ["b"] },
    });
    expect(normalizeToolSchema({ type: ["float", "string"] })).toEqual({ type: ["number", "string"] });
  });

  it("drops the meaningless optional key in all its forms and a required that is not a name list; keeps the rest", () => {
    for (const optional of [true, "true", "True", [], ["weight"]]) {
      expect(normalizeToolSchema({ type: "integer", optional, default: 3 })).toEqual({ type: "integer", default: 3 });
    }
    expect(normalizeToolSchema({ type: "dict", properties: {}, required: "yes" })).toEqual({ type: "object", properties: {} });
    const kept = { type: "string", enum: ["a", "b"], format: "date", description: "d" };
    expect(normalizeToolSchema(kept)).toEqual(kept);
    expect(normalizeToolSchema({ type: "array", items: { type: "float" }, minItems: 1, maxItems: 3 })).toEqual({ type: "array", items: { type: "number" }, minItems: 1, maxItems: 3 });
  });

  it("maps dotted names reversibly for OpenAI-style tool names", () => {
    expect(openAiToolName("spotify.play")).toBe("spotify_play");
  });

  it("canonical calls follow the dataset's rules: required keeps its first value, optional with \"\" is left out", () => {
    const schema = normalizeToolSchema({
      type: "dict",
      properties: { a: { type: "integer" }, b: { type: "string" }, c: { type: "dict", properties: { x: { type: "string" }, y: { type: "float" } }, required: ["x"] } },
      required: ["a", "c"],
    });
    const alternatives = { c: [{ x: ["", "first"], y: ["", 2.5] }], b: ["", "kept"], a: ["", 1, 2] };
    expect(canonicalArguments(schema, alternatives, "omit")).toEqual({ a: 1, c: { x: "first" } });
    expect(JSON.stringify(canonicalArguments(schema, alternatives, "fill"))).toBe('{"a":1,"b":"kept","c":{"x":"first","y":2.5}}');
  });
});

describe("aiplus JSON Schema → grammar (production path)", () => {
  it("a number accepts integer literals, fractions and exponents; an integer only integers", async () => {
    for (const value of [300000, 0.5, -2, 1e-7, 1.5e300, 0.30000000000000004]) expect(await valueAccepted({ type: "number" }, value)).toBe(true);
    expect(await valueAccepted({ type: "integer" }, 42)).toBe(true);
    expect(await valueAccepted({ type: "integer" }, 4.2)).toBe(false);
    expect(await valueAccepted({ type: "number" }, "4")).toBe(false);
  });

  it("strings with quotes, backslashes, control characters and non-ASCII text are expressible", async () => {
    for (const value of ['say "hi"', "C:\\path\\file", "line\nbreak\ttab\u0001", "héllo 日本 🙂", ""]) expect(await valueAccepted({ type: "string" }, value)).toBe(true);
    expect(await valueAccepted({ type: "string" }, 5)).toBe(false);
  });

  it("enums and consts allow exactly their values", async () => {
    expect(await valueAccepted({ type: "string", enum: ["Gluten Free", "Vegan"] }, "Vegan")).toBe(true);
    expect(await valueAccepted({ type: "string", enum: ["Gluten Free", "Vegan"] }, "GF")).toBe(false);
    expect(await valueAccepted({ enum: [1, "two", null, true] }, null)).toBe(true);
    expect(await valueAccepted({ const: "x" }, "y")).toBe(false);
  });

  it("optional properties may be left out (node-llama-cpp's own grammar required them all), in declared order", async () => {
    const schema = { type: "object", properties: { a: { type: "integer" }, b: { type: "string" }, c: { type: "boolean" } }, required: ["b"] };
    for (const value of [{ b: "x" }, { a: 1, b: "x" }, { b: "x", c: true }, { a: 1, b: "x", c: false }]) expect(await valueAccepted(schema, value)).toBe(true);
    expect(await valueAccepted(schema, { a: 1 })).toBe(false);
    expect(await valueAccepted(schema, { b: "x", a: 1 })).toBe(false);
    expect(await valueAccepted({ type: "object", properties: { a: { type: "integer" } } }, {})).toBe(true);
  });

  it("nested objects, arrays of objects, item counts, tuples and free-form values", async () => {
    const item = { type: "object", properties: { field: { type: "string" }, value: { type: "number" } }, required: ["field"] };
    expect(await valueAccepted({ type: "array", items: item }, [{ field: "age", value: 25 }, { field: "job" }])).toBe(true);
    expect(await valueAccepted({ type: "array", items: item }, [{ value: 25 }])).toBe(false);
    const bounded = { type: "array", items: { type: "integer" }, minItems: 1, maxItems: 2 };
    expect(await valueAccepted(bounded, [1])).toBe(true);
    expect(await valueAccepted(bounded, [1, 2])).toBe(true);
    expect(await valueAccepted(bounded, [])).toBe(false);
    expect(await valueAccepted(bounded, [1, 2, 3])).toBe(false);
    const tuple = { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }], items: false };
    expect(await valueAccepted(tuple, ["a", 1])).toBe(true);
    expect(await valueAccepted(tuple, [1, "a"])).toBe(false);
    expect(await valueAccepted({}, { any: [1, "x", null, { deep: true }] })).toBe(true);
    expect(await valueAccepted({ type: "object" }, { free: "form" })).toBe(true);
    expect(await valueAccepted({ type: "object", properties: { a: { type: "integer" } }, additionalProperties: { type: "string" } }, { a: 1, extra: "s" })).toBe(true);
    expect(await valueAccepted({ type: "object", properties: { a: { type: "integer" } }, additionalProperties: { type: "string" } }, { a: 1, extra: 2 })).toBe(false);
  });

  it("anyOf, type arrays, nullable, $ref (recursive) work; format, pattern, default and bounds are ignored gracefully", async () => {
    expect(await valueAccepted({ anyOf: [{ type: "string" }, { type: "integer" }] }, 3)).toBe(true);
    expect(await valueAccepted({ anyOf: [{ type: "string" }, { type: "integer" }] }, true)).toBe(false);
    expect(await valueAccepted({ type: ["number", "null"] }, null)).toBe(true);
    expect(await valueAccepted({ type: "string", nullable: true }, null)).toBe(true);
    expect(await valueAccepted({ type: "string", format: "date", pattern: "^\\d+$", default: "2024-01-01", minLength: 1 }, "March 3rd")).toBe(true);
    expect(await valueAccepted({ type: "integer", minimum: 0, maximum: 10 }, 99)).toBe(true);
    const node = { type: "object", properties: { label: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/node" } } }, required: ["label"] };
    const parameters = { type: "object", properties: { root: { $ref: "#/$defs/node" } }, required: ["root"], $defs: { node } };
    const text = JSON.stringify({ name: "f", arguments: { root: { label: "a", children: [{ label: "b", children: [{ label: "c" }] }] } } });
    expect(await callAccepted([{ name: "f", parameters }], text)).toBe(true);
    expect(await callAccepted([{ name: "f", parameters }], text.replace('"label":"c"', '"label":3'))).toBe(false);
  });

  it("a schema in another dialect is a 400 on tools, not a silently wrong grammar", async () => {
    const error = await toolCallGrammar(llama, [{ name: "f", parameters: { type: "dict", properties: {} } }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).param).toBe("tools");
    expect((error as Error).message).toMatch(/unsupported type "dict"/);
    const format = await jsonSchemaGrammar(llama, { type: "object", properties: { a: 5 } }).catch((caught: unknown) => caught);
    expect((format as InvalidRequestError).param).toBe("response_format");
  });

  it("response_format json_schema uses the same converter (anyOf used to collapse to null)", async () => {
    const grammar = await jsonSchemaGrammar(llama, { type: "object", properties: { v: { anyOf: [{ type: "string" }, { type: "array", items: { type: "integer" } }] } }, required: ["v"] });
    expect(grammarAcceptance(llama, model, grammar, '{"v":[1,2]}').accepted).toBe(true);
    expect(grammarAcceptance(llama, model, grammar, '{"v":null}').accepted).toBe(false);
  });
});
