// The shipped workflow templates as text, compiled into the program (and the bundled CLI): no files are read at run time.
// Each is the YAML a user would write; `aiplus workflows show` prints the same form.

/** YAML text of each shipped template, by name. */
export const workflowTemplateTexts = {
  "chaining": `# Prompt chaining: each step works on the previous step's output.
name: chaining
description: Outline a topic, then write it up from the outline, then polish the draft.
inputs:
  topic: { type: string, description: what to write about }
  model: { type: string, description: the model every step uses }
steps:
  - id: outline
    type: llm
    model: "{{inputs.model}}"
    prompt: "Write a three-point outline about {{inputs.topic}}."
    next: draft
  - id: draft
    type: llm
    model: "{{inputs.model}}"
    prompt: "Write a short paragraph from this outline:\\n{{steps.outline.output}}"
    next: polish
  - id: polish
    type: llm
    model: "{{inputs.model}}"
    prompt: "Polish this paragraph:\\n{{steps.draft.output}}"
`,
  "routing": `# Routing: classify the input, then hand it to the specialised step for its class.
name: routing
description: Classify a customer message and answer it with the matching specialist prompt.
inputs:
  message: { type: string }
  model: { type: string }
steps:
  - id: classify
    type: llm
    model: "{{inputs.model}}"
    prompt: "Classify this message as billing, technical or other. Answer with one word.\\n{{inputs.message}}"
  - id: route
    type: condition
    cases:
      - when: "steps.classify.output == 'billing'"
        next: billing
      - when: "steps.classify.output == 'technical'"
        next: technical
    default: general
  - id: billing
    type: llm
    model: "{{inputs.model}}"
    prompt: "As a billing specialist, answer: {{inputs.message}}"
  - id: technical
    type: llm
    model: "{{inputs.model}}"
    prompt: "As a support engineer, answer: {{inputs.message}}"
  - id: general
    type: llm
    model: "{{inputs.model}}"
    prompt: "Answer politely: {{inputs.message}}"
  - id: answer
    type: code
    depends_on: [billing, technical, general]
    source: |
      import json, sys
      steps = json.load(sys.stdin)["steps"]
      print(json.dumps(next(steps[k] for k in ("billing", "technical", "general") if steps.get(k) is not None)))
`,
  "parallelization": `# Parallelization (sectioning / voting): independent calls at once, then an aggregate.
name: parallelization
description: Review a text for three concerns at once, then summarise the reviews.
inputs:
  text: { type: string }
  model: { type: string }
steps:
  - id: reviews
    type: parallel
    branches: [clarity, accuracy, tone]
    next: summary
  - id: clarity
    type: llm
    model: "{{inputs.model}}"
    prompt: "Review the clarity of: {{inputs.text}}"
  - id: accuracy
    type: llm
    model: "{{inputs.model}}"
    prompt: "Review the accuracy of: {{inputs.text}}"
  - id: tone
    type: llm
    model: "{{inputs.model}}"
    prompt: "Review the tone of: {{inputs.text}}"
  - id: summary
    type: llm
    model: "{{inputs.model}}"
    prompt: "Summarise these reviews: {{steps.reviews.output}}"
`,
  "orchestrator-workers": `# Orchestrator-workers: a model plans subtasks (a JSON list), workers do each, a model synthesises.
name: orchestrator-workers
description: Plan subtasks for a task, run a worker per subtask, and combine their results.
inputs:
  task: { type: string }
  model: { type: string }
steps:
  - id: plan
    type: llm
    model: "{{inputs.model}}"
    prompt: "Split this task into subtasks: {{inputs.task}}"
    text:
      format:
        type: json_schema
        name: plan
        schema:
          type: object
          properties: { subtasks: { type: array, items: { type: string } } }
          required: [subtasks]
  - id: workers
    type: map
    over: "{{steps.plan.output.subtasks}}"
    max_concurrency: 4
    step:
      type: llm
      model: "{{inputs.model}}"
      prompt: "Do this subtask: {{item}}"
  - id: synthesise
    type: llm
    model: "{{inputs.model}}"
    prompt: "Combine these results for '{{inputs.task}}': {{steps.workers.output}}"
`,
  "evaluator-optimizer": `# Evaluator-optimizer: generate, evaluate against criteria, revise once with the feedback when it does not pass.
name: evaluator-optimizer
description: Draft an answer, have an evaluator grade it, and revise it with the feedback if it failed.
inputs:
  question: { type: string }
  model: { type: string }
steps:
  - id: draft
    type: llm
    model: "{{inputs.model}}"
    prompt: "Answer: {{inputs.question}}"
  - id: evaluate
    type: llm
    model: "{{inputs.model}}"
    prompt: "Grade this answer to '{{inputs.question}}'. Reply with JSON {\\"pass\\": boolean, \\"feedback\\": string}.\\n{{steps.draft.output}}"
    text:
      format:
        type: json_schema
        name: grade
        schema:
          type: object
          properties: { pass: { type: boolean }, feedback: { type: string } }
          required: [pass, feedback]
  - id: check
    type: condition
    cases:
      - when: "steps.evaluate.output.pass == true"
        next: accept
    default: revise
  - id: accept
    type: code
    source: |
      import json, sys
      print(json.dumps(json.load(sys.stdin)["steps"]["draft"]))
  - id: revise
    type: llm
    model: "{{inputs.model}}"
    prompt: "Improve this answer using the feedback.\\nAnswer: {{steps.draft.output}}\\nFeedback: {{steps.evaluate.output.feedback}}"
  - id: final
    type: code
    depends_on: [accept, revise]
    source: |
      import json, sys
      steps = json.load(sys.stdin)["steps"]
      print(json.dumps(steps.get("revise") if steps.get("revise") is not None else steps["accept"]))
`,
} as const;
