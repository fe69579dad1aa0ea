// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tests are about ${VAR} text in YAML and messages
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/config/diagnostic.js";
import { loadConfigFile } from "../../src/config/load.js";
import { errorsOf, yaml } from "./run.js";

describe("YAML stage", () => {
  it("reports a syntax error at its own line and column", () => {
    expect(errorsOf(yaml("llm:", "  port: 4000", "  models: a: b"))).toEqual([
      "agw.yaml:3:11: llm.models.a: YAML: nested mappings are not allowed in compact mappings",
    ]);
  });

  it("reports a duplicate key at the second occurrence, naming the first line", () => {
    expect(errorsOf(yaml("llm:", "  port: 4000", "  providers: []", "  port: 4001"))).toEqual([
      'agw.yaml:4:3: llm.port: duplicate key "port" (first given at line 2)',
    ]);
  });

  it("reports every YAML problem, not only the first", () => {
    expect(errorsOf(yaml("a: 1", "a: 2", "b:", "  c: 1", "  c: 2"))).toEqual([
      'agw.yaml:2:1: a: duplicate key "a" (first given at line 1)',
      'agw.yaml:5:3: b.c: duplicate key "c" (first given at line 4)',
    ]);
  });

  it("rejects an empty file, a comment-only file and more than one document", () => {
    expect(errorsOf("")).toEqual(["agw.yaml:1:1: (root): the file is empty; write at least binds or llm"]);
    expect(errorsOf("# nothing\n")).toEqual([
      "agw.yaml:1:1: (root): the file is empty; write at least binds or llm",
    ]);
    expect(errorsOf(yaml("llm: {}", "---", "llm: {}"))).toEqual([
      "agw.yaml:2:1: (root): the file holds more than one YAML document; agw reads exactly one (remove the --- line)",
    ]);
  });

  it("rejects a top level that is not a mapping, at 1:1", () => {
    expect(errorsOf(yaml("# a list", "- port: 4000"))).toEqual([
      "agw.yaml:1:1: (root): the top level must be a mapping (config, binds, llm), found a list",
    ]);
    expect(errorsOf("just text\n")).toEqual([
      "agw.yaml:1:1: (root): the top level must be a mapping (config, binds, llm), found a single value",
    ]);
  });
});

describe("loadConfigFile", () => {
  it("reads a file and reports with its path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agw-load-"));
    const file = join(dir, "agw.yaml");
    writeFileSync(file, yaml("llm:", "  port: 0"));
    const r = await loadConfigFile(file, {});
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors.map(formatDiagnostic)).toEqual([`${file}:2:9: llm.port: must be at least 1, found 0`]);
  });

  it("turns an unreadable file into one diagnostic at 1:1 with the OS reason", async () => {
    const file = join(tmpdir(), "agw-definitely-missing", "agw.yaml");
    const r = await loadConfigFile(file, {});
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          file,
          line: 1,
          col: 1,
          path: "",
          message: `cannot read the file: ENOENT: no such file or directory, open '${file}'`,
        },
      ],
      warnings: [],
    });
  });
});
