/** `npm run schema`: regenerates schema/config.schema.json from the TypeBox source. */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderConfigSchema } from "./render-schema.js";

const target = fileURLToPath(new URL("../../schema/config.schema.json", import.meta.url));
writeFileSync(target, renderConfigSchema());
process.stdout.write(`wrote ${target}\n`);
