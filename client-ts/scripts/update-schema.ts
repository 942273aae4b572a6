// After an API change: start `mnemo serve` (as the tests do), save the schema it serves to
// openapi.json and regenerate src/schema.ts from it (`npm run update-schema`).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { startMnemo } from "../test/server.js";

const root = resolve(import.meta.dirname, "..");
const served = await startMnemo();
try {
  const schema: unknown = await (await fetch(`${served.url}/schema/openapi.json`)).json();
  writeFileSync(join(root, "openapi.json"), `${JSON.stringify(schema, null, 2)}\n`);
} finally {
  await served.stop();
}
execFileSync("npm", ["run", "generate"], { cwd: root, stdio: "inherit" });
