import { InvalidRequestError } from "../spec/index.js";
import { gbnfJsonLiteral, GbnfRuleSet } from "./gbnf-rule-set.js";

type Schema = Record<string, unknown>;

/** Counts above this are not spelled out as GBNF repetitions (llama.cpp expands `x{0,n}` into n rules): left open. */
const maximumSpelledRepetitions = 100;
/** Deepest nesting of sub-schemas (and of `$ref`s merged with sibling keywords; a bare reference becomes a rule instead). */
const maximumMergeDepth = 64;

const schemaTypes = ["object", "array", "string", "number", "integer", "boolean", "null"] as const;
type SchemaType = (typeof schemaTypes)[number];

function isSchemaType(value: unknown): value is SchemaType {
  return typeof value === "string" && (schemaTypes as readonly string[]).includes(value);
}

function isPlainObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Keywords that never constrain the generated text (annotations, and keywords a grammar cannot enforce). */
const ignoredKeywords = new Set([
  "$schema", "$id", "$comment", "$defs", "definitions", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
  "format", "pattern", "contentEncoding", "contentMediaType", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
  "minProperties", "maxProperties", "uniqueItems", "strict", "name",
]);

function invalid(path: string, message: string): InvalidRequestError {
  return new InvalidRequestError({ message: `${message} at ${path || "/"}` });
}

/** Alternatives as one GBNF expression. */
function alternatives(expressions: string[]): string {
  const unique = [...new Set(expressions)];
  return unique.length === 1 ? unique[0]! : `( ${unique.join(" | ")} )`;
}

/** `expression` repeated from `minimum` to `maximum` (undefined: unbounded) times. */
function repeat(expression: string, minimum: number, maximum: number | undefined): string {
  if (maximum === 0) return "";
  if (maximum === undefined) {
    if (minimum === 0) return `( ${expression} )*`;
    if (minimum === 1) return `( ${expression} )+`;
    return `( ${expression} ){${minimum},}`;
  }
  if (minimum === 0 && maximum === 1) return `( ${expression} )?`;
  if (minimum === maximum) return `( ${expression} ){${minimum}}`;
  return `( ${expression} ){${minimum},${maximum}}`;
}

function sequence(...parts: string[]): string {
  return parts.filter((part) => part !== "").join(" ");
}

function count(value: unknown, path: string, keyword: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw invalid(path, `${keyword} must be a non-negative integer`);
  return value;
}

/**
 * Turns JSON Schemas into GBNF rules for llama.cpp. Unlike node-llama-cpp's own JSON-schema grammar, properties that
 * `required` does not list may be left out, `anyOf`/`allOf`/`$ref`/`prefixItems`/`nullable` work, and annotations or
 * keywords a grammar cannot enforce (`format`, `pattern`, `minimum`, `default`, …) are ignored instead of failing.
 * Keys are generated in the order `properties` declares them. `additionalProperties` follows JSON Schema when it is
 * given; when it is not, an object schema with `properties` allows only those (what a tool call should send) and one
 * without allows any keys.
 */
export class JsonSchemaGbnf {
  private readonly definitionRules = new Map<string, string>();

  constructor(
    private readonly rules: GbnfRuleSet,
    private readonly root: unknown,
  ) {}

  /** A GBNF expression matching the JSON text of values valid under `schema`. */
  expression(schema: unknown = this.root, path = "", depth = 0): string {
    const result = this.visit(schema, path, depth);
    if (result === undefined) throw invalid(path, "the schema allows no value");
    return result;
  }

