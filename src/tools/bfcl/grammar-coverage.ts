import type { Llama, LlamaGrammar, LlamaModel } from "node-llama-cpp";
import { grammarAcceptance, toolCallGrammar, type GrammarAcceptance } from "../../runtime/index.js";
import type { ToolDefinition } from "../../spec/index.js";
import { alternativeArguments, canonicalArguments, toolCallText, type ArgumentSpan } from "./canonical-call.js";
import type { BfclCall, BfclCategory, BfclEntry } from "./load-bfcl-dataset.js";
import { normalizeToolSchema, openAiToolName } from "./normalize-tool-schema.js";
import { argumentFeatures } from "./schema-features.js";

export type GrammarCoverageOptions = {
  llama: Llama;
  /** Supplies the tokenizer the grammar is checked through (any model: the vocabulary is what matters). */
  model: LlamaModel;
  categories: BfclCategory[];
  /** Check only the first n entries of each category. Defaults to all. */
  entriesPerCategory?: number | undefined;
  /** Also check the filled, spaced and other-alternative variants of each call. Defaults to true. */
  extraChecks?: boolean | undefined;
  /** Whether the grammar must be complete right after the call's text (default true; see grammarAcceptance). */
  requireComplete?: boolean | undefined;
  /** Builds the grammar of a tool set (forced to one tool when named). Defaults to aiplus's toolCallGrammar. */
  grammarFor?: ((llama: Llama, tools: readonly ToolDefinition[], forcedName?: string) => Promise<LlamaGrammar>) | undefined;
};

export type Tally = { total: number; accepted: number };

export type CallFailure = {
  id: string;
  category: string;
  toolName: string;
  text: string;
  reason: string;
  offset: number | undefined;
  /** The top-level parameter the grammar rejected, if the rejection lies inside one. */
  parameter: string | undefined;
  features: string[];
};

export type AlternativeFailure = { id: string; toolName: string; parameter: string; alternative: unknown; reason: string };

export type GrammarCoverageReport = {
  /** Function schemas converted to a tool-call grammar (each alone, as a named tool_choice). */
  schemas: Tally & { failures: { id: string; toolName: string; message: string }[] };
  /** Canonical calls (the dataset README's rules) accepted by the grammar of their entry's tool set. */
  calls: Tally & { categories: Record<string, Tally>; failures: CallFailure[] };
  /** Per schema feature: canonical calls exercising it, and rejections located in an argument with it. */
  features: Record<string, { calls: number; rejected: number }>;
  extra: {
    /** Optional parameters that may be omitted written out with their first value instead. */
    filled: Tally & { failures: CallFailure[] };
    /** The canonical call with Python json.dumps separators (`", "`, `": "`). */
    spaced: Tally & { failures: CallFailure[] };
    /** Every other accepted alternative of every parameter (some lie outside the schema on purpose). */
    alternatives: Tally & { failures: AlternativeFailure[] };
  };
  /** Function names with dots (OpenAI-style names map them to `_`), and entries where that mapping collides. */
  dottedNames: { names: number; collisions: string[] };
};

function describe(acceptance: GrammarAcceptance): string {
  if (acceptance.accepted) return "accepted";
  switch (acceptance.reason) {
    case "rejected-token":
      return `token ${JSON.stringify(acceptance.tokenText)} rejected at character ${acceptance.offset}`;
    case "incomplete":
      return "the grammar expects more after the text";
    case "tokenization":
      return "the tokenizer does not reproduce the text";
    default:
      return acceptance satisfies never;
  }
}

function locate(spans: ArgumentSpan[], offset: number | undefined): string | undefined {
  if (offset === undefined) return undefined;
  return spans.find((span) => offset >= span.start && offset < span.end)?.name;
}

type EntryTools = { tools: ToolDefinition[]; raw: Map<string, unknown> };

function entryTools(entry: BfclEntry): EntryTools {
  return {
    tools: entry.functions.map((definition) => ({ name: definition.name, description: definition.description, parameters: normalizeToolSchema(definition.parameters) as Record<string, unknown> })),
    raw: new Map(entry.functions.map((definition) => [definition.name, definition.parameters])),
  };
}

