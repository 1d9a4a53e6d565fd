/**
 * The console's sections in navigation order. `adminOnly` sections are hidden from user keys (the API refuses them
 * anyway: 403). Add a section here and its route in routes.tsx.
 */
export type Section = { path: string; label: string; adminOnly: boolean };

export const sections: Section[] = [
  { path: "/", label: "Dashboard", adminOnly: false },
  { path: "/playground", label: "Playground", adminOnly: false },
  { path: "/models", label: "Models", adminOnly: true },
  { path: "/providers", label: "Providers", adminOnly: true },
  { path: "/keys", label: "Keys", adminOnly: true },
  { path: "/guardrails", label: "Guardrails", adminOnly: true },
  { path: "/usage", label: "Usage", adminOnly: false },
  { path: "/evaluation", label: "Evaluation", adminOnly: false },
  { path: "/arena", label: "Arena", adminOnly: false },
  { path: "/safety", label: "Safety", adminOnly: false },
  { path: "/agents", label: "Agents", adminOnly: false },
  { path: "/knowledge", label: "Knowledge bases", adminOnly: false },
];
