import { InvalidRequestError } from "../../spec/index.js";

/** A JSON value whose objects are Maps, so key order survives (plain objects move integer-like keys first). */
export type OrderedJsonValue = null | boolean | number | string | OrderedJsonValue[] | Map<string, OrderedJsonValue>;

const stringPattern = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const whitespacePattern = /[ \t\n\r]*/y;

/**
 * Parses JSON keeping the order of object keys exactly as written (TruthfulQA's `mc1_targets` is an
 * object whose key order carries meaning, and some answers are integer-like strings). Duplicate keys keep
 * the first position and the last value, as Python's `json` does.
 */
export function parseOrderedJson(text: string, source = "JSON"): OrderedJsonValue {
  let position = 0;
  const fail = (message: string): never => {
    throw new InvalidRequestError({ message: `${source}: ${message} at offset ${position}`, code: "invalid_dataset" });
  };
  const skipWhitespace = () => {
    whitespacePattern.lastIndex = position;
    whitespacePattern.exec(text);
    position = whitespacePattern.lastIndex;
  };
  const readString = (): string => {
    stringPattern.lastIndex = position;
    const match = stringPattern.exec(text);
    if (!match) return fail("invalid string");
    position = stringPattern.lastIndex;
    return JSON.parse(match[0]) as string;
  };
  const readValue = (): OrderedJsonValue => {
    skipWhitespace();
    const character = text[position];
    if (character === "{") {
      position += 1;
      const object = new Map<string, OrderedJsonValue>();
      skipWhitespace();
      if (text[position] === "}") {
        position += 1;
        return object;
      }
      for (;;) {
        skipWhitespace();
        const key = readString();
        skipWhitespace();
        if (text[position] !== ":") fail("expected ':'");
        position += 1;
        object.set(key, readValue());
        skipWhitespace();
        if (text[position] === ",") {
          position += 1;
          continue;
        }
        if (text[position] === "}") {
          position += 1;
          return object;
        }
        fail("expected ',' or '}'");
      }
    }
    if (character === "[") {
      position += 1;
      const array: OrderedJsonValue[] = [];
      skipWhitespace();
      if (text[position] === "]") {
        position += 1;
        return array;
      }
      for (;;) {
        array.push(readValue());
        skipWhitespace();
        if (text[position] === ",") {
          position += 1;
          continue;
        }
        if (text[position] === "]") {
          position += 1;
          return array;
        }
        fail("expected ',' or ']'");
      }
    }
    if (character === '"') return readString();
    for (const [literal, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(literal, position)) {
        position += literal.length;
        return value;
      }
    }
    numberPattern.lastIndex = position;
    const match = numberPattern.exec(text);
    if (!match) return fail("unexpected character");
    position = numberPattern.lastIndex;
    return Number(match[0]);
  };
  const value = readValue();
  skipWhitespace();
  if (position !== text.length) fail("trailing characters");
  return value;
}

/**
 * Converts Maps to plain objects, except objects stored under one of `orderedKeys`, which become
 * `[key, value]` entry arrays in file order. The result is ready for a zod schema.
 */
export function orderedJsonToPlain(value: OrderedJsonValue, orderedKeys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((inner) => orderedJsonToPlain(inner, orderedKeys));
  if (!(value instanceof Map)) return value;
  const plain: Record<string, unknown> = {};
  for (const [key, inner] of value) {
    plain[key] =
      orderedKeys.has(key) && inner instanceof Map
        ? [...inner].map(([entryKey, entryValue]) => [entryKey, orderedJsonToPlain(entryValue, orderedKeys)])
        : orderedJsonToPlain(inner, orderedKeys);
  }
  return plain;
}
