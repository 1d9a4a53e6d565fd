/**
 * Secret rules in the spirit of gitleaks (MIT): RE2 syntax, each with the lower-case keywords one of which every
 * match contains (the keyword prefilter), the longest match, and — for assignments — the capture group holding the
 * secret value and a minimum Shannon entropy for it.
 */
export type SecretRule = {
  id: string;
  keywords: readonly string[];
  pattern: string;
  maxLength: number;
  /**
   * The capture group that is the secret (0: the whole match). It must end the match or be followed by exactly
   * `charactersAfterSecret` characters: re2js reports group texts but not their offsets.
   */
  secretGroup: 0 | 1;
  charactersAfterSecret?: number;
  /** Minimum Shannon entropy, in bits per character, of the secret group. */
  minimumEntropy?: number;
  /** Skip values that are placeholders ("changeme", "<password>", "${DB_PASSWORD}", "****"). */
  placeholderCheck?: boolean;
  /** A cheap test after a keyword hit before the regular expression runs (e.g. an assignment operator follows). */
  precheck?: "assignment-follows" | "url-credentials-follow";
};

export const secretRules: readonly SecretRule[] = [
  { id: "aws-access-key-id", keywords: ["akia", "asia", "abia", "acca", "a3t"], pattern: String.raw`\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b`, maxLength: 20, secretGroup: 0 },
  {
    id: "aws-secret-access-key",
    keywords: ["aws"],
    pattern: String.raw`(?i)\baws_?secret_?(?:access_?)?key["']?\s{0,5}(?::=|=>|=|:)\s{0,5}["']?([A-Za-z0-9/+]{40})`,
    maxLength: 90,
    secretGroup: 1,
    precheck: "assignment-follows",
  },
  { id: "github-token", keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], pattern: String.raw`\bgh[pousr]_[A-Za-z0-9]{36,255}\b`, maxLength: 260, secretGroup: 0 },
  { id: "github-fine-grained-token", keywords: ["github_pat_"], pattern: String.raw`\bgithub_pat_[A-Za-z0-9_]{82}\b`, maxLength: 93, secretGroup: 0 },
  { id: "gitlab-token", keywords: ["glpat-", "gldt-", "glrt-", "glptt-", "gloas-"], pattern: String.raw`\bgl(?:pat|dt|rt|ptt|oas)-[A-Za-z0-9_-]{20,64}\b`, maxLength: 70, secretGroup: 0 },
  { id: "slack-token", keywords: ["xoxb-", "xoxa-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe-", "xoxe."], pattern: String.raw`\bxox(?:[abposr]|e\.xox[bp]|e)-[0-9A-Za-z-]{10,250}`, maxLength: 262, secretGroup: 0 },
  { id: "slack-webhook", keywords: ["hooks.slack.com"], pattern: String.raw`(?i)https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,120}`, maxLength: 160, secretGroup: 0 },
  { id: "stripe-key", keywords: ["sk_test_", "sk_live_", "sk_prod_", "rk_test_", "rk_live_", "rk_prod_"], pattern: String.raw`\b[rs]k_(?:test|live|prod)_[A-Za-z0-9]{10,99}\b`, maxLength: 108, secretGroup: 0 },
  { id: "openai-key", keywords: ["sk-proj-", "sk-svcacct-", "sk-admin-", "t3blbkfj"], pattern: String.raw`\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,250}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})`, maxLength: 262, secretGroup: 0 },
  { id: "anthropic-key", keywords: ["sk-ant-"], pattern: String.raw`\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,120}`, maxLength: 140, secretGroup: 0 },
  { id: "google-api-key", keywords: ["aiza"], pattern: String.raw`\bAIza[0-9A-Za-z_-]{35}\b`, maxLength: 39, secretGroup: 0 },
  { id: "huggingface-token", keywords: ["hf_"], pattern: String.raw`\bhf_[A-Za-z]{34}\b`, maxLength: 37, secretGroup: 0 },
  { id: "npm-token", keywords: ["npm_"], pattern: String.raw`\bnpm_[A-Za-z0-9]{36}\b`, maxLength: 40, secretGroup: 0 },
  {
    id: "jwt",
    keywords: ["eyj"],
    pattern: String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`,
    maxLength: 2048,
    secretGroup: 0,
  },
  {
    id: "connection-string-password",
    keywords: ["://"],
    pattern: String.raw`\b[A-Za-z][A-Za-z0-9+.-]{1,30}://[^\s:@/]{1,128}:([^\s@/]{1,256})@`,
    maxLength: 420,
    secretGroup: 1,
    charactersAfterSecret: 1,
    precheck: "url-credentials-follow",
  },
  {
    id: "password-assignment",
    keywords: ["passw", "pwd", "passphrase"],
    pattern: String.raw`(?i)(?:passw(?:or)?d|passwd|pwd|passphrase)[a-z0-9_.-]{0,20}["']?\s{0,3}(?::=|=>|=|:)\s{0,3}["'\x60]([^\s"'\x60]{4,128})["'\x60]`,
    maxLength: 200,
    secretGroup: 1,
    charactersAfterSecret: 1,
    precheck: "assignment-follows",
    placeholderCheck: true,
  },
  {
    id: "generic-api-key",
    keywords: ["key", "secret", "token", "credential"],
    pattern: String.raw`(?i)(?:key|secret|token|credentials?)[a-z0-9_.-]{0,20}["']?\s{0,3}(?::=|=>|=|:)\s{0,3}["'\x60]?([A-Za-z0-9_\-+/=.~!@#$%^&*]{8,128})`,
    maxLength: 230,
    secretGroup: 1,
    minimumEntropy: 3,
    precheck: "assignment-follows",
  },
];
