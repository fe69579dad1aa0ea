/**
 * The young generation held at its initial size while agw starts, and V8's growth given back
 * after: the flags, an operator's own left alone, and (in a real process) that V8 honours both.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  HOLD_FLAG,
  holdYoungGeneration,
  RELEASE_FLAG,
  releaseYoungGeneration,
} from "../../src/process/young-generation.js";

describe("holdYoungGeneration / releaseYoungGeneration", () => {
  it("holds, then releases once; a release without a hold sets nothing", () => {
    const set: string[] = [];
    releaseYoungGeneration((f) => set.push(f));
    expect(set).toEqual([]);
    holdYoungGeneration(["--enable-source-maps"], (f) => set.push(f));
    releaseYoungGeneration((f) => set.push(f));
    releaseYoungGeneration((f) => set.push(f));
    expect(set).toEqual([HOLD_FLAG, RELEASE_FLAG]);
  });

  it("leaves a growth factor the operator gave Node alone, however it is spelt", () => {
    for (const a of [
      "--semi-space-growth-factor=4",
      "--semi_space_growth_factor=4",
      "--semi-space-growth_factor",
    ]) {
      const set: string[] = [];
      holdYoungGeneration(["--import", "tsx", a], (f) => set.push(f));
      releaseYoungGeneration((f) => set.push(f));
      expect(set).toEqual([]);
    }
  });

  it("V8 keeps the young generation small while held and grows it again once released (real process)", () => {
    // Allocations that survive scavenges, as a startup's do; the young generation's size after each phase.
    const script = `
      const v8 = require("node:v8");
      const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;
      const keep = [];
      const allocate = () => { for (let i = 0; i < 400000; i++) keep.push({ i, s: "x" + i }); };
      v8.setFlagsFromString(${JSON.stringify(HOLD_FLAG)});
      allocate();
      const held = newSpace();
      v8.setFlagsFromString(${JSON.stringify(RELEASE_FLAG)});
      allocate();
      console.log(JSON.stringify({ held, released: newSpace() }));
    `;
    const r = spawnSync(process.execPath, ["-e", script], {
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    expect(r.stderr).toBe("");
    const { held, released } = JSON.parse(r.stdout) as { held: number; released: number };
    expect(held).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(released).toBeGreaterThan(held);
  });
});
