import { describe, expect, it } from "vitest";
import { EffectivePolicy, ENTITY_TYPES, validatePolicy, type LoadedPolicy } from "../../src/guardrails/index.js";
import { InvalidRequestError } from "../../src/spec/index.js";

// Policy files: validation naming the field, the shorthand, per-route rules, tightening and override.

const local = { name: "local", local: true };
const upstream = { name: "openai", local: false };

function loaded(name: string, text: string | object, version = 1): LoadedPolicy {
  return { name, version, document: validatePolicy(text).document };
}

function invalidParam(input: unknown): string | undefined {
  try {
    validatePolicy(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return (error as InvalidRequestError).param;
  }
  throw new Error("expected the policy to be refused");
}

describe("policy files", () => {
  it("`pii: mask` masks every PII and secret detector on every route", () => {
    const policy = new EffectivePolicy([loaded("default", "pii: mask")]);
    for (const type of ENTITY_TYPES) {
      expect(policy.actionFor(local, type)).toBe("mask");
      expect(policy.actionFor(upstream, type)).toBe("mask");
    }
    expect(policy.scannerOptions()?.entityTypes).toEqual(ENTITY_TYPES);
    expect(policy.injection).toBe("off");
    expect(policy.canary).toBe(false);
    expect(policy.label).toBe("default@1");
  });

  it("reads YAML and JSON; entity types, groups and default; custom patterns and dictionaries with their own actions", () => {
    const policy = new EffectivePolicy([
      loaded("p", `
pii:
  default: audit
  financial: block
  EMAIL_ADDRESS: redact
custom:
  - name: PROJECT_CODE
    pattern: "PRJ-[0-9]{4}"
dictionaries:
  - name: CODENAME
    words: [bluebird, nightjar]
    action: block
injection: strip
`),
    ]);
    expect(policy.actionFor(upstream, "CREDIT_CARD")).toBe("block");
    expect(policy.actionFor(upstream, "IBAN_CODE")).toBe("block");
    expect(policy.actionFor(upstream, "EMAIL_ADDRESS")).toBe("redact");
    expect(policy.actionFor(upstream, "PERSON")).toBe("audit");
    expect(policy.actionFor(upstream, "CUSTOM_PROJECT_CODE")).toBe("mask");
    expect(policy.actionFor(upstream, "CUSTOM_CODENAME")).toBe("block");
    expect(policy.scannerOptions()).toMatchObject({ custom: [{ name: "PROJECT_CODE", pattern: "PRJ-[0-9]{4}" }], dictionaries: [{ name: "CODENAME", words: ["bluebird", "nightjar"], caseSensitive: false }] });
    expect(policy.injection).toBe("strip");
    expect(policy.canary).toBe(true);
    expect(new EffectivePolicy([loaded("j", '{"pii": {"contact": "mask"}}')]).actionFor(upstream, "PHONE_NUMBER")).toBe("mask");
  });

  it("per-route rules: local models may see raw data, upstream providers never; a provider's own rule wins over `upstream`", () => {
    const policy = new EffectivePolicy([loaded("routes", { routes: { local: "allow", upstream: "mask", "eu-provider": { default: "mask", SECRET: "block" } } })]);
    expect(policy.actionFor(local, "EMAIL_ADDRESS")).toBe("allow");
    expect(policy.actionFor(upstream, "EMAIL_ADDRESS")).toBe("mask");
    expect(policy.actionFor({ name: "eu-provider", local: false }, "SECRET")).toBe("block");
    expect(policy.actionFor({ name: "eu-provider", local: false }, "EMAIL_ADDRESS")).toBe("mask");
    const partial = new EffectivePolicy([loaded("partial", { pii: "mask", routes: { local: "allow" } })]);
    expect(partial.actionFor(local, "PERSON")).toBe("allow");
    expect(partial.actionFor(upstream, "PERSON")).toBe("mask");
  });

  it("a key's policy only tightens the default; with `override: true` it replaces it", () => {
    const defaults = loaded("default", { pii: "mask", injection: "flag" }, 3);
    const looser = loaded("looser", { pii: "allow", routes: { upstream: "allow" } });
    const tightened = EffectivePolicy.combine(defaults, looser);
    expect(tightened.label).toBe("default@3+looser@1");
    expect(tightened.actionFor(upstream, "EMAIL_ADDRESS")).toBe("mask");
    expect(tightened.injection).toBe("flag");
    const stricter = EffectivePolicy.combine(defaults, loaded("stricter", { pii: { CREDIT_CARD: "block" }, injection: "block" }));
    expect(stricter.actionFor(upstream, "CREDIT_CARD")).toBe("block");
    expect(stricter.actionFor(upstream, "EMAIL_ADDRESS")).toBe("mask");
    expect(stricter.injection).toBe("block");
    const override = EffectivePolicy.combine(defaults, loaded("trusted", { override: true, pii: "allow" }));
    expect(override.label).toBe("trusted@1");
    expect(override.actionFor(upstream, "EMAIL_ADDRESS")).toBe("allow");
    expect(override.scannerOptions()).toBeUndefined();
    expect(EffectivePolicy.combine(undefined, undefined).label).toBe("none");
  });

  it("a bad policy is refused naming the field", () => {
    expect(invalidParam({ pii: "hide" })).toBe("policy.pii");
    expect(invalidParam({ pii: { EMAIL: "mask" } })).toBe("policy.pii.EMAIL");
    expect(invalidParam({ pii: { EMAIL_ADDRESS: "maybe" } })).toBe("policy.pii.EMAIL_ADDRESS");
    expect(invalidParam({ injection: "ignore" })).toBe("policy.injection");
    expect(invalidParam({ custom: [{ name: "lower", pattern: "x" }] })).toBe("policy.custom[0].name");
    expect(invalidParam({ custom: [{ name: "EMAIL", pattern: "x" }] })).toBe("policy.custom[0].name");
    expect(invalidParam({ custom: [{ name: "BAD", pattern: "(unclosed" }] })).toBe("policy.custom[0].pattern");
    expect(invalidParam({ custom: [{ name: "BACKREF", pattern: "(a)\\1" }] })).toBe("policy.custom[0].pattern");
    expect(invalidParam({ dictionaries: [{ name: "WORDS", words: [] }] })).toBe("policy.dictionaries[0].words");
    expect(invalidParam({ routes: { upstream: { NOPE: "mask" } } })).toBe("policy.routes.upstream.NOPE");
    expect(invalidParam({ colour: "blue" })).toBe("policy.colour");
    expect(invalidParam("pii: [unclosed")).toBe("policy");
    expect(invalidParam("- a list")).toBe("policy");
    expect(invalidParam("pii: mask\npii: block")).toBe("policy");
  });
});
