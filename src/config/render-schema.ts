import { configJsonSchema } from "./schema.js";

/** The committed text of schema/config.schema.json: stable key order, two-space indent. */
export function renderConfigSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
