import { describe, expect, it } from "vitest";
import { ECHO_MARK, SecretEcho, SecretEchoStream } from "../../src/http/secret-echo.js";

const KEY = "sk-echo-managed-9c2f7a41";

function jsonEscaped(s: string): string {
  return [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
}

describe("SecretEcho", () => {
  const echo = SecretEcho.of([KEY])!;

  it("finds the key plain, \\u-escaped (any case), percent-encoded, mixed, and in base64", () => {
    const forms = [
      KEY,
      jsonEscaped(KEY),
      jsonEscaped(KEY).toUpperCase().replace(/\\U/g, "\\u"),
      encodeURIComponent(KEY).replace(/-/g, "%2D"),
      `sk-e${jsonEscaped("cho")}%2Dmanaged-9c2f7a41`,
    ];
    for (const f of forms) {
      const body = JSON.stringify({ error: { message: "bad key XX" } }).replace("XX", f);
      const out = echo.redact(body);
      expect(out, f).toContain(ECHO_MARK);
      const decoded = JSON.stringify(JSON.parse(out));
      expect(decodeURIComponent(decoded)).not.toContain(KEY);
    }
    for (const prefix of ["", "u:", "ab:"]) {
      const basic = Buffer.from(`${prefix}${KEY}`).toString("base64");
      expect(echo.redact(`Basic ${basic}`)).toContain(ECHO_MARK);
    }
  });

  it("leaves other text, and its bytes, alone", () => {
    const text = '{"message":"caf\\u00e9 50% sk-other-key"}';
    expect(echo.redact(text)).toBe(text);
    const b = Buffer.from("héllo wörld");
    expect(echo.redactBytes(b)).toBe(b);
    expect(SecretEcho.of([undefined, "short"])).toBeUndefined();
  });

  it("holds back a key split across chunks, and only then", () => {
    const s = new SecretEchoStream(echo);
    const wire = `data: {"x":"${jsonEscaped(KEY)}"}\n\n`;
    let out = "";
    for (let i = 0; i < wire.length; i += 7) out += s.push(Buffer.from(wire.slice(i, i + 7))).toString();
    out += s.end()?.toString() ?? "";
    expect(out).toBe(`data: {"x":"${ECHO_MARK}"}\n\n`);
    const t = new SecretEchoStream(echo);
    expect(t.push(Buffer.from("data: hello\n\n")).toString()).toBe("data: hello\n\n");
    expect(t.push(Buffer.from("data: plain")).toString()).toBe("data: plain");
    expect(t.end()).toBeUndefined();
  });

  it("searches the caller's decoded text when given, and still redacts the bytes", () => {
    const s = new SecretEchoStream(echo);
    const clean = Buffer.from('data: {"x":"ok"}\n\n');
    expect(s.push(clean, clean.toString())).toBe(clean);
    const dirty = Buffer.from(`data: {"x":"é ${KEY}"}\n\n`);
    expect(s.push(dirty, dirty.toString()).toString()).toBe(`data: {"x":"é ${ECHO_MARK}"}\n\n`);
  });
});
