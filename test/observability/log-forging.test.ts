/**
 * Logs cannot be forged: a caller-controlled value with a newline (or CR, NEL, U+2028, ...)
 * stays inside its own line, in the text format (escaped) and in JSON (JSON's escapes), both
 * for the access line built from a record and end to end through the engine.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRecord } from "../../src/http/record.js";
import { accessLogEntry, createAccessLog } from "../../src/observability/access-log.js";
import { escapeControl } from "../../src/observability/escape-control.js";
import { createLogger } from "../../src/observability/log.js";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.js";
import { authHeaders, CHAT, gatewayConfig, request, runServe } from "./harness.js";

/** Every way a reader might break a line. */
const LINE_BREAKS = /\r\n|\r|\n|\u0085|\u2028|\u2029|\v|\f/;
const FORGED = "x\n[12:00:00.000] INFO: GET /admin 200 1.0ms forged=yes";

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c.toString("utf8"));
        cb();
      },
    }),
    text: () => chunks.join(""),
  };
}

/** The lines a reader splitting on any line break sees (a trailing newline ends the last). */
function readerLines(text: string): string[] {
  return text.split(LINE_BREAKS).filter((l) => l !== "");
}

describe("escapeControl", () => {
  it("escapes C0, DEL, C1 and the Unicode separators, and leaves other text alone", () => {
    expect(escapeControl("a\nb\rc\td\u0000e\u001bf\u007fg\u0085h\u009fi\u2028j\u2029k")).toBe(
      "a\\nb\\rc\\td\\x00e\\x1bf\\x7fg\\x85h\\x9fi\\u2028j\\u2029k",
    );
    const plain = "gpt-4o → é 日本 🙂 \\n";
    expect(escapeControl(plain)).toBe(plain);
  });
});

describe("access log lines cannot be forged", () => {
  const record = () => {
    const r = newRecord("req-1", "POST", "/v1/chat/completions", 4000);
    r.status = 404;
    r.model = FORGED;
    r.responseModel = "y\r\u2028\u0085z";
    r.error = "model_not_found";
    return r;
  };

  it("text: one line, the control characters escaped", () => {
    const s = sink();
    createAccessLog(createLogger({ level: "info", format: "text", destination: s.stream }), "text").write(
      accessLogEntry(record()),
    );
    const lines = readerLines(s.text());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("model=x\\n[12:00:00.000] INFO: GET /admin");
    expect(lines[0]).toContain("y\\r\\u2028\\x85z");
  });

  it("json: one line, and the values read back exactly", () => {
    const s = sink();
    createAccessLog(createLogger({ level: "info", format: "json", destination: s.stream }), "json").write(
      accessLogEntry(record()),
    );
    const lines = s
      .text()
      .split("\n")
      .filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    // JSON escapes every C0 character; what is left raw (NEL, U+2028) is not a JSON-lines break.
    expect(lines[0]).not.toMatch(/[\r\n]/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ model: FORGED, responseModel: "y\r\u2028\u0085z" });
  });

  it("any other text message is escaped too", () => {
    const s = sink();
    createLogger({ level: "info", format: "text", destination: s.stream }).warn(`upstream said ${FORGED}`);
    expect(readerLines(s.text())).toHaveLength(1);
  });
});

describe("end to end, text format", () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startMockUpstream();
  });
  afterAll(async () => {
    await mock.close();
  });

  it("a newline in the model does not forge an access line", async () => {
    const run = await runServe(
      (port) => gatewayConfig(mock.url)(port).replace("format: json", "format: text"),
      { format: "text" },
    );
    try {
      const res = await request(run.port, {
        path: "/v1/chat/completions",
        headers: authHeaders(),
        body: CHAT(FORGED),
      });
      const id = String(res.headers["x-agw-request-id"]);
      await run.logs.waitFor((l) => l.includes(`id=${id}`));
      const text = run.logs.text();
      expect(text).not.toMatch(/^\[12:00:00\.000\]/m);
      expect(readerLines(text).filter((l) => l.includes("forged=yes"))).toHaveLength(1);
      expect(readerLines(text).find((l) => l.includes(`id=${id}`))).toContain("model=x\\n[12:00:00.000]");
    } finally {
      expect(await run.stop()).toBe(0);
      await run.cleanup();
    }
  });
});
