/**
 * The console's sections in navigation order. `adminOnly` sections are hidden from user keys (the API refuses them
 * anyway: 403). Add a section here and its route in routes.tsx.
 */
export type Section = { path: string; label: string; adminOnly: boolean };

export const sections: Section[] = [
  { path: "/", label: "Dashboard", adminOnly: false },
];
