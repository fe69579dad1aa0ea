/**
 * How a value appears in a message. Text that came from the environment, and credentials
 * written in the file, are never printed: they are named by where they came from instead.
 */
import type { Node } from "yaml";
import { redactUrlValue } from "../http/url-credentials.js";
import type { Locator, Path } from "./locate.js";
import { isSecretPath } from "./secret-paths.js";

export class ValueText {
  readonly #locator: Locator;
  readonly #fromEnv: WeakMap<Node, readonly string[]>;

  constructor(locator: Locator, fromEnv: WeakMap<Node, readonly string[]>) {
    this.#locator = locator;
    this.#fromEnv = fromEnv;
  }

  /** The variables whose values make up the value at `path`, if any. */
  envSources(path: Path): readonly string[] | undefined {
    const node = this.#locator.node(path);
    return node === undefined ? undefined : this.#fromEnv.get(node);
  }

  /** Whether the value at `path` may be shown in a message. */
  printable(path: Path): boolean {
    return this.envSources(path) === undefined && !isSecretPath(path);
  }

  /** `"gpt-4o"`, `3`, or `the value from ${X}` / `the value` when it must not be shown. */
  show(path: Path, value: unknown): string {
    const sources = this.envSources(path);
    if (sources !== undefined) return `the value from ${sources.map((n) => `\${${n}}`).join(" and ")}`;
    if (isSecretPath(path)) return "the value";
    return literal(value);
  }

  /** Like show() but with an article for kinds: `the string "x"`, `a list`, `nothing`. */
  found(path: Path, value: unknown): string {
    if (value === null || value === undefined) return "nothing (the value is empty)";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "a mapping";
    if (this.envSources(path) !== undefined) return this.show(path, value);
    if (isSecretPath(path)) return typeof value === "string" ? "a string" : `a ${typeof value}`;
    if (typeof value === "string") return `the string ${literal(value)}`;
    if (typeof value === "number") return `the number ${literal(value)}`;
    return literal(value);
  }
}

export function literal(value: unknown): string {
  // A URL's userinfo and secret query values are not shown (url-credentials.ts).
  if (typeof value === "string") return JSON.stringify(redactUrlValue(value));
  if (value === undefined) return "nothing";
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json;
}