function rawProperty(rawParameters: unknown, name: string): unknown {
  const properties = (rawParameters as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties && Object.hasOwn(properties, name) ? properties[name] : undefined;
}

/**
 * Grammar coverage of aiplus's tool-call grammar on BFCL data: every function schema must convert, and every
 * ground-truth call, written as the model would write it, must be accepted token by token (see grammarAcceptance) by
 * the grammar aiplus builds for `tool_choice: "required"` over the entry's tools. Names are used as the dataset writes
 * them (dots included); see `dottedNames` for the OpenAI-style mapping.
 */
export async function measureGrammarCoverage(options: GrammarCoverageOptions): Promise<GrammarCoverageReport> {
  const { llama, model } = options;
  const extraChecks = options.extraChecks ?? true;
  const grammarFor = options.grammarFor ?? toolCallGrammar;
  const report: GrammarCoverageReport = {
    schemas: { total: 0, accepted: 0, failures: [] },
    calls: { total: 0, accepted: 0, categories: {}, failures: [] },
    features: {},
    extra: { filled: { total: 0, accepted: 0, failures: [] }, spaced: { total: 0, accepted: 0, failures: [] }, alternatives: { total: 0, accepted: 0, failures: [] } },
    dottedNames: { names: 0, collisions: [] },
  };
  const countFeature = (feature: string, rejected: boolean) => {
    const tally = (report.features[feature] ??= { calls: 0, rejected: 0 });
    if (rejected) tally.rejected += 1;
    else tally.calls += 1;
  };

  for (const category of options.categories) {
    const entries = options.entriesPerCategory === undefined ? category.entries : category.entries.slice(0, options.entriesPerCategory);
    for (const entry of entries) {
      const { tools, raw } = entryTools(entry);
      for (const tool of tools) {
        report.schemas.total += 1;
        if (tool.name.includes(".")) report.dottedNames.names += 1;
        try {
          await grammarFor(llama, tools, tool.name);
          report.schemas.accepted += 1;
        } catch (error) {
          report.schemas.failures.push({ id: entry.id, toolName: tool.name, message: (error as Error).message });
        }
      }
      const apiNames = tools.map((tool) => openAiToolName(tool.name));
      if (new Set(apiNames).size !== apiNames.length) report.dottedNames.collisions.push(entry.id);
      if (!entry.groundTruth) continue;

      const categoryTally = (report.calls.categories[category.name] ??= { total: 0, accepted: 0 });
      let grammar: LlamaGrammar | undefined;
      let grammarError = "";
      try {
        grammar = await grammarFor(llama, tools);
      } catch (error) {
        grammarError = (error as Error).message;
      }
      const check = (call: BfclCall, callArguments: Record<string, unknown>, style: "compact" | "spaced") => {
        const { text, spans } = toolCallText(call.name, callArguments, style);
        const acceptance: GrammarAcceptance = grammar ? grammarAcceptance(llama, model, grammar, text, { requireComplete: options.requireComplete }) : { accepted: false, reason: "incomplete", offset: 0 };
        const offset = acceptance.accepted ? undefined : acceptance.offset;
        const parameter = locate(spans, offset);
        const rawParameters = raw.get(call.name);
        const callFeatures = new Set<string>();
        if (call.name.includes(".")) callFeatures.add("dotted name");
        if (tools.length > 1) callFeatures.add("several tools offered");
        for (const [name, value] of Object.entries(callArguments)) argumentFeatures(rawProperty(rawParameters, name), value, callFeatures);
        const declared = Object.keys((rawParameters as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
        const omitted = declared.some((name) => !Object.hasOwn(callArguments, name));
        if (omitted) callFeatures.add("omitted optional parameter");
        if (Object.keys(call.arguments).filter((name) => Object.hasOwn(callArguments, name)).join() !== Object.keys(callArguments).join()) {
          callFeatures.add("ground truth lists keys in another order");
        }
        const argumentsStart = text.indexOf('"arguments"');
        // Outside every argument: at a separator or the closing brace a grammar that wants the left-out parameters stops.
        const failedFeatures =
          parameter !== undefined
            ? argumentFeatures(rawProperty(rawParameters, parameter), callArguments[parameter])
            : offset !== undefined && offset > argumentsStart && omitted
              ? new Set(["omitted optional parameter"])
              : new Set(callFeatures);
        if (!raw.has(call.name)) failedFeatures.add("function not offered");
        if (!acceptance.accepted && parameter === undefined && offset !== undefined && offset < argumentsStart) failedFeatures.add("tool name");
        const failure: CallFailure | undefined = acceptance.accepted
          ? undefined
          : { id: entry.id, category: category.name, toolName: call.name, text, reason: grammar ? describe(acceptance) : `no grammar: ${grammarError}`, offset, parameter, features: [...failedFeatures].sort() };
        return { accepted: acceptance.accepted, failure, callFeatures, failedFeatures };
      };

      for (const call of entry.groundTruth) {
        const parameters = tools.find((tool) => tool.name === call.name)?.parameters;
        const canonical = canonicalArguments(parameters, call.arguments, "omit");
        const result = check(call, canonical, "compact");
        report.calls.total += 1;
        categoryTally.total += 1;
        for (const feature of result.callFeatures) countFeature(feature, false);
        if (result.accepted) {
          report.calls.accepted += 1;
          categoryTally.accepted += 1;
        } else {
          report.calls.failures.push(result.failure!);
          for (const feature of result.failedFeatures) countFeature(feature, true);
        }
        if (!extraChecks) continue;

        const filled = canonicalArguments(parameters, call.arguments, "fill");
        if (JSON.stringify(filled) !== JSON.stringify(canonical)) {
          const filledResult = check(call, filled, "compact");
          report.extra.filled.total += 1;
          if (filledResult.accepted) report.extra.filled.accepted += 1;
          else report.extra.filled.failures.push(filledResult.failure!);
        }
        const spaced = check(call, canonical, "spaced");
        report.extra.spaced.total += 1;
        if (spaced.accepted) report.extra.spaced.accepted += 1;
        else report.extra.spaced.failures.push(spaced.failure!);
        for (const variant of alternativeArguments(parameters, call.arguments)) {
          const variantResult = check(call, variant.arguments, "compact");
          report.extra.alternatives.total += 1;
          if (variantResult.accepted) report.extra.alternatives.accepted += 1;
          else {
            report.extra.alternatives.failures.push({ id: entry.id, toolName: call.name, parameter: variant.parameter, alternative: variant.alternative, reason: variantResult.failure!.reason });
          }
        }
      }
    }
  }
  return report;
}

/** Failures grouped by feature: for each feature, the ids of the rejected calls whose failing argument has it. */
export function failuresByFeature(failures: readonly CallFailure[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const failure of failures) for (const feature of failure.features) groups.set(feature, [...(groups.get(feature) ?? []), failure.id]);
  return new Map([...groups].sort((first, second) => second[1].length - first[1].length));
}
