import { z } from "zod";
import { ENTITY_TYPES } from "../detectors/index.js";
import { entityGroups, entityLabels } from "./entity-labels.js";
import { injectionActions, policyActions, type InjectionAction, type PolicyAction } from "./policy-action.js";

const action = z.enum(policyActions as [PolicyAction, ...PolicyAction[]], { error: `must be one of ${policyActions.join(", ")}` });
const injectionAction = z.enum(injectionActions as [InjectionAction, ...InjectionAction[]], { error: `must be one of ${injectionActions.join(", ")}` });

const ruleKeys = new Set<string>(["default", ...ENTITY_TYPES, ...Object.keys(entityGroups)]);
const reservedNames = new Set<string>([...ENTITY_TYPES, ...Object.values(entityLabels), "REDACTED", "DEFAULT"]);

/** Custom patterns and dictionaries are named like placeholders: `PROJECT` gives `[PROJECT_1]`. */
const detectorName = z
  .string({ error: "must be a string" })
  .regex(/^[A-Z][A-Z0-9_]{0,31}$/, { error: "must be upper-case letters, digits and _ (at most 32), starting with a letter, e.g. PROJECT_CODE" })
  .refine((name) => !reservedNames.has(name), { error: "is a built-in entity type or label; pick another name" });

/**
 * Actions per entity type: one action for all of them, or a map of entity types (`EMAIL_ADDRESS`), groups
 * (`contact`, `financial`, `government`, `network`, `names`, `secrets`) and `default` (every type not named; `allow`
 * when left out). A type named directly wins over its group.
 */
const entityRules = z.union([
  action,
  z.record(z.string(), action).superRefine((rules, context) => {
    for (const key of Object.keys(rules)) {
      if (!ruleKeys.has(key)) {
        context.addIssue({ code: "custom", path: [key], message: `unknown entity type or group '${key}' (entity types: ${ENTITY_TYPES.join(", ")}; groups: ${Object.keys(entityGroups).join(", ")}; or default)` });
      }
    }
  }),
]);

/** A route's rules: one action for every detector there, or a map like `pii` that may also name custom detectors. */
const routeRules = z.union([action, z.record(z.string(), action)]);

const customPattern = z.strictObject({
  name: detectorName,
  /** RE2 syntax (linear time: no backtracking). */
  pattern: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).max(1000, { error: "must be at most 1000 characters" }),
  flags: z.literal("i", { error: 'must be "i" (case-insensitive) or left out' }).optional(),
  action: action.default("mask"),
});

const dictionary = z.strictObject({
  name: detectorName,
  words: z
    .array(z.string().trim().min(1, { error: "must not be empty" }).max(200), { error: "must be a list of words" })
    .min(1, { error: "must list at least one word" })
    .max(10_000, { error: "must list at most 10000 words" }),
  case_sensitive: z.boolean({ error: "must be true or false" }).default(false),
  action: action.default("mask"),
});

/** A model named by a policy (a judge or a classifier): a local model or a provider's; it must exist when the policy is set. */
const modelName = z.string({ error: "must be a model name" }).trim().min(1, { error: "must not be empty" }).max(200, { error: "must be at most 200 characters" });
const timeoutSeconds = z.number({ error: "must be a number of seconds" }).positive({ error: "must be more than 0" }).max(600, { error: "must be at most 600" });

/** A model that scores untrusted text for prompt injection (asked for `{"injection": boolean, "score": number}`). */
const injectionClassifier = z.strictObject({
  model: modelName,
  /** A score at or above it is a detection (as is `injection: true`). */
  threshold: z.number({ error: "must be a number from 0 to 1" }).min(0, { error: "must be from 0 to 1" }).max(1, { error: "must be from 0 to 1" }).default(0.5),
  timeout_seconds: timeoutSeconds.default(30),
});

/** `injection: flag`, or `{action, classifier}` to have a classifier model score untrusted text as well. */
const injectionRules = z.union([
  injectionAction,
  z.strictObject({
    action: injectionAction.default("flag"),
    classifier: injectionClassifier.optional(),
  }),
]);

/** `POST /v1/moderations` under the policy: a judge model asked for OpenAI's moderation categories, merged with the detectors'. */
const moderationRules = z.strictObject({
  judge_model: modelName,
  timeout_seconds: timeoutSeconds.default(30),
});

