// npm runs `prepare` after `npm ci` here, before `npm pack`, and when a user installs this folder from
// a clone (`npm install path/to/client-ts`). In that last case npm runs it without the package's
// devDependencies, so the first build installs them from the lockfile here, without scripts (which
// would run this one again); a linked folder also finds its dependency and the adapters' peers there.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";

const here = resolve(import.meta.dirname, "..");
const tsc = join(here, "node_modules", ".bin", "tsc");
const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ["npm"];
const run = (command, args) => execFileSync(command, args, { cwd: here, stdio: ["ignore", 2, 2] });

if (!existsSync(tsc)) {
  process.stderr.write(`mnemo-client: installing its build tools (npm ci) to build dist/ in ${here}\n`);
  const [command, ...before] = npm;
  run(command, [...before, "ci", "--include=dev", "--ignore-scripts", "--no-audit", "--no-fund"]);
}
run(tsc, ["-p", "tsconfig.build.json"]);