  /** The expression, or undefined when the schema allows no value (`false`). */
  private visit(schema: unknown, path: string, depth: number): string | undefined {
    if (schema === true) return this.rules.primitive("value");
    if (schema === false) return undefined;
    if (!isPlainObject(schema)) throw invalid(path, "a schema must be an object or a boolean");
    if (depth > maximumMergeDepth) throw invalid(path, "the schema nests too deeply");

    if (typeof schema.$ref === "string") return this.reference(schema, path, depth);
    if (schema.const !== undefined) return gbnfJsonLiteral(schema.const);
    if (schema.enum !== undefined) {
      if (!Array.isArray(schema.enum) || schema.enum.length === 0) throw invalid(path, "enum must be a non-empty array");
      const listed: unknown[] = schema.enum;
      const values = schema.nullable === true && !listed.includes(null) ? [...listed, null] : listed;
      return alternatives(values.map((value) => gbnfJsonLiteral(value)));
    }
    if (schema.allOf !== undefined) {
      if (!Array.isArray(schema.allOf)) throw invalid(path, "allOf must be an array");
      const { allOf, ...rest } = schema;
      return this.visit(allOf.reduce<Schema>((merged, part, index) => mergeSchemas(merged, this.dereference(part, `${path}/allOf/${index}`)), rest), path, depth + 1);
    }
    for (const keyword of ["anyOf", "oneOf"] as const) {
      const options = schema[keyword];
      if (options === undefined) continue;
      if (!Array.isArray(options) || options.length === 0) throw invalid(path, `${keyword} must be a non-empty array`);
      const { [keyword]: _options, ...rest } = schema;
      const constrains = Object.keys(rest).some((key) => !ignoredKeywords.has(key));
      const expressions = options
        .map((option, index) => this.visit(constrains && isPlainObject(option) ? mergeSchemas(rest, option) : option, `${path}/${keyword}/${index}`, depth + 1))
        .filter((expression): expression is string => expression !== undefined);
      return expressions.length === 0 ? undefined : alternatives(expressions);
    }

    const type = schema.type;
    if (Array.isArray(type)) {
      if (type.length === 0) throw invalid(path, "type must not be an empty array");
      const expressions = type.map((single) => this.typed(schema, single, path, depth)).filter((expression): expression is string => expression !== undefined);
      return expressions.length === 0 ? undefined : alternatives(expressions);
    }
    const nullable = schema.nullable === true && type !== "null";
    const expression = type === undefined ? this.untyped(schema, path, depth) : this.typed(schema, type, path, depth);
    if (!nullable) return expression;
    return expression === undefined ? this.rules.primitive("null") : alternatives([expression, this.rules.primitive("null")]);
  }

  /** A schema without `type`: shaped by its keywords (`properties` → object, `items` → array), else any value. */
  private untyped(schema: Schema, path: string, depth: number): string | undefined {
    if (schema.properties !== undefined || schema.additionalProperties !== undefined || schema.required !== undefined) return this.object(schema, path, depth);
    if (schema.items !== undefined || schema.prefixItems !== undefined || schema.minItems !== undefined || schema.maxItems !== undefined) {
      return this.array(schema, path, depth);
    }
    if (schema.minLength !== undefined || schema.maxLength !== undefined) return this.string(schema, path);
    return this.rules.primitive("value");
  }

  private typed(schema: Schema, type: unknown, path: string, depth: number): string | undefined {
    if (!isSchemaType(type)) throw invalid(path, `unsupported type ${JSON.stringify(type)} (JSON Schema types are ${schemaTypes.join(", ")})`);
    switch (type) {
      case "object":
        return this.object(schema, path, depth);
      case "array":
        return this.array(schema, path, depth);
      case "string":
        return this.string(schema, path);
      case "number":
      case "integer":
      case "boolean":
      case "null":
        return this.rules.primitive(type);
      default:
        return type satisfies never;
    }
  }

  private string(schema: Schema, path: string): string {
    const minimum = count(schema.minLength, path, "minLength") ?? 0;
    const maximum = count(schema.maxLength, path, "maxLength");
    if (minimum === 0 && maximum === undefined) return this.rules.primitive("string");
    if (minimum > maximumSpelledRepetitions || (maximum !== undefined && maximum < minimum)) return this.rules.primitive("string");
    const upper = maximum === undefined || maximum > maximumSpelledRepetitions ? undefined : maximum;
    this.rules.primitive("string");
    return this.rules.add("string", sequence('"\\""', repeat("char", minimum, upper), '"\\""'));
  }

