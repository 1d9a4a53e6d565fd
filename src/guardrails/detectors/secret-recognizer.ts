import { RE2JS } from "re2js";
import { codeAt, isAsciiLetter, isDigit, isWhitespace, isWordCharacter, lowerCaseKeepingOffsets } from "./characters.js";
import { findPrivateKeys, maximumPrivateKeyLength } from "./private-key.js";
import type { Recognizer } from "./recognizer.js";
import { secretRules, type SecretRule } from "./secret-rules.js";
import type { Detection } from "./types.js";

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const character of value) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const probability = count / value.length;
    entropy -= probability * Math.log2(probability);
  }
  return entropy;
}

function looksRandom(value: string, minimumEntropy: number): boolean {
  let digit = false;
  let letter = false;
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    digit ||= isDigit(code);
    letter ||= isAsciiLetter(code);
  }
  return digit && letter && shannonEntropy(value) >= minimumEntropy;
}

/** Values that stand for a password rather than being one. */
const placeholderWords = ["changeme", "password", "passwd", "secret", "example", "your", "xxxx", "****", "....", "redacted", "placeholder", "dummy", "<", "{", "$", "%("];

function isPlaceholder(value: string): boolean {
  const lower = value.toLowerCase();
  if (placeholderWords.some((word) => lower.includes(word))) return true;
  return new Set(lower).size <= 2;
}

/**
 * An assignment operator (= or :) within 40 characters after the keyword, before any line break, followed (after
 * spaces and a quote) by at least four characters that are neither space nor quote: the shape every assignment rule
 * needs, checked before re2js runs.
 */
function assignmentFollows(text: string, keywordEnd: number): boolean {
  const limit = Math.min(text.length, keywordEnd + 40);
  for (let index = keywordEnd; index < limit; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 10) return false;
    if (code !== 61 && code !== 58) continue;
    let value = index + 1;
    while (value < text.length && value - index < 8 && (text[value] === " " || text[value] === "=" || text[value] === ">" || text[value] === "\t")) value += 1;
    if (text[value] === '"' || text[value] === "'" || text[value] === "`") value += 1;
    let length = 0;
    while (value + length < text.length && length < 4 && !isWhitespace(text.charCodeAt(value + length)) && !"\"'`".includes(text[value + length]!)) length += 1;
    return length >= 4;
  }
  return false;
}

/** "user:password@" right after "://", before whitespace. */
function urlCredentialsFollow(text: string, keywordEnd: number): boolean {
  const limit = Math.min(text.length, keywordEnd + 400);
  let colon = false;
  for (let index = keywordEnd; index < limit; index += 1) {
    const code = text.charCodeAt(index);
    if (isWhitespace(code) || code === 47) return false;
    if (code === 58) colon = true;
    else if (code === 64) return colon;
  }
  return false;
}

type CompiledRule = SecretRule & { expression: RE2JS };

const compiledRules: CompiledRule[] = secretRules.map((rule) => ({ ...rule, expression: RE2JS.compile(rule.pattern) }));
/** Keyword (lower case) → the rules it belongs to. */
const rulesByKeyword = new Map<string, number[]>();
compiledRules.forEach((rule, ruleIndex) => {
  for (const keyword of rule.keywords) rulesByKeyword.set(keyword, [...(rulesByKeyword.get(keyword) ?? []), ruleIndex]);
});
/**
 * All keywords as one case-insensitive alternation of literals: the native engine tries a fixed set of literals at
 * each position, linear in the text. Longer keywords first so "sk_live_" is not shadowed by a shorter one.
 */
