import { createPiiScanner } from "../src/guardrails/detectors/index.js";
const size = 1024 * 1024;
const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const which = process.argv[2]!;
const unit = ({ apikey: "api_key = x", dots: "a.b", emails: "a@b." } as Record<string, string>)[which]!;
const type = ({ apikey: "SECRET", dots: "URL", emails: "EMAIL_ADDRESS" } as Record<string, any>)[which];
const s = createPiiScanner({ entityTypes: [type] });
const a = performance.now(); s.scan(fill(unit)); console.log(which, performance.now() - a);
