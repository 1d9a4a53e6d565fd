import fs from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testModelPath } from "../support/test-models.js";
import { jsonOf, oneLineError, runAiplus, temporaryHome } from "./run-aiplus.js";

let home: string;
let folder: string;

const definition = `# a researcher
name: researcher
model: stories
instructions: Look things up.
tools:
  - type: builtin
    name: memory
  - type: function
    name: lookup
    parameters: { type: object, properties: { topic: { type: string } } }
memory:
  blocks:
    - label: human
      limit_chars: 20
      initial_value: unknown
limits: { max_steps: 5 }
`;

beforeAll(async () => {
  home = temporaryHome();
  folder = fs.mkdtempSync(path.join(home, "files-"));
  expect((await runAiplus(["models", "add", await testModelPath("stories260K.gguf"), "--name", "stories"], { home })).code).toBe(0);
});

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

const write = (name: string, text: string) => {
  const file = path.join(folder, name);
  fs.writeFileSync(file, text);
  return file;
};

describe("aiplus agents", () => {
  it("creates, lists, shows, exports, imports (round trip) and removes agents", async () => {
    const created = await runAiplus(["agents", "create", write("researcher.yaml", definition)], { home });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created agent researcher \(agent_[0-9a-f]+\), version 1\n$/);

    const listed = await runAiplus(["agents", "ls"], { home });
    expect(listed.stdout).toMatch(/researcher\s+agent_[0-9a-f]+\s+local\s+1/);
    expect(jsonOf<Array<{ name: string; object: string; latest_version: number }>>(await runAiplus(["agents", "ls", "--json"], { home }))).toEqual([
      expect.objectContaining({ object: "agent", name: "researcher", latest_version: expect.any(Number), created_at: expect.any(Number) }),
    ]);

    const shown = await runAiplus(["agents", "show", "researcher"], { home });
    expect(shown.stdout).toContain("version 1 of 1");
    expect(parseYaml(shown.stdout)).toMatchObject({ name: "researcher", instructions: "Look things up.", limits: { max_steps: 5 } });

    // Export as JSON, edit, import: a new version; importing it again changes nothing.
    const exported = path.join(folder, "export.json");
    expect((await runAiplus(["agents", "export", "researcher", "--out", exported], { home })).stdout).toBe(`exported agent researcher version 1 to ${exported}\n`);
    const file = JSON.parse(fs.readFileSync(exported, "utf8")) as Record<string, unknown>;
    fs.writeFileSync(exported, JSON.stringify({ ...file, instructions: "Cite sources." }));
    expect((await runAiplus(["agents", "import", exported], { home })).stdout).toMatch(/^added a version to agent researcher \(agent_[0-9a-f]+\), version 2\n$/);
    expect((await runAiplus(["agents", "import", exported], { home })).stdout).toMatch(/^unchanged agent researcher .*version 2\n$/);
    expect(jsonOf(await runAiplus(["agents", "import", exported, "--json"], { home }))).toMatchObject({ object: "agent", name: "researcher", version: 2, latest_version: 2, import_outcome: "unchanged" });
    const version1 = jsonOf<{ version: number; definition: Record<string, unknown> }>(await runAiplus(["agents", "show", "researcher", "--agent-version", "1", "--json"], { home }));
    expect(version1).toMatchObject({ version: 1, definition: file });

    // A YAML export imports back to an equal definition; into a fresh state folder it creates the agent.
    const yaml = await runAiplus(["agents", "export", "researcher", "--format", "yaml"], { home });
    const other = temporaryHome();
    try {
      expect((await runAiplus(["models", "add", await testModelPath("stories260K.gguf"), "--name", "stories"], { home: other })).code).toBe(0);
      expect((await runAiplus(["agents", "import", write("copy.yaml", yaml.stdout)], { home: other })).stdout).toMatch(/^created agent researcher/);
      expect((await runAiplus(["agents", "export", "researcher", "--format", "yaml"], { home: other })).stdout).toBe(yaml.stdout);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }

    expect((await runAiplus(["agents", "rm", "researcher"], { home })).stdout).toMatch(/^removed agent researcher/);
    const gone = await runAiplus(["agents", "show", "researcher"], { home });
    expect(gone.code).not.toBe(0);
    expect(oneLineError(gone)).toBe("aiplus: No agent found with id or name 'researcher'.");
  }, 180_000);

  it("rejects bad files with one line naming the field", async () => {
    const cases: [string, RegExp][] = [
      [definition.replace("model: stories", "model: ghost"), /model 'ghost' does not exist/],
      [definition.replace("type: function", "type: webhook"), /tools\[1\]\.type/],
      [definition.replace("initial_value: unknown", `initial_value: "${"x".repeat(21)}"`), /memory\.blocks\[0\]\.initial_value.*limit_chars is 20/],
      [`${definition}handoffs: [researcher]\n`, /handoffs\[0\].*cannot hand off to itself/],
      [`${definition}colour: blue\n`, /Unrecognized agent definition field: colour/],
      ["name: [unclosed", /not valid YAML/],
    ];
    for (const [index, [text, message]] of cases.entries()) {
      const run = await runAiplus(["agents", "create", write(`bad-${index}.yaml`, text)], { home });
      expect(run.code).not.toBe(0);
      expect(oneLineError(run)).toMatch(message);
    }
    const missing = await runAiplus(["agents", "create", path.join(folder, "nope.yaml")], { home });
    expect(oneLineError(missing)).toMatch(/cannot read .*nope\.yaml: ENOENT/);
    const badVersion = await runAiplus(["agents", "show", "researcher", "--agent-version", "zero"], { home });
    expect(badVersion.code).not.toBe(0);
    oneLineError(badVersion);
  }, 180_000);
});
