import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonOf, runAiplus, temporaryHome } from "./run-aiplus.js";

type PublicKey = { id: string; name: string; is_admin: boolean; allow_code_execution: boolean };

let home: string;

beforeAll(() => {
  home = temporaryHome();
});
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

describe("aiplus keys create --allow-code-execution", () => {
  it("grants code execution only when asked, and shows it in keys ls", async () => {
    const granted = await runAiplus(["keys", "create", "--name", "coder", "--allow-code-execution", "--json"], { home });
    expect(granted.code, granted.stderr).toBe(0);
    expect(jsonOf<PublicKey>(granted)).toMatchObject({ name: "coder", is_admin: false, allow_code_execution: true });
    const plain = await runAiplus(["keys", "create", "--name", "reader", "--json"], { home });
    expect(jsonOf<PublicKey>(plain)).toMatchObject({ name: "reader", allow_code_execution: false });
    const listed = jsonOf<PublicKey[]>(await runAiplus(["keys", "ls", "--json"], { home }));
    expect(Object.fromEntries(listed.map((key) => [key.name, key.allow_code_execution]))).toMatchObject({ coder: true, reader: false });
  });
});
