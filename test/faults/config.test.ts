/**
 * Config faults. Fuzz: random mutations of every example file (keys deleted, values changed to
 * other types or random strings, the text truncated or spliced) go through loadConfigText,
 * which must never throw and must locate every diagnostic at line ≥ 1, col ≥ 1. Storm: a
 * watched file rewritten many times, valid and invalid alternately, while requests flow: no
 * crash, every answer from one config entirely, and at the end the last valid file serves and
 * the sync status matches the last write.
 */
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { compileConfig } from "../../src/config/compile.js";
import { loadConfigFile, loadConfigText } from "../../src/config/load.js";
import { type ConfigWatcher, watchConfig } from "../../src/process/watch.js";
import { type Gateway, startGateway } from "../../src/server/gateway.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { captureLogs, freePort, type LogCapture } from "../server/engine-helpers.js";
import { post, until } from "./harness.js";

const EXAMPLES = join(import.meta.dirname, "../../examples");
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml"));
const texts = files.map((f) => ({ name: f, text: readFileSync(join(EXAMPLES, f), "utf8") }));

/** The variables the examples need (as test/examples.test.ts gives them). */
const env: Record<string, string> = {
  OPENAI_API_KEY: "test-openai",
  ANTHROPIC_API_KEY: "test-anthropic",
  MANAGED_OPENAI_KEY: "test-managed",
  AGW_TEAM_KEY: "test-team",
  AZURE_OPENAI_API_KEY: "test-azure",
};

type Json = unknown;
type Path = Array<string | number>;

function paths(v: Json, at: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) paths(v[i], [...at, i], out);
  } else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v as Record<string, Json>)) paths(x, [...at, k], out);
  if (at.length > 0) out.push(at);
  return out;
}

function mutateAt(root: Json, path: Path, op: "delete" | "set", value?: Json): void {
  let cur = root as Record<string | number, Json>;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (op === "delete") {
    if (Array.isArray(cur)) cur.splice(last as number, 1);
    else delete cur[last];
  } else cur[last] = value;
}

const oddValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  fc.constantFrom("$UNDEFINED_VAR", "${X:-", "env::NOPE", "1ms", "-1s", "9999999999", "*", "::", "$$"),
);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("set" as const), pick: fc.nat(), value: oddValue }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant("splice" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    text: fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom(":", "\n  - ", "\t", "{", "]", "&a", "*a", "---\n"),
    ),
  }),
);

function apply(text: string, muts: Array<typeof mutation extends fc.Arbitrary<infer T> ? T : never>): string {
  let t = text;
  for (const m of muts) {
    if (m.kind === "truncate") t = t.slice(0, Math.floor(t.length * m.at));
    else if (m.kind === "splice") {
      const i = Math.floor(t.length * m.at);
      t = t.slice(0, i) + m.text + t.slice(i);
    } else {
      let doc: Json;
      try {
        doc = parse(t) as Json;
      } catch {
        continue;
      }
      const all = paths(doc);
      if (all.length === 0) continue;
      const path = all[m.pick % all.length]!;
      if (m.kind === "delete") mutateAt(doc, path, "delete");
      else mutateAt(doc, path, "set", m.value);
      t = stringify(doc);
    }
  }
  return t;
}

describe("fuzzed config files", () => {
  it("loadConfigText never throws and locates every diagnostic", () => {
    expect(files.length).toBeGreaterThan(3);
    let invalid = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        ({ name, text }, muts) => {
          const mutated = apply(text, muts);
          const r = loadConfigText(mutated, { file: name, env });
          const all = r.ok ? r.warnings : [...r.errors, ...r.warnings];
          if (!r.ok) {
            invalid++;
            expect(r.errors.length).toBeGreaterThan(0);
          }
          for (const d of all) {
            expect(d.line, `${name}: ${d.message}`).toBeGreaterThanOrEqual(1);
            expect(d.col, `${name}: ${d.message}`).toBeGreaterThanOrEqual(1);
            expect(d.message).not.toBe("");
          }
        },
      ),
      { numRuns: 400, seed: 20261122 },
    );
    // The mutations do produce broken files (the property is not vacuous).
    expect(invalid).toBeGreaterThan(100);
  });

  it("every example itself loads (the fuzz starts from valid files)", () => {
    for (const { name, text } of texts) {
      const r = loadConfigText(text, { file: name, env });
      expect(r.ok, name).toBe(true);
    }
  });
});

