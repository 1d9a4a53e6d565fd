import { createPiiScanner, ENTITY_TYPES } from "../src/guardrails/detectors/index.js";
const size = 1024 * 1024;
const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const cases: Record<string, string> = { digits: fill("1 "), apikey: fill("api_key = x"), dots: fill("a.b"), names: fill("Hello World "), emails: fill("a@b."), cards: fill("4111 1111 1111 1112 ") };
for (const [name, text] of Object.entries(cases)) {
  const row: string[] = [];
  for (const type of ENTITY_TYPES) {
    const s = createPiiScanner({ entityTypes: [type] });
    const a = performance.now(); s.scan(text); const t = performance.now() - a;
    if (t > 100) row.push(`${type}=${t.toFixed(0)}`);
  }
  console.log(name, row.join(" "));
}