  /**
   * Properties in declared order; a required one is always there, an optional one may be left out. Built from the
   * end as two chains: "after a property was written" (each next one is `"," ws item`, optional ones wrapped in `?`)
   * and "nothing written yet" (an optional property either starts the list or is skipped).
   */
  private object(schema: Schema, path: string, depth: number): string | undefined {
    const properties = schema.properties ?? {};
    if (!isPlainObject(properties)) throw invalid(path, "properties must be an object");
    if (schema.required !== undefined && !Array.isArray(schema.required)) throw invalid(path, "required must be an array");
    const required = new Set((schema.required as unknown[] | undefined)?.filter((name): name is string => typeof name === "string"));
    const additional = schema.additionalProperties ?? (schema.properties === undefined && schema.patternProperties === undefined ? true : false);
    if (Object.keys(properties).length === 0 && additional === true && required.size === 0) return this.rules.primitive("object");
    const ws = this.rules.primitive("ws");

    const items: { item: string; required: boolean }[] = [];
    for (const [name, propertySchema] of Object.entries(properties)) {
      const value = this.visit(propertySchema, `${path}/properties/${name}`, depth + 1);
      if (value === undefined) {
        if (required.has(name)) return undefined; // a required property that allows no value: no object matches
        continue;
      }
      items.push({ item: sequence(gbnfJsonLiteral(name), ws, '":"', ws, value, ws), required: required.has(name) });
    }
    const additionalValue = this.visit(additional, `${path}/additionalProperties`, depth + 1);
    const extraItem = additionalValue === undefined ? undefined : sequence(this.rules.primitive("string"), ws, '":"', ws, additionalValue, ws);

    let afterWritten = extraItem === undefined ? "" : repeat(`"," ${ws} ${extraItem}`, 0, undefined);
    let nothingWritten = extraItem === undefined ? "" : `( ${extraItem} ${afterWritten} )?`;
    for (let index = items.length - 1; index >= 0; index -= 1) {
      const { item, required: isRequired } = items[index]!;
      const rest = afterWritten === "" ? "" : this.rules.add(`${path || "args"}-rest`, afterWritten);
      const first = sequence(item, rest);
      if (isRequired) nothingWritten = first;
      else if (nothingWritten === "") nothingWritten = `( ${first} )?`;
      else nothingWritten = `( ${first} | ${this.rules.add(`${path || "args"}-skip`, nothingWritten)} )`;
      afterWritten = sequence(isRequired ? `"," ${ws} ${item}` : `( "," ${ws} ${item} )?`, rest);
    }
    return this.rules.add(path ? `object${path}` : "arguments", sequence('"{"', ws, nothingWritten, '"}"'));
  }

  /** `prefixItems` (or a draft-7 `items` array) in order, then `items` for the rest, within minItems..maxItems. */
  private array(schema: Schema, path: string, depth: number): string | undefined {
    const minimum = count(schema.minItems, path, "minItems") ?? 0;
    let maximum = count(schema.maxItems, path, "maxItems");
    if (maximum !== undefined && maximum < minimum) throw invalid(path, "maxItems is below minItems");
    const tuple = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : [];
    const restSchema = Array.isArray(schema.items) ? (schema.additionalItems ?? true) : (schema.items ?? true);
    if (schema.items === undefined && schema.prefixItems === undefined && minimum === 0 && maximum === undefined) return this.rules.primitive("array");
    const ws = this.rules.primitive("ws");
    const prefix = tuple.map((item, index) => this.visit(item, `${path}/prefixItems/${index}`, depth + 1));
    const rest = this.visit(restSchema, `${path}/items`, depth + 1);
    // Positions a value can never fill end the array there.
    const firstImpossible = prefix.findIndex((expression) => expression === undefined);
    const usablePrefix = (firstImpossible === -1 ? prefix : prefix.slice(0, firstImpossible)) as string[];
    if (firstImpossible !== -1 || rest === undefined) maximum = Math.min(maximum ?? Number.POSITIVE_INFINITY, usablePrefix.length);
    if (minimum > (maximum ?? Number.POSITIVE_INFINITY)) return undefined; // fewer usable positions than minItems
    if (maximum !== undefined && maximum > maximumSpelledRepetitions && maximum > usablePrefix.length) maximum = undefined;
    const lowerRest = Math.min(Math.max(0, minimum - usablePrefix.length), maximumSpelledRepetitions);
    const upperRest = maximum === undefined ? undefined : Math.max(0, maximum - usablePrefix.length);

    // The rest after at least one value: `"," ws value ws`, lowerRest..upperRest times.
    const restAfter = rest === undefined ? "" : repeat(`"," ${ws} ${rest} ${ws}`, lowerRest, upperRest);
    let chain: string;
    if (usablePrefix.length === 0) {
      if (rest === undefined || upperRest === 0) chain = "";
      else {
        const tail = rest === undefined ? "" : repeat(`"," ${ws} ${rest} ${ws}`, Math.max(0, lowerRest - 1), upperRest === undefined ? undefined : upperRest - 1);
        const list = sequence(rest, ws, tail);
        chain = lowerRest === 0 ? `( ${list} )?` : list;
      }
    } else {
      chain = restAfter;
      for (let index = usablePrefix.length - 1; index >= 0; index -= 1) {
        const element = sequence(index === 0 ? "" : `"," ${ws}`, usablePrefix[index]!, ws, chain);
        chain = index < minimum ? element : `( ${element} )?`;
      }
    }
    return this.rules.add(path ? `array${path}` : "array", sequence('"["', ws, chain, '"]"'));
  }

