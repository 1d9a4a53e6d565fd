import { gbnfJsonLiteral, GbnfRuleSet } from "./gbnf-rule-set.js";
import { JsonSchemaGbnf } from "./json-schema-gbnf.js";

/** A tool as the grammar sees it: its name exactly as the model must write it, and the JSON Schema of its arguments. */
export type GrammarTool = { name: string; parameters: unknown };

/**
 * The GBNF grammar of one tool call in aiplus's wire format, `{"name": <tool>, "arguments": <object>}`, where the
 * arguments follow the parameters schema of the named tool (one alternative per tool). Throws InvalidRequestError
 * (the message names the tool and the schema path) when a parameters schema cannot be turned into a grammar.
 */
export function toolCallGbnf(tools: readonly GrammarTool[]): string {
  const rules = new GbnfRuleSet();
  const ws = rules.primitive("ws");
  const calls = tools.map((tool) => {
    let argumentsExpression: string;
    try {
      argumentsExpression = new JsonSchemaGbnf(rules, tool.parameters).expression();
    } catch (error) {
      (error as Error).message = `tool "${tool.name}": ${(error as Error).message}`;
      throw error;
    }
    return rules.add(`call-${tool.name}`, `${gbnfJsonLiteral(tool.name)} ${ws} "," ${ws} "\\"arguments\\"" ${ws} ":" ${ws} ${argumentsExpression} ${ws} "}"`);
  });
  return rules.toGrammar(`"{" ${ws} "\\"name\\"" ${ws} ":" ${ws} ( ${[...new Set(calls)].join(" | ")} )`);
}
