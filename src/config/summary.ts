import type { Config } from "./schema.js";

const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** One line describing what a valid configuration serves, for `agw validate`. */
export function summarizeConfig(config: Config): string {
  const parts: string[] = [];
  const binds = config.binds ?? [];
  if (binds.length > 0) {
    const routes = binds.reduce((n, b) => n + b.listeners.reduce((m, l) => m + l.routes.length, 0), 0);
    parts.push(
      `${count(binds.length, "bind")} (port${binds.length === 1 ? "" : "s"} ${binds.map((b) => b.port).join(", ")}), ${count(routes, "route")}`,
    );
  }
  const llm = config.llm;
  if (llm !== undefined) {
    parts.push(
      [
        `llm on port ${llm.port ?? 4000}`,
        count(llm.providers?.length ?? 0, "provider"),
        count(llm.models?.length ?? 0, "model binding"),
        count(llm.targets?.length ?? 0, "target"),
        count(llm.routes?.length ?? 0, "route"),
        count(llm.functions?.length ?? 0, "function"),
      ].join(", "),
    );
  }
  return parts.join("; ");
}
