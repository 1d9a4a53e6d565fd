/**
 * Prompt-injection heuristics. Every pattern is built-in JavaScript RegExp kept linear on purpose: it starts with a
 * literal alternation, has at most one bounded gap ([^…]{0,N}) and no nested quantifiers, so each start position
 * costs at most a bounded number of steps. Rules flag instructions aimed at the model inside data, not harmful topics.
 */
export type InjectionRule = {
  id: string;
  pattern: RegExp;
  score: number;
  /** Extra test on the matched text (kept out of the pattern to avoid a second gap). */
  accept?: (matched: string) => boolean;
};

const override = String.raw`(?:ignore|disregard|forget|skip|override|bypass|neglect|abandon)`;
const instructionNouns = String.raw`(?:instructions?|prompts?|rules|directions|directives|guidelines|guidance|context|commands?|constraints|policies|programming|orders|guardrails|restrictions)`;
const modelOutput = String.raw`(?:response|responses|answer|answers|reply|replies|output|outputs|completion|message|summary)`;
const priorWords = /\b(?:previous|prior|above|earlier|preceding|all|any|these|those|original|initial|system|developer|your|the|my|other)\b/i;

export const injectionRules: readonly InjectionRule[] = [
  {
    id: "ignore-instructions",
    pattern: new RegExp(String.raw`\b${override}\b[^.\n]{0,48}?\b${instructionNouns}\b`, "gi"),
    score: 0.9,
    accept: (matched) => priorWords.test(matched),
  },
  { id: "new-instructions", pattern: /\b(?:new|updated|real|actual|secret|hidden|additional|revised|important)\s(?:instructions?|task|directive|system prompt|orders)\s{0,3}[:\-!]/gi, score: 0.8 },
  { id: "role-switch", pattern: /\b(?:you are now|from now on,? you|you will now act|you must now act|you're now|act as if you have no|developer mode (?:enabled|activated|on)|do anything now)\b/gi, score: 0.8 },
  {
    id: "role-marker",
    pattern: /(?:^|\n)[ \t>#*]{0,6}(?:system|assistant|developer|user|human|ai)\s{0,2}(?::|>>)|<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?(?:system|instructions?|system_prompt)>|#{2,4}\s{0,2}(?:system|instruction|new instruction)s?\b|\bBEGIN (?:SYSTEM|NEW) (?:PROMPT|INSTRUCTIONS)\b/gi,
    score: 0.8,
  },
  { id: "output-manipulation", pattern: new RegExp(String.raw`\byour\s${modelOutput}(?:'s)?\b`, "gi"), score: 0.7 },
  { id: "instruction-to-model", pattern: /\b(?:(?:dear|hey|hello|hi|attention|note to(?: the)?|instructions? for(?: the)?)[,:]?\s(?:ai|assistant|chatbot|llm|language model|bot|agent|model)\b|(?:ai|assistant|chatbot|llm|agent)[,:]\s(?:please|you must|you should|ignore|now|always|never))/gi, score: 0.7 },
  { id: "prompt-leak", pattern: /\b(?:reveal|print|show|output|repeat|display|leak|disclose|dump|tell me)\b[^.\n]{0,32}?\b(?:system prompt|your (?:instructions|prompt|rules|guidelines|system message)|initial prompt|hidden prompt|prompt above|instructions above)\b/gi, score: 0.8 },
  { id: "conceal-from-user", pattern: /\b(?:do not|don't|never)\s(?:tell|inform|reveal (?:this |it )?to|mention (?:this |it )?to|let)\sthe user\b|\bwithout (?:telling|informing|alerting) the user\b/gi, score: 0.8 },
  {
    id: "exfiltration",
    pattern: /\b(?:send|post|upload|forward|transmit|exfiltrate|leak|e-?mail|submit|copy|paste|append)\b[^\n]{0,80}?(?:https?:\/\/|www\.|\b[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}\.[a-z]{2,})/gi,
    score: 0.75,
    accept: (matched) => /\b(?:to|at|into|via|on)\b/i.test(matched),
  },
  { id: "markdown-exfiltration", pattern: /!\[[^\]\n]{0,100}\]\(\s{0,2}https?:\/\/[^)\s]{1,200}[?&][^)\s=]{1,40}=/gi, score: 0.8 },
  { id: "tool-call-imperative", pattern: /\b(?:call|invoke|use|trigger|run|execute)\s(?:the\s|this\s|a\s)?(?:tool|function|plugin|shell|terminal|api|browser|command line)\b|\b(?:run|execute)\s(?:the following|this)\s(?:command|code|script|shell)\b|\bcurl\s[^\n|]{1,200}\|\s{0,2}(?:ba)?sh\b|\brm\s-rf\s\//gi, score: 0.7 },
  { id: "task-hijack", pattern: /\b(?:instead of (?:answering|responding|summari[sz]ing|following|doing)|stop (?:what you are doing|your current task)|your (?:new |real |actual )?(?:task|goal|job|objective) (?:is|now is) to)\b/gi, score: 0.75 },
];
