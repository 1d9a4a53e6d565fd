// Lint with type information: `npm run lint`. Every TypeScript file of the server (src/), its tests (test/, e2e/),
// the benchmarks (bench/) and the console (web/src) is checked against its own tsconfig (the project service picks
// tsconfig.json, or web/tsconfig.json for the console).
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  globalIgnores(["dist/", "web/dist/", "node_modules/", "test-results/", "playwright-report/", "**/.*"]),
  {
    files: ["src/**/*.ts", "test/**/*.ts", "bench/**/*.ts", "e2e/**/*.ts", "web/src/**/*.{ts,tsx}", "*.config.ts", "web/*.config.ts"],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // The rules that find real bugs: promises nobody awaits or that are passed where a callback's result is ignored,
      // awaiting what is not a promise, a switch that misses a case of a union, casts that change nothing.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false }],
      "@typescript-eslint/no-unnecessary-type-assertion": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
      // Off: async implementations of promise-returning interfaces are `async` so that a synchronous throw becomes a rejection.
      "@typescript-eslint/require-await": "off",
      // Off: the house style spells optional parameters `x?: T | undefined` (like optional properties); that is all it reports.
      "@typescript-eslint/no-duplicate-type-constituents": "off",
      // Off: its findings are re-throws of a caught `unknown` narrowed by `!== undefined` (typed `{}`); literals are caught below.
      "@typescript-eslint/only-throw-error": "off",
      "no-throw-literal": "error",
      // Abort reasons are `any` (AbortSignal.reason): rejecting with them passes the caller's own reason on.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingAny: true, allowThrowingUnknown: true }],
      // Off: the regexes with control characters are deliberate (parsers and tokenizers that strip or refuse them).
      "no-control-regex": "off",
    },
  },
  {
    files: ["test/**/*.ts", "e2e/**/*.ts"],
    rules: {
      // Off in tests: they read HTTP answers as untyped JSON and assert on them; the assertions are the type check.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
);
