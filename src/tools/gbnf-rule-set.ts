/**
 * The shared JSON rules every generated grammar starts from. Whitespace (`ws`) fills exactly one slot between two
 * tokens (after `{`, `[`, `,`, `:`, a key, a value), so the grammar stays unambiguous: llama.cpp keeps one parse
 * stack per ambiguity, and nested optional whitespace would multiply them. `ws` is bounded (at most two newlines
 * and 20 indent characters) so a small model cannot pad forever; JSON's own escapes keep any string expressible.
 */
const primitiveRules: Record<string, string> = {
  ws: String.raw`| " " | "\n"{1,2} [ \t]{0,20}`,
  value: "object | array | string | number | boolean | null",
  object: String.raw`"{" ws ( string ws ":" ws value ws ( "," ws string ws ":" ws value ws )* )? "}"`,
  array: String.raw`"[" ws ( value ws ( "," ws value ws )* )? "]"`,
  string: String.raw`"\"" char* "\""`,
  char: String.raw`[^"\\\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} )`,
  // Every JSON number JavaScript prints: integers up to 21 digits, 0.0000001234… style fractions, exponents.
  number: String.raw`"-"? ( "0" | [1-9] [0-9]{0,20} ) ( "." [0-9]{1,24} )? ( [eE] [-+]? [0-9]{1,3} )?`,
  integer: String.raw`"-"? ( "0" | [1-9] [0-9]{0,20} )`,
  boolean: String.raw`"true" | "false"`,
  null: String.raw`"null"`,
};

/** Rules a schema may name directly. */
export type PrimitiveRule = "value" | "object" | "array" | "string" | "number" | "integer" | "boolean" | "null";

/** Dependencies between the primitive rules, to emit only those a grammar uses. */
const primitiveDependencies: Record<string, string[]> = {
  ws: [],
  value: ["object", "array", "string", "number", "boolean", "null"],
  object: ["ws", "string", "value"],
  array: ["ws", "value"],
  string: ["char"],
  char: [],
  number: [],
  integer: [],
  boolean: [],
  null: [],
};

/** A GBNF string literal of `text` (llama.cpp grammar syntax: `\\`, `\"`, `\n`, `\r`, `\t`, `\xHH`). */
export function gbnfLiteral(text: string): string {
  let escaped = "";
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (character === "\\") escaped += "\\\\";
    else if (character === '"') escaped += '\\"';
    else if (character === "\n") escaped += "\\n";
    else if (character === "\r") escaped += "\\r";
    else if (character === "\t") escaped += "\\t";
    else if (code < 0x20 || code === 0x7f) escaped += `\\x${code.toString(16).padStart(2, "0")}`;
    else escaped += character;
  }
  return `"${escaped}"`;
}

/** The GBNF literal of one JSON value exactly as `JSON.stringify` writes it. */
export function gbnfJsonLiteral(value: unknown): string {
  return gbnfLiteral(JSON.stringify(value));
}

/** Named rules of one grammar: identical bodies share one name, primitives are added on first use. */
export class GbnfRuleSet {
  private readonly bodies = new Map<string, string>();
  private readonly namesByBody = new Map<string, string>();
  private readonly used = new Set<string>();
  private counter = 0;

  /** Marks a primitive rule (and what it needs) as used and returns its name. */
  primitive(name: PrimitiveRule | "ws"): string {
    const pending = [name as string];
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (this.used.has(next)) continue;
      this.used.add(next);
      pending.push(...primitiveDependencies[next]!);
    }
    return name;
  }

  /** A rule with `body`, named from `hint` (reusing the rule of an identical body). */
  add(hint: string, body: string): string {
    const existing = this.namesByBody.get(body);
    if (existing) return existing;
    const name = this.reserve(hint);
    this.define(name, body);
    return name;
  }

  /** A fresh rule name, to define later (a rule that refers to itself). */
  reserve(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).toLowerCase() || "rule";
    this.counter += 1;
    return `${base}-${this.counter}`;
  }

  define(name: string, body: string): void {
    this.bodies.set(name, body);
    if (!this.namesByBody.has(body)) this.namesByBody.set(body, name);
  }

  /** The grammar text: `root ::= rootBody`, then the generated rules, then the primitives used. */
  toGrammar(rootBody: string): string {
    this.primitive("ws");
    const lines = [`root ::= ${rootBody}`];
    for (const [name, body] of this.bodies) lines.push(`${name} ::= ${body}`);
    for (const name of Object.keys(primitiveRules)) if (this.used.has(name)) lines.push(`${name} ::= ${primitiveRules[name]}`);
    return `${lines.join("\n")}\n`;
  }
}
