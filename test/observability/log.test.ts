import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/observability/log.js";

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c.toString());
        cb();
      },
    }),
    text: () => chunks.join(""),
  };
}

describe("createLogger", () => {
  it("writes JSON lines at the chosen level and redacts credential headers", async () => {
    const s = sink();
    const log = createLogger({ level: "info", format: "json", destination: s.stream });
    log.debug("hidden");
    log.info({ headers: { authorization: "Bearer sk-secret", "x-api-key": "k2" } }, "hello");
    const lines = s
      .text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, msg: "hello" });
    expect(s.text()).not.toContain("sk-secret");
    expect(s.text()).not.toContain("k2");
  });

  it("renders readable text without colours", () => {
    const s = sink();
    const log = createLogger({ level: "info", format: "text", destination: s.stream });
    log.info({ port: 4000 }, "listening on 0.0.0.0:4000");
    expect(s.text()).toMatch(/INFO: listening on 0\.0\.0\.0:4000/);
    expect(s.text()).toContain("port: 4000");
    expect(s.text()).not.toContain("\u001b[");
  });
});
