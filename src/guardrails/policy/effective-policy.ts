import type { GuardedRoute } from "../../spec/index.js";
import { ENTITY_TYPES, type CustomPattern, type Dictionary, type EntityType, type ScannerOptions } from "../detectors/index.js";
import { stricterAction, stricterInjectionAction, type InjectionAction, type PolicyAction } from "./policy-action.js";
import { injectionActionOf, injectionClassifierOf, type InjectionClassifierRules, type ModerationRules, type PolicyDocument } from "./policy-schema.js";
import { customDetectorKey, resolveAction } from "./resolve-action.js";

/** One stored version of a named policy. */
export type LoadedPolicy = { name: string; version: number; document: PolicyDocument };

/**
 * The policy a request runs under: the default policy tightened by the key's own (every decision takes the stricter
 * action of the two), or the key's alone when it says `override: true`. No layer at all: everything is allowed.
 */
export class EffectivePolicy {
  readonly layers: readonly LoadedPolicy[];

  constructor(layers: readonly LoadedPolicy[]) {
    this.layers = layers;
  }

  /** The default policy's layers tightened by a key's policy (or replaced by it when it overrides). */
  static combine(defaultPolicy: LoadedPolicy | undefined, keyPolicy: LoadedPolicy | undefined): EffectivePolicy {
    if (keyPolicy?.document.override) return new EffectivePolicy([keyPolicy]);
    const layers: LoadedPolicy[] = [];
    if (defaultPolicy) layers.push(defaultPolicy);
    if (keyPolicy && keyPolicy.name !== defaultPolicy?.name) layers.push(keyPolicy);
    return new EffectivePolicy(layers);
  }

  /** `default@3+strict@1`, as the audit log records it; `none` without a policy. */
  get label(): string {
    return this.layers.length === 0 ? "none" : this.layers.map((layer) => `${layer.name}@${layer.version}`).join("+");
  }

  actionFor(route: GuardedRoute, detector: string): PolicyAction {
    return this.layers.reduce<PolicyAction>((action, layer) => stricterAction(action, resolveAction(layer.document, route, detector)), "allow");
  }

  /** The action for detections in the model's output on `route`, for a detector the input rules do not allow there. */
  get outputAction(): PolicyAction {
    return this.layers.reduce<PolicyAction>((action, layer) => stricterAction(action, layer.document.output), "allow");
  }

  get injection(): InjectionAction {
    return this.layers.reduce<InjectionAction>((action, layer) => stricterInjectionAction(action, injectionActionOf(layer.document.injection)), "off");
  }

  /** Whether a canary goes into system prompts: any layer asks for one (by default, a layer that checks injections). */
  get canary(): boolean {
    return this.layers.some((layer) => layer.document.canary ?? injectionActionOf(layer.document.injection) !== "off");
  }

  /** The injection classifiers of every layer (each one is asked; a detection by any counts). */
  get injectionClassifiers(): InjectionClassifierRules[] {
    return this.layers.flatMap((layer) => {
      const classifier = injectionClassifierOf(layer.document.injection);
      return classifier ? [classifier] : [];
    });
  }

  /** The moderation judges of every layer (each one is asked; a flag by any counts). */
  get moderationJudges(): ModerationRules[] {
    return this.layers.flatMap((layer) => (layer.document.moderation ? [layer.document.moderation] : []));
  }

  /** Every detector some layer acts on somewhere (any route), as scanner options; undefined when nothing is detected. */
  scannerOptions(): ScannerOptions | undefined {
    const routes: GuardedRoute[] = [{ name: "local", local: true }, { name: "upstream", local: false }];
    for (const layer of this.layers) for (const name of Object.keys(layer.document.routes)) if (name !== "local" && name !== "upstream") routes.push({ name, local: false });
    const acted = (detector: string) => routes.some((route) => this.actionFor(route, detector) !== "allow");
    const entityTypes: EntityType[] = ENTITY_TYPES.filter((type) => acted(type));
    const custom: CustomPattern[] = [];
    const dictionaries: Dictionary[] = [];
    for (const layer of this.layers) {
      for (const entry of layer.document.custom) if (acted(customDetectorKey(entry.name))) custom.push({ name: entry.name, pattern: entry.pattern, ...(entry.flags ? { flags: entry.flags } : {}) });
      for (const entry of layer.document.dictionaries) if (acted(customDetectorKey(entry.name))) dictionaries.push({ name: entry.name, words: entry.words, caseSensitive: entry.case_sensitive });
    }
    if (entityTypes.length === 0 && custom.length === 0 && dictionaries.length === 0) return undefined;
    return { entityTypes, custom, dictionaries };
  }
}