/**
 * A guardrail policy file (YAML or JSON). The shortest one, `pii: mask`, masks every PII and secret detector on every
 * route. Every field is optional.
 */
export const policyDocumentSchema = z
  .strictObject({
    description: z.string({ error: "must be a string" }).max(2000).optional(),
    /** A key's policy replaces the default policy instead of only tightening it (admins only set policies). */
    override: z.boolean({ error: "must be true or false" }).default(false),
    pii: entityRules.default("allow"),
    custom: z.array(customPattern, { error: "must be a list of {name, pattern, action}" }).max(100).default([]),
    dictionaries: z.array(dictionary, { error: "must be a list of {name, words, action}" }).max(100).default([]),
    injection: injectionRules.default("off"),
    /** The judge model of `POST /v1/moderations`. */
    moderation: moderationRules.optional(),
    /** A canary in the system prompt whose echo in the answer counts as an injection. Defaults to on when `injection` is. */
    canary: z.boolean({ error: "must be true or false" }).optional(),
    /** Detections in the model's own output (values it produced, not the caller's): `mask` and `redact` both redact. */
    output: action.default("allow"),
    /** Per route: `local`, `upstream`, or a provider's name (wins over `upstream`); replaces the detector actions there. */
    routes: z.record(z.string().min(1), routeRules, { error: "must map local, upstream or provider names to actions" }).default({}),
  })
  .superRefine((policy, context) => {
    if (typeof policy.injection !== "string" && policy.injection.classifier && policy.injection.action === "off") {
      context.addIssue({ code: "custom", path: ["injection", "action"], message: "must be flag, strip or block when a classifier is named (off would never ask it)" });
    }
    const names = new Set<string>();
    const detectors = [...policy.custom.map((entry, index) => ({ name: entry.name, path: ["custom", index, "name"] })), ...policy.dictionaries.map((entry, index) => ({ name: entry.name, path: ["dictionaries", index, "name"] }))];
    for (const detector of detectors) {
      if (names.has(detector.name)) context.addIssue({ code: "custom", path: detector.path, message: `detector name '${detector.name}' is used twice` });
      names.add(detector.name);
    }
    for (const [route, rules] of Object.entries(policy.routes)) {
      if (typeof rules === "string") continue;
      for (const key of Object.keys(rules)) {
        if (!ruleKeys.has(key) && !names.has(key)) {
          context.addIssue({ code: "custom", path: ["routes", route, key], message: `unknown entity type, group or detector '${key}'` });
        }
      }
    }
  });

/** A policy as written (YAML/JSON), before defaults. */
export type PolicyDocumentInput = z.input<typeof policyDocumentSchema>;
/** A validated policy with its defaults filled in. */
export type PolicyDocument = z.output<typeof policyDocumentSchema>;
export type EntityRules = z.output<typeof entityRules>;
export type RouteRules = z.output<typeof routeRules>;
export type InjectionRules = z.output<typeof injectionRules>;
export type InjectionClassifierRules = z.output<typeof injectionClassifier>;
export type ModerationRules = z.output<typeof moderationRules>;

/** The action of a policy's `injection` field (either spelling). */
export function injectionActionOf(rules: InjectionRules): InjectionAction {
  return typeof rules === "string" ? rules : rules.action;
}

/** The classifier a policy's `injection` field names, if any. */
export function injectionClassifierOf(rules: InjectionRules): InjectionClassifierRules | undefined {
  return typeof rules === "string" ? undefined : rules.classifier;
}

/** The models a policy names (judge, classifier) with the field naming each, for checking that they exist. */
export function modelsNamedBy(document: PolicyDocument): Array<{ model: string; field: string }> {
  const named: Array<{ model: string; field: string }> = [];
  if (document.moderation) named.push({ model: document.moderation.judge_model, field: "moderation.judge_model" });
  const classifier = injectionClassifierOf(document.injection);
  if (classifier) named.push({ model: classifier.model, field: "injection.classifier.model" });
  return named;
}

/** Policy names: lower-case letters, digits, `.`, `_`, `-` (at most 64). `default` is the default policy. */
export const policyNameSchema = z
  .string({ error: "must be a string" })
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: "must be lower-case letters, digits, '.', '_' or '-' (at most 64), e.g. strict-eu" });

/** The name of the policy that applies to every key (tightened by a key's own policy). */
export const defaultPolicyName = "default";