  /** `#`, `#/$defs/…` or `#/definitions/…`: a rule per definition (so recursive schemas work); unknown: any value. */
  private reference(schema: Schema, path: string, depth: number): string | undefined {
    const { $ref: reference, ...siblings } = schema;
    const target = this.resolve(reference as string);
    if (target === undefined) return this.rules.primitive("value");
    if (Object.keys(siblings).some((key) => !ignoredKeywords.has(key))) {
      return this.visit(mergeSchemas(isPlainObject(target) ? target : {}, siblings), path, depth + 1);
    }
    const existing = this.definitionRules.get(reference as string);
    if (existing) return existing;
    const name = this.rules.reserve(`ref-${String(reference).split("/").pop() ?? "root"}`);
    this.definitionRules.set(reference as string, name);
    const body = this.visit(target, String(reference).slice(1), depth + 1);
    if (body === undefined) throw invalid(path, `${String(reference)} allows no value`);
    this.rules.define(name, body);
    return name;
  }

  private resolve(reference: string): unknown {
    if (reference === "#") return this.root;
    if (!reference.startsWith("#/")) return undefined;
    let current: unknown = this.root;
    for (const raw of reference.slice(2).split("/")) {
      const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      if (!isPlainObject(current) && !Array.isArray(current)) return undefined;
      current = (current as Record<string, unknown>)[key];
      if (current === undefined) return undefined;
    }
    return current;
  }

  private dereference(schema: unknown, path: string): Schema {
    if (schema === true) return {};
    if (!isPlainObject(schema)) throw invalid(path, "allOf entries must be schema objects");
    if (typeof schema.$ref !== "string") return schema;
    const { $ref: reference, ...rest } = schema;
    const target = this.resolve(reference);
    return { ...(isPlainObject(target) ? target : {}), ...rest };
  }
}

/** `allOf` as one schema: properties merged, `required` united, other keywords from the later schema. */
function mergeSchemas(first: Schema, second: Schema): Schema {
  const merged: Schema = { ...first, ...second };
  if (isPlainObject(first.properties) && isPlainObject(second.properties)) merged.properties = { ...first.properties, ...second.properties };
  if (Array.isArray(first.required) && Array.isArray(second.required)) {
    const required: unknown[] = [...(first.required as unknown[]), ...(second.required as unknown[])];
    merged.required = [...new Set(required)];
  }
  return merged;
}

/** A complete GBNF grammar (root rule `root`) for the JSON text of values valid under `schema`. */
export function jsonSchemaGbnf(schema: unknown): string {
  const rules = new GbnfRuleSet();
  const root = new JsonSchemaGbnf(rules, schema).expression();
  return rules.toGrammar(root);
}
