import { RE2JS } from "re2js";
const re = RE2JS.compile(String.raw`key\s*=\s*"?([a-z0-9]+)`);
const r = re.exec('xx key = "abc123" yy key=zz9');
console.log(r, r && Object.keys(r), (r as any)?.index, (r as any)?.indices);
const all = [...re.matchAll('xx key = "abc123" yy key=zz9')];
console.log(all.map((m) => [m.index, m[0], m[1], (m as any).indices]));
