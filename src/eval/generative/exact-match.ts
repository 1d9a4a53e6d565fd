export type ExactMatchOptions = {
  /** Python regexes removed (`re.sub(r, "", x)`) from prediction and reference, in order. */
  regexesToIgnore?: readonly string[];
  /** Lower-case both after removal. Defaults to false. */
  ignoreCase?: boolean;
  /** Remove `string.punctuation` characters. Defaults to false. */
  ignorePunctuation?: boolean;
};

/** lm-eval gsm8k.yaml `exact_match` settings. */
export const gsm8kExactMatchOptions: ExactMatchOptions = {
  regexesToIgnore: [",", "\\$", "(?s).*#### ", "\\.$"],
  ignoreCase: true,
  ignorePunctuation: false,
};

/**
 * Translates the few Python regex features the metric configs use: a leading `(?s)` (dot matches
 * newline → JS `s` flag) and `$` (Python: end, or before a final newline → `(?=\n?$)`).
 */
function toJavaScriptRegex(pattern: string): RegExp {
  let flags = "g";
  let source = pattern;
  if (source.startsWith("(?s)")) {
    flags += "s";
    source = source.slice(4);
  }
  source = source.replace(/(?<!\\)\$$/, "(?=\\n?$)");
  return new RegExp(source, flags);
}

const punctuation = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/** lm-eval `exact_match_hf_evaluate` for one pair: removal regexes on both, then case/punctuation, then `==`. */
export function exactMatch(prediction: string, reference: string, options: ExactMatchOptions = {}): 0 | 1 {
  let left = prediction;
  let right = reference;
  for (const pattern of options.regexesToIgnore ?? []) {
    left = left.replace(toJavaScriptRegex(pattern), "");
    right = right.replace(toJavaScriptRegex(pattern), "");
  }
  if (options.ignoreCase) {
    left = left.toLowerCase();
    right = right.toLowerCase();
  }
  if (options.ignorePunctuation) {
    left = left.replace(punctuation, "");
    right = right.replace(punctuation, "");
  }
  return left === right ? 1 : 0;
}
