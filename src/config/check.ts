import type { Env } from "./expand.js";
import type { Reporter } from "./locate.js";
import type { Config } from "./schema.js";
import type { ValueText } from "./value-text.js";

export interface CheckContext {
  errors: Reporter;
  warnings: Reporter;
  values: ValueText;
  env: Env;
}

export function checkConfig(config: Config, ctx: CheckContext): void {
  void config;
  void ctx;
}
