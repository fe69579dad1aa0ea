import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CliIo, main } from "../src/cli.js";
import { renderConfigSchema } from "../src/config/render-schema.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    readStdin: async () => opts.stdin ?? "",
    env: opts.env ?? {},
  };
  const code = await main(["node", "agw", ...args], io);
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "agw-cli-"));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const VALID = `llm:
  port: 4100
  models:
    - name: "*"
      provider: mock
`;
const INVALID = `llm:
  prot: 4100
  models:
    - name: "*"
      provider: mock
      passthrough: opaq
`;

describe("agw validate", () => {
  it("exits 0 with a one-line summary for a valid file", async () => {
    const path = file("valid.yaml", VALID);
    const r = await run(["validate", "-f", path]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toBe(
      `${path}: valid: llm on port 4100, 0 providers, 1 model binding, 0 targets, 0 routes, 0 functions\n`,
    );
  });

  it("exits 1 and prints every located error", async () => {
    const path = file("invalid.yaml", INVALID);
    const r = await run(["validate", "-f", path]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    const lines = r.err.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(`^${path}:2:3: llm: unknown key "prot" \\(did you mean "port"\\?\\)`),
    );
    expect(lines[1]).toMatch(new RegExp(`^${path}:6:20: llm\\.models\\[0\\]\\.passthrough: .*opaque`));
    expect(lines[2]).toBe(`${path}: invalid (2 errors)`);
  });

  it("--validate-only is an alias", async () => {
    const path = file("valid2.yaml", VALID);
    const r = await run(["--validate-only", "-f", path]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/: valid: /);
    const bad = await run(["--validate-only", "-f", file("invalid2.yaml", INVALID)]);
    expect(bad.code).toBe(1);
  });

  it("reads standard input with -f -", async () => {
    const ok = await run(["validate", "-f", "-"], { stdin: VALID });
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^<stdin>: valid: /);
    const bad = await run(["validate", "-f", "-"], { stdin: INVALID });
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^<stdin>:2:3: llm: unknown key "prot"/);
  });

  it("reports a missing file as a located error, not a crash", async () => {
    const path = join(dir, "nope.yaml");
    const r = await run(["validate", "-f", path]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^${path}:1:1: `));
    expect(r.err).toMatch(/ENOENT|no such file/i);
  });

  it("never prints a value that came from the environment", async () => {
    const path = file(
      "secret.yaml",
      `config:\n  adminAddr: "$ADMIN"\nllm:\n  models: [{ name: "*", provider: mock }]\n`,
    );
    const r = await run(["validate", "-f", path], { env: { ADMIN: "sk-live-SECRET-VALUE" } });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/config\.adminAddr/);
    expect(r.err).not.toContain("SECRET");
  });
});

describe("agw schema, --version, --help, usage", () => {
  it("prints the JSON Schema", async () => {
    const r = await run(["schema"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(renderConfigSchema());
    expect(JSON.parse(r.out).$schema).toBe("http://json-schema.org/draft-07/schema#");
  });

  it("prints the version", async () => {
    const r = await run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("prints help listing every command", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    for (const word of ["validate", "schema", "-f, --file", "--validate-only", "--no-watch"]) {
      expect(r.out).toContain(word);
    }
  });

  it("exits 2 on a usage error", async () => {
    expect((await run(["--bogus"])).code).toBe(2);
    expect((await run([])).code).toBe(2);
    expect((await run(["validate"])).code).toBe(2);
  });
});
