import { createPiiScanner } from "../src/guardrails/detectors/index.js";
for (const p of ["\\b", "^", "(?:a|\\b)", "$"]) {
  try { const s = createPiiScanner({ entityTypes: [], custom: [{ name: "e", pattern: p }] }); console.log(p, s.scan("hello world aaa").length); } catch (e) { console.log(p, "threw", (e as Error).message); }
}
