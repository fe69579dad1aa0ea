/**
 * What a gateway loads at startup: the libraries only some configs need are loaded when a
 * config asks for them (ioredis with config.redis, Smithy's event-stream codec with Bedrock,
 * undici's index with a webhook or tracing), not with the CLI's modules. Each such library
 * stays resident for the life of the process, so this is a memory check (README, Performance).
 * A real process, so nothing this test file imported counts.
 */
import { spawnSync } from "node:child_process";
import * as undici from "undici";
import { describe, expect, it } from "vitest";
import { Agent, buildConnector, Pool, util } from "../../src/http/undici.js";

describe("modules loaded at startup", () => {
  it("importing the CLI loads neither ioredis, Smithy's event streams nor undici's index", () => {
    const script = `
      import { createRequire } from "node:module";
      const require = createRequire(import.meta.url);
      await import("./src/cli.ts");
      const loaded = Object.keys(require.cache);
      console.log(JSON.stringify({
        count: loaded.length,
        unwanted: loaded.filter((k) => /ioredis|event-streams|util-utf8|undici\\/index\\.js/.test(k)),
        undici: loaded.some((k) => k.includes("undici/lib/dispatcher/pool.js")),
      }));
    `;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as { count: number; unwanted: string[]; undici: boolean };
    expect(out.unwanted).toEqual([]);
    // The check sees CommonJS modules at all: undici's pool is one the gateway does load.
    expect(out.undici).toBe(true);
  });

  it("the undici parts agw requires from undici's files are the ones its index exports", () => {
    expect(Pool).toBe(undici.Pool);
    expect(Agent).toBe(undici.Agent);
    expect(buildConnector).toBe(undici.buildConnector);
    expect(util.parseHeaders).toBe(undici.util.parseHeaders);
    expect(util.headerNameToString).toBe(undici.util.headerNameToString);
  });
});