const longestKeyword = Math.max(...[...rulesByKeyword.keys()].map((keyword) => keyword.length));
function keywordsAt(lowerTextHere: string): Set<number> {
  const rules = new Set<number>();
  for (const [keyword, owners] of rulesByKeyword) if (lowerTextHere.startsWith(keyword)) for (const owner of owners) rules.add(owner);
  return rules;
}
const keywordPattern = new RegExp([...rulesByKeyword.keys()].sort((a, b) => b.length - a.length).map((keyword) => keyword.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gi");

/**
 * Runs one rule's regular expression over the windows around its keyword hits. Windows that overlap are merged;
 * a merged region is searched in pieces of a few rule lengths that overlap by one rule length, so RE2 always works on
 * short inputs and every match (at most maxLength long, containing a keyword) lies wholly inside some piece.
 */
function runRule(text: string, rule: CompiledRule, hits: number[], detections: Detection[]): void {
  const length = rule.maxLength;
  const regions: [number, number][] = [];
  for (let index = 0; index < hits.length; index += 2) {
    const start = Math.max(0, hits[index + 1]! - length);
    const end = Math.min(text.length, hits[index]! + length);
    const last = regions[regions.length - 1];
    if (last !== undefined && start <= last[1]) {
      last[0] = Math.min(last[0], start);
      last[1] = Math.max(last[1], end);
    }
    else regions.push([start, end]);
  }
  const pieceLength = length * 4;
  const seen = new Set<string>();
  for (const [regionStart, regionEnd] of regions) {
    for (let pieceStart = regionStart; ; pieceStart += pieceLength - length) {
      const pieceEnd = Math.min(regionEnd, pieceStart + pieceLength);
      const piece = text.slice(pieceStart, pieceEnd);
      // test() runs re2js's DFA, much faster than extracting matches; most pieces have none.
      if (rule.expression.test(piece)) {
        for (const match of rule.expression.matchAll(piece)) {
          const secret = match[rule.secretGroup];
          if (secret === undefined || secret.length === 0 || match.index === undefined) continue;
          const end = pieceStart + match.index + match[0].length - (rule.charactersAfterSecret ?? 0);
          const start = end - secret.length;
          if (rule.secretGroup === 1 && (rule.charactersAfterSecret ?? 0) === 0 && isWordCharacter(codeAt(text, end))) continue;
          if (rule.minimumEntropy !== undefined && !looksRandom(secret, rule.minimumEntropy)) continue;
          if (rule.placeholderCheck === true && isPlaceholder(secret)) continue;
          const key = `${start}:${end}`;
          if (seen.has(key)) continue;
          seen.add(key);
          detections.push({ entityType: "SECRET", detector: `secret:${rule.id}`, start, end, score: rule.minimumEntropy === undefined ? 0.95 : 0.7 });
        }
      }
      if (pieceEnd >= regionEnd) break;
    }
  }
}

/** Secrets: the gitleaks-style rules of secret-rules.ts (RE2, keyword-prefiltered) and PEM private keys. */
export function createSecretRecognizer(): Recognizer {
  return {
    detector: "secret",
    entityTypes: ["SECRET"],
    maxLength: Math.max(maximumPrivateKeyLength, ...secretRules.map((rule) => rule.maxLength)),
    contextLength: 0,
    find(text: string, detections: Detection[]): void {
      const hitsByRule = new Map<number, number[]>();
      keywordPattern.lastIndex = 0;
      for (let match = keywordPattern.exec(text); match !== null; match = keywordPattern.exec(text)) {
        const start = match.index;
        // Every keyword starting here, not only the one the alternation picked.
        const here = text.slice(start, start + longestKeyword).toLowerCase();
        for (const ruleIndex of keywordsAt(here)) {
          const rule = compiledRules[ruleIndex]!;
          const end = start + rule.keywords.find((keyword) => here.startsWith(keyword))!.length;
          if (rule.precheck === "assignment-follows" && !assignmentFollows(text, end)) continue;
          if (rule.precheck === "url-credentials-follow" && !urlCredentialsFollow(text, end)) continue;
          let hits = hitsByRule.get(ruleIndex);
          if (hits === undefined) hitsByRule.set(ruleIndex, (hits = []));
          hits.push(start, end);
        }
        // Keywords can overlap ("api_key" holds "key"): look again from the next character.
        keywordPattern.lastIndex = start + 1;
      }
      for (const [ruleIndex, hits] of hitsByRule) runRule(text, compiledRules[ruleIndex]!, hits, detections);
      if (text.includes("-----") ) findPrivateKeys(text, lowerCaseKeepingOffsets(text), detections);
    },
  };
}
