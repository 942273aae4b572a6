// The frameworks' own test files, vendored (vitest is their runner): `npm test` runs them after node's
// runner, against the same `mnemo serve` (MNEMO_TEST_URL), one file at a time.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["*.test.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
  },
});
