// Lints client-ts and, run from there with `-c`, examples/typescript.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // test/vendor/*.test.ts: the frameworks' own test files, vendored as upstream wrote them.
  { ignores: ["dist/", "node_modules/", "doc-blocks/", "src/schema.ts", "test/vendor/*.test.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
);
