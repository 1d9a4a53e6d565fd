export { gbnfJsonLiteral, gbnfLiteral } from "./gbnf-rule-set.js";
export { jsonSchemaGbnf } from "./json-schema-gbnf.js";
export { toolCallGbnf, type GrammarTool } from "./tool-call-gbnf.js";
