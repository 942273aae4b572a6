// The examples import `mnemo-client` as a user would: link it (the built package) and the packages
// installed here where node and tsc look from examples/typescript, with no second install.
import { existsSync, lstatSync, symlinkSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const here = resolve(import.meta.dirname, "..");
const links = [
  [join(here, "node_modules", "mnemo-client"), here],
  [join(here, "..", "examples", "typescript", "node_modules"), join(here, "node_modules")],
];
for (const [link, target] of links) {
  if (lstatSync(link, { throwIfNoEntry: false })) continue;
  if (!existsSync(target)) throw new Error(`${target} is missing: run npm ci first`);
  symlinkSync(relative(dirname(link), target), link, "dir");
}