describe("reload storm", () => {
  let dir: string;
  let file: string;
  let mock: MockUpstream;
  let gateway: Gateway;
  let watcher: ConfigWatcher;
  let logs: LogCapture;
  let port: number;

  const valid = (n: number) => `
llm:
  port: ${port}
  address: 127.0.0.1
  models:
    - name: "*"
      provider: openAI
      params: { baseUrl: "${mock.url}/v1", model: "v-${n}" }
  policies:
    responseHeaderModifier:
      set: { x-cfg: "${n}" }
`;
  const invalid = (n: number) =>
    [
      `llm:\n  port: ${port}\n  models: [oops\n`,
      `llm:\n  port: "not a port ${n}"\n`,
      `llm:\n  port: ${port}\n  unknownKey: ${n}\n`,
      `llm:\n  port: ${port}\n  models:\n    - name: "*"\n      provider: openAI\n      params: { apiKey: "$UNSET_${n}" }\n`,
    ][(n >> 1) % 4]!;

  /** Editors save atomically: write a temporary file, rename it over the config. */
  async function save(text: string, n: number): Promise<void> {
    const tmp = join(dir, `.agw.yaml.${n}.tmp`);
    await writeFile(tmp, text);
    await rename(tmp, file);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "agw-storm-"));
    file = join(dir, "agw.yaml");
    mock = await startMockUpstream();
    port = await freePort();
    await writeFile(file, valid(0));
    const loaded = await loadConfigFile(file, {});
    if (!loaded.ok) throw new Error("the first file must load");
    logs = captureLogs();
    gateway = await startGateway({ runtime: compileConfig(loaded.config, { env: {} }), logger: logs.logger });
    watcher = await watchConfig({ file, env: {}, gateway, logger: logs.logger, watch: true, debounceMs: 5 });
  });
  afterAll(async () => {
    await watcher.close();
    await gateway.drain(500);
    await mock.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function ask(): Promise<{ header: string | null; model: string }> {
    const r = await post(
      `http://127.0.0.1:${port}`,
      "/v1/chat/completions",
      JSON.stringify({ model: "anything", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(r.status, r.text).toBe(200);
    const body = JSON.parse(r.text) as { model: string };
    return { header: r.headers.get("x-cfg"), model: body.model };
  }

  it("never crashes, never serves half a config, and ends on the last valid file", async () => {
    const WRITES = 40;
    let stop = false;
    const seen = new Set<string>();
    const mismatches: string[] = [];
    const traffic = (async () => {
      let n = 0;
      while (!stop && n < 2000) {
        n++;
        const a = await ask();
        seen.add(a.header ?? "none");
        if (a.model !== `v-${a.header}`) mismatches.push(`${a.header} vs ${a.model}`);
      }
      return n;
    })();

    let lastValid = 0;
    for (let i = 1; i <= WRITES; i++) {
      if (i % 2 === 0) {
        await save(valid(i), i);
        lastValid = i;
      } else await save(invalid(i), i);
      await new Promise((r) => setTimeout(r, 8 + (i % 5) * 6));
    }
    // End on a valid file, and let the watcher settle on it.
    await until(() => watcher.status().synchronized, 3000, "synchronized after the last valid write").catch(
      (e: unknown) => {
        console.log(
          logs.lines
            .filter((l) => l.msg !== "request")
            .map((l) => `${l.level} ${l.time} ${String(l.msg)}`)
            .join("\n"),
        );
        console.log("STATUS", Date.now(), JSON.stringify(watcher.status()));
        throw e;
      },
    );
    await until(() => seen.has(String(lastValid)), 3000, "the last valid file serving");
    stop = true;
    const requests = await traffic;
    expect(requests).toBeGreaterThan(20);
    expect(mismatches).toEqual([]);
    // More than the first config served: the storm did swap snapshots under traffic.
    expect(seen.size).toBeGreaterThan(1);
    const final = await ask();
    expect(final.header).toBe(String(lastValid));
    expect(final.model).toBe(`v-${lastValid}`);
    expect(watcher.status().synchronized).toBe(true);
    expect(watcher.status().errors).toEqual([]);
    expect(gateway.inFlight()).toBe(0);

    // A last invalid write: out of sync, the last valid config still serving.
    await save(invalid(1), 999);
    await until(() => !watcher.status().synchronized, 3000, "out of sync after an invalid write").catch(
      (e: unknown) => {
        console.log(
          logs.lines
            .filter((l) => l.msg !== "request")
            .map((l) => `${l.level} ${l.time} ${String(l.msg)}`)
            .join("\n"),
        );
        console.log("STATUS", Date.now(), JSON.stringify(watcher.status()));
        throw e;
      },
    );
    expect(watcher.status().errors.length).toBeGreaterThan(0);
    const still = await ask();
    expect(still.header).toBe(String(lastValid));
    expect(logs.lines.some((l) => String(l.msg).startsWith("config reload failed"))).toBe(true);
  });
});
