/**
 * Reads the CPU profiles `bench -- --cpu-prof` and `bench:ab -- --prof DIR` write and says
 * where the busy time went, without a browser:
 *
 *   npx tsx test/bench/profile-summary.ts DIR/A [--top 30]
 *
 * Idle samples and samples under startup (module loading, config load and schema compile)
 * are left out, so the shares are of the time spent serving. Three tables: busy time by kind
 * (agw's own code, undici, Node's JavaScript, the garbage collector, native calls such as
 * `writev`); self time by function; and time by the nearest agw function on the stack (a
 * builtin such as `JSON.parse`, or Node and undici code called from agw, counts for the agw
 * function that called it), which is the view that says which of agw's steps costs what.
 * A file or a directory of `.cpuprofile` files; several are summed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "30" } },
});

const STARTUP = /loadConfig|Module\._load|module_job|esm\/loader|compileSourceTextModule/;
const OWN = "/dist/";

function files(paths: readonly string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith(".cpuprofile"))
          .map((f) => join(p, f))
      : [p],
  );
}

const short = (url: string): string =>
  url.replace(/^file:\/\//, "").replace(/.*\/(dist|node_modules)\//, "$1/");
const label = (cf: CallFrame): string =>
  `${cf.functionName || "(anonymous)"} ${short(cf.url)}:${cf.lineNumber + 1}`;

function kindOf(cf: CallFrame): string {
  if (cf.url.includes(OWN)) return "agw";
  if (cf.url.includes("undici")) return "undici";
  if (cf.url.startsWith("node:")) return "node (JavaScript)";
  if (cf.url === "") return cf.functionName || "(native)";
  return short(cf.url);
}

function add(m: Map<string, number>, k: string, n: number): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

function main(): void {
  const list = files(positionals);
  if (list.length === 0) throw new Error("give a .cpuprofile file or a directory holding some");
  const kinds = new Map<string, number>();
  const self = new Map<string, number>();
  const nearest = new Map<string, number>();
  let busy = 0;
  for (const file of list) {
    const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const counts = new Map<number, number>();
    for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const [id, n] of counts) {
      const leaf = byId.get(id);
      if (leaf === undefined || leaf.callFrame.functionName === "(idle)") continue;
      let own: string | undefined;
      let startup = false;
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const cf = byId.get(cur)?.callFrame;
        if (cf === undefined) break;
        if (STARTUP.test(cf.functionName + cf.url)) startup = true;
        if (own === undefined && cf.url.includes(OWN)) own = label(cf);
      }
      if (startup) continue;
      busy += n;
      add(kinds, kindOf(leaf.callFrame), n);
      add(self, label(leaf.callFrame), n);
      add(nearest, own ?? "(no agw frame)", n);
    }
  }
  const top = Number(values.top);
  const table = (title: string, m: Map<string, number>): string =>
    `${title}\n${[...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, n]) => `${((100 * n) / busy).toFixed(1).padStart(6)}%  ${k}`)
      .join("\n")}\n`;
  process.stdout.write(
    `${list.length} profile(s), ${busy} busy samples (idle and startup left out)\n\n` +
      `${table("by kind", kinds)}\n${table("self time", self)}\n${table("by nearest agw function", nearest)}`,
  );
}

main();
