/** Injection detection on BIPIA (attacks placed in e-mail contexts) and false positives on NotInject (bench:guard). */
import { detectInjection } from "../src/guardrails/detectors/index.js";

export type Position = "start" | "middle" | "end";
export const positions: readonly Position[] = ["start", "middle", "end"];

/**
 * BIPIA's construction (bipia/data/utils.py) for start and end. For middle, BIPIA draws a Punkt sentence boundary at
 * random; our deterministic rule: the first sentence end (". ", "! ", "? " or a line break) at or after half the
 * context, else the end. The attack goes in as "\n" + attack + "\n" there.
 */
export function poison(context: string, attack: string, position: Position): string {
  switch (position) {
    case "start":
      return `${attack}\n${context}`;
    case "end":
      return `${context}\n${attack}`;
    case "middle": {
      const half = Math.floor(context.length / 2);
      let cut = context.length;
      for (let index = half; index < context.length; index += 1) {
        const character = context[index]!;
        if (character === "\n" || ((character === " ") && ".!?".includes(context[index - 1] ?? ""))) {
          cut = index + 1;
          break;
        }
      }
      return `${context.slice(0, cut)}\n${attack}\n${context.slice(cut)}`;
    }
    default:
      return position satisfies never;
  }
}

export function isFlagged(text: string): boolean {
  return detectInjection(text).length > 0;
}

export type InjectionQuality = {
  poisoned: number;
  detected: number;
  byPosition: Map<Position, [number, number]>;
  byCategory: Map<string, [number, number]>;
  cleanContexts: number;
  cleanFlagged: number;
};

export function measureInjection(attacks: Record<string, string[]>, contexts: string[]): InjectionQuality {
  const quality: InjectionQuality = { poisoned: 0, detected: 0, byPosition: new Map(), byCategory: new Map(), cleanContexts: 0, cleanFlagged: 0 };
  for (const context of new Set(contexts)) {
    quality.cleanContexts += 1;
    if (isFlagged(context)) quality.cleanFlagged += 1;
  }
  for (const [category, list] of Object.entries(attacks)) {
    for (const attack of list) {
      for (const context of contexts) {
        for (const position of positions) {
          const flagged = isFlagged(poison(context, attack, position));
          quality.poisoned += 1;
          if (flagged) quality.detected += 1;
          const byPosition = quality.byPosition.get(position) ?? [0, 0];
          const byCategory = quality.byCategory.get(category) ?? [0, 0];
          byPosition[0] += flagged ? 1 : 0;
          byPosition[1] += 1;
          byCategory[0] += flagged ? 1 : 0;
          byCategory[1] += 1;
          quality.byPosition.set(position, byPosition);
          quality.byCategory.set(category, byCategory);
        }
      }
    }
  }
  return quality;
}

export type BenignPrompt = { prompt: string; category?: string };
export type BenignQuality = { total: number; flagged: number; byGroup: Map<string, [number, number]>; examples: string[] };

export function measureBenign(files: { name: string; prompts: BenignPrompt[] }[]): BenignQuality {
  const quality: BenignQuality = { total: 0, flagged: 0, byGroup: new Map(), examples: [] };
  for (const file of files) {
    for (const item of file.prompts) {
      const findings = detectInjection(item.prompt);
      const flagged = findings.length > 0;
      quality.total += 1;
      if (flagged) {
        quality.flagged += 1;
        quality.examples.push(`${findings.map((finding) => finding.rule).join(",")}: ${item.prompt}`);
      }
      for (const group of [`file ${file.name}`, `category ${item.category ?? "?"}`]) {
        const value = quality.byGroup.get(group) ?? [0, 0];
        value[0] += flagged ? 1 : 0;
        value[1] += 1;
        quality.byGroup.set(group, value);
      }
    }
  }
  return quality;
}
