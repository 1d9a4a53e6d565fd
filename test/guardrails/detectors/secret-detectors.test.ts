import { describe, expect, it } from "vitest";
import { createPiiScanner } from "../../../src/guardrails/detectors/index.js";
import { detectionsOf } from "./support.js";

function secrets(text: string): [string, string][] {
  return detectionsOf(text, ["SECRET"]).map((detection) => [detection.detector, detection.value]);
}

/** A deterministic base64 body, 64 characters a line. */
function pemBody(lines: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let body = "";
  for (let line = 0; line < lines; line += 1) {
    for (let index = 0; index < 64; index += 1) body += alphabet[(line * 7 + index * 13) % 64];
    body += "\n";
  }
  return body;
}

describe("secrets", () => {
  it("finds provider tokens by their prefixes", () => {
    const tokens: [string, string][] = [
      ["secret:aws-access-key-id", "AKIAIOSFODNN7EXAMPLE"],
      ["secret:github-token", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"],
      ["secret:github-fine-grained-token", `github_pat_${"A1b2C3d4E5".repeat(8)}ab`],
      ["secret:gitlab-token", "glpat-abcdefghij0123456789"],
      ["secret:slack-token", "xoxb-123456789012-1234567890123-abcdefghijABCDEFGHIJklmn"],
      ["secret:stripe-key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
      ["secret:openai-key", "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD"],
      ["secret:anthropic-key", `sk-ant-api03-${"aB3_".repeat(23)}xyzAA`],
      ["secret:google-api-key", "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"],
      ["secret:huggingface-token", "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH"],
      ["secret:npm-token", "npm_abcdefghijklmnopqrstuvwxyz0123456789"],
      ["secret:slack-webhook", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"],
    ];
    for (const [detector, token] of tokens) expect(secrets(`config: ${token} end`)).toEqual([[detector, token]]);
  });

  it("finds JWTs, connection-string passwords and assignments with their value only", () => {
    const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    expect(secrets(`Authorization: Bearer ${jwt}`)).toEqual([["secret:jwt", jwt]]);
    expect(secrets("DATABASE_URL=postgres://admin:s3cr3tP4ss@db.internal:5432/app")).toEqual([["secret:connection-string-password", "s3cr3tP4ss"]]);
    expect(secrets("mongodb+srv://svc:Xy7%21pq@cluster0.mongodb.net/db")).toEqual([["secret:connection-string-password", "Xy7%21pq"]]);
    expect(secrets(`api_key = "Zm9vYmFy1YmF6cXV4MTIzNDU2"`)).toEqual([["secret:generic-api-key", "Zm9vYmFy1YmF6cXV4MTIzNDU2"]]);
    expect(secrets("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).toEqual([["secret:aws-secret-access-key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]]);
    expect(secrets(`DB_PASSWORD: "hunter2hunter2"`)).toEqual([["secret:password-assignment", "hunter2hunter2"]]);
  });

  it("ignores placeholders, low-entropy values, prose and near-miss prefixes", () => {
    const text = [
      `api_key = "your-api-key-here"`,
      `token: "aaaaaaaaaaaaaaaa"`,
      `password = "changeme"`,
      `password: "\${DB_PASSWORD}"`,
      "The key to success is patience: it takes time.",
      "AKIA1234", "ghp_short", "sk_live_", "https://user@example.com/path", "eyJhbGciOiJIUzI1NiJ9 alone",
    ].join("\n");
    expect(secrets(text)).toEqual([]);
  });

  it("finds a PEM private key whole, and a long one in header and footer parts that cover it", () => {
    const key = `-----BEGIN RSA PRIVATE KEY-----\n${pemBody(25)}-----END RSA PRIVATE KEY-----`;
    expect(secrets(`here:\n${key}\nthanks`)).toEqual([["secret:private-key", key]]);
    const longKey = `-----BEGIN PRIVATE KEY-----\n${pemBody(100)}-----END PRIVATE KEY-----`;
    const text = `key:\n${longKey}\n`;
    const detections = createPiiScanner({ entityTypes: ["SECRET"] }).scan(text);
    const start = text.indexOf("-----BEGIN");
    let covered = start;
    for (const detection of detections) {
      expect(detection.start).toBe(covered);
      covered = detection.end;
    }
    expect(covered).toBe(start + longKey.length);
  });

  it("finds two keys written one right after the other as two keys (a footer line never runs on into the next header)", () => {
    const first = `-----BEGIN EC PRIVATE KEY-----\n${pemBody(3)}-----END EC PRIVATE KEY-----`;
    const second = `-----BEGIN RSA PRIVATE KEY-----\n${pemBody(4)}-----END RSA PRIVATE KEY-----`;
    expect(secrets(`${first}  ${second}`)).toEqual([["secret:private-key", first], ["secret:private-key", second]]);
  });

  it("does not flag a certificate or a public key", () => {
    expect(secrets(`-----BEGIN CERTIFICATE-----\n${pemBody(10)}-----END CERTIFICATE-----`)).toEqual([]);
    expect(secrets(`-----BEGIN PUBLIC KEY-----\n${pemBody(4)}-----END PUBLIC KEY-----`)).toEqual([]);
  });

  it("reports a truncated private key from its header", () => {
    const text = `-----BEGIN OPENSSH PRIVATE KEY-----\n${pemBody(3)}`;
    expect(secrets(text)).toEqual([["secret:private-key", text.trimEnd()]]);
  });
});
