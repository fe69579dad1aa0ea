// Regenerates the golden files from fixture-inputs.mjs with the current converters:
//   npx tsx test/llm/formats/regen-fixtures.mjs
// Review every diff by eye before committing: the goldens are the spec, not a snapshot to accept.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtures as base } from "./fixture-inputs.mjs";
import { fidelityFixtures } from "./fixture-inputs-fidelity.mjs";
import { runFixture } from "./run-fixture.ts";

const dir = join(import.meta.dirname, "fixtures");
const fixtures = [...base, ...fidelityFixtures];
const done = new Map();
for (const f of fixtures) {
  if (typeof f.input === "string" && f.input.startsWith("FROM:"))
    f.input = done.get(f.input.slice(5)).expected;
  f.options = { now: 1700000000000, ...(f.options ?? {}) };
  const r = runFixture({ ...f, expected: undefined });
  const fx = { ...f, expected: r.output };
  if (r.dropped.length) fx.dropped = r.dropped;
  if (r.unsupported.length) fx.unsupported = r.unsupported;
  done.set(f.name, fx);
  writeFileSync(join(dir, `${f.name}.json`), `${JSON.stringify(fx, null, 2)}\n`);
}
console.log(`wrote ${done.size} fixtures`);
