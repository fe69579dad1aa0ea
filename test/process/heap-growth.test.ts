/**
 * The heap-growth flag agw sets at startup, unless Node's own arguments set one; that V8 knows
 * it; and that the entry point starts with it cleanly.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { HEAP_GROWTH_FLAG, heapGrowthFlag } from "../../src/process/heap-growth.js";

describe("heapGrowthFlag", () => {
  it("sets a fixed growth factor by default", () => {
    expect(heapGrowthFlag([])).toBe("--heap-growing-percent=100");
    expect(heapGrowthFlag(["--enable-source-maps", "--max-semi-space-size=8"])).toBe(HEAP_GROWTH_FLAG);
  });

  it("leaves a value the operator gave Node alone, however it is spelt", () => {
    for (const a of ["--heap-growing-percent=30", "--heap_growing_percent=30", "--heap-growing_percent=0"]) {
      expect(heapGrowthFlag(["--import", "tsx", a])).toBeUndefined();
    }
  });

  it("does not mistake a longer flag for it", () => {
    expect(heapGrowthFlag(["--heap-growing-percentage=5"])).toBe(HEAP_GROWTH_FLAG);
  });

  it("is a flag V8 knows, and the entry point starts with it cleanly (real processes)", () => {
    // V8 reports a flag it does not know on stderr ("unrecognized flag") and goes on.
    const set = (flag: string) =>
      spawnSync(process.execPath, ["-e", `require("node:v8").setFlagsFromString(${JSON.stringify(flag)})`], {
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "" },
      });
    expect(set("--heap-growing-percnt=100").stderr).toContain("unrecognized flag");
    expect(set(HEAP_GROWTH_FLAG).stderr).toBe("");
    const agw = spawnSync(process.execPath, ["--import", "tsx", "src/agw.ts", "--version"], {
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    expect(agw.status).toBe(0);
    expect(agw.stderr).toBe("");
  });
});
