import { describe, expect, it } from "vitest";
import { conventionEnvName, parseCredential, resolveCredential } from "../../src/config/credential.js";

describe("credentials", () => {
  it("parses env:: references and plain values", () => {
    expect(parseCredential("env::OPENAI_API_KEY")).toEqual({ kind: "env", name: "OPENAI_API_KEY" });
    expect(parseCredential("sk-abc")).toEqual({ kind: "value" });
    expect(parseCredential("ENV::X")).toEqual({ kind: "value" });
  });

  it("resolves from the env given, and treats unset or empty as unresolved", () => {
    const env = { SET: "k1", EMPTY: "" };
    expect(resolveCredential("env::SET", env)).toEqual({ ok: true, value: "k1" });
    expect(resolveCredential("env::EMPTY", env)).toEqual({ ok: false, envName: "EMPTY" });
    expect(resolveCredential("env::MISSING", env)).toEqual({ ok: false, envName: "MISSING" });
    expect(resolveCredential("literal", env)).toEqual({ ok: true, value: "literal" });
  });

  it("derives the convention variable from a provider name", () => {
    expect(conventionEnvName("my-openai")).toBe("MY_OPENAI_API_KEY");
    expect(conventionEnvName("openai")).toBe("OPENAI_API_KEY");
    expect(conventionEnvName("Anthropic")).toBe("ANTHROPIC_API_KEY");
  });
});
