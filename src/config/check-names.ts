/** Names and ports that must be unique, and the two forms (binds, llm) fitting together. */
import { type CheckContext, policySites } from "./check-context.js";
import type { PathSegment } from "./locate.js";
import type { Config } from "./schema.js";

/** The llm form's port when the file does not give one. */
export const DEFAULT_LLM_PORT = 4000;

/**
 * Reports each name seen before in `items` (at the later one's value), naming the first one's
 * line. Items without a name are skipped.
 */
export function reportDuplicates(
  items: ReadonlyArray<{ name?: string | number | undefined }>,
  what: string,
  pathOf: (i: number) => PathSegment[],
  ctx: CheckContext,
  key = "name",
  message = (shown: string, line: number) => `${what} ${shown} is already defined at line ${line}`,
): void {
  const first = new Map<string | number, number>();
  items.forEach((item, i) => {
    const name = item.name;
    if (name === undefined) return;
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, i);
      return;
    }
    const line = ctx.errors.lineOf([...pathOf(earlier), key]);
    const shown = typeof name === "string" ? `"${name}"` : String(name);
    ctx.errors.report([...pathOf(i), key], "value", message(shown, line));
  });
}

export function checkNames(config: Config, ctx: CheckContext): void {
  const binds = config.binds ?? [];
  if (binds.length === 0 && config.llm === undefined) {
    ctx.errors.report([], "key", "nothing to serve: add binds or llm");
  }

  const ports = binds.map((b) => ({ name: b.port }));
  reportDuplicates(
    ports,
    "port",
    (i) => ["binds", i],
    ctx,
    "port",
    (shown, line) => `port ${shown} is already used by another bind at line ${line}`,
  );
  binds.forEach((bind, b) => {
    reportDuplicates(bind.listeners, "listener", (l) => ["binds", b, "listeners", l], ctx);
    bind.listeners.forEach((listener, l) => {
      reportDuplicates(listener.routes, "route", (r) => ["binds", b, "listeners", l, "routes", r], ctx);
    });
  });

  for (const { policies, path } of policySites(config)) {
    const keys = policies.apiKey?.keys ?? [];
    reportDuplicates(keys, "gateway key", (i) => [...path, "apiKey", "keys", i], ctx);
  }

  const llm = config.llm;
  if (llm === undefined) return;
  reportDuplicates(llm.providers ?? [], "provider", (i) => ["llm", "providers", i], ctx);
  reportDuplicates(llm.targets ?? [], "target", (i) => ["llm", "targets", i], ctx);
  reportDuplicates(llm.routes ?? [], "route", (i) => ["llm", "routes", i], ctx);
  reportDuplicates(llm.functions ?? [], "function", (i) => ["llm", "functions", i], ctx);

  const port = llm.port ?? DEFAULT_LLM_PORT;
  const clash = binds.findIndex((b) => b.port === port);
  if (clash >= 0) {
    const line = ctx.errors.lineOf(["binds", clash, "port"]);
    const where: PathSegment[] = llm.port === undefined ? ["llm"] : ["llm", "port"];
    const implied =
      llm.port === undefined ? ` (llm listens on ${DEFAULT_LLM_PORT} when port is not given)` : "";
    ctx.errors.report(
      where,
      llm.port === undefined ? "key" : "value",
      `port ${port} is also used by binds[${clash}] at line ${line}${implied}; give llm a port of its own`,
    );
  }
}
