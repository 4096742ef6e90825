// ESLint for the TypeScript (npm run lint): typescript-eslint's type-aware recommended rules, which include the
// ones this project leans on most: no floating promises (a dropped promise in a provider method loses its error)
// and no unsafe `any` (wire shapes are typed, never `any`). Formatting is Prettier's, not ESLint's.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/", "bin/", "test-results/", "app/", "**/node_modules/", "bench/results/"],
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // Pulumi's dynamic-provider and engine interfaces take Promise-returning methods; `async` without `await`
      // keeps a thrown error a rejection, which is what the engine expects.
      "@typescript-eslint/require-await": "off",
      // A URLSearchParams in a template prints as its query string, which is what it is there for.
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allow: [{ from: "package", name: "URLSearchParams", package: "url" }] },
      ],
      // A closure may read a variable that is assigned once, later (a server's own origin, known once it listens).
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // `const { secret: _secret, ...rest } = x` is how a field is left out of a copy on purpose.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { ignoreRestSiblings: true, varsIgnorePattern: "^_", argsIgnorePattern: "^_" },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "local/**/*.ts", "bench/**/*.ts"],
    rules: {
      // Vitest's asymmetric matchers (expect.any, expect.objectContaining, …) are typed `any` by design, and so
      // are the engine's exported deployments; the rules against calling or reading through `any` stay on.
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { globals: { process: "readonly", require: "readonly", module: "writable" } },
  },
  {
    files: ["**/*.cjs", "**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
