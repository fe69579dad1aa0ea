import { describe, expect, it } from "vitest";
import type { GuardConfig } from "../../../src/config/schema.js";
import { literalPrefix, luhnValid } from "../../../src/policies/prompt-guard/detectors.js";
import { regexWindow } from "../../../src/policies/prompt-guard/regex-window.js";
import { createBlocklistGuard, createRegexGuard } from "../../../src/policies/prompt-guard/text-guards.js";

type Builtin = NonNullable<NonNullable<GuardConfig["regex"]>["rules"][number]["builtin"]>;
const mask = (builtin: Builtin, text: string) =>
  createRegexGuard({ regex: { action: "mask", rules: [{ builtin }] } }).scan(text).out;

describe("builtin detectors", () => {
  it("email", () => {
    expect(mask("email", "write to john.doe+x@mail.example.co.uk today")).toBe(
      "write to <EMAIL_ADDRESS> today",
    );
    expect(mask("email", "a@b.io, c_d@e-f.org.")).toBe("<EMAIL_ADDRESS>, <EMAIL_ADDRESS>.");
    for (const neg of ["user@localhost", "@example.com", "a@b.c", "name at example dot com", "x@-bad.com"]) {
      expect(mask("email", neg)).toBe(neg);
    }
  });

  it("phoneNumber", () => {
    expect(mask("phoneNumber", "call (555) 123-4567 now")).toBe("call <PHONE_NUMBER> now");
    expect(mask("phoneNumber", "call 555.123.4567")).toBe("call <PHONE_NUMBER>");
    expect(mask("phoneNumber", "call +1 555 123 4567")).toBe("call <PHONE_NUMBER>");
    expect(mask("phoneNumber", "call +44 20 7946 0958.")).toBe("call <PHONE_NUMBER>.");
    for (const neg of ["version 1.2.3", "year 2024", "id 12345", "room 555-12", "abc5551234567"]) {
      expect(mask("phoneNumber", neg)).toBe(neg);
    }
  });

  it("ssn", () => {
    expect(mask("ssn", "ssn 123-45-6789.")).toBe("ssn <SSN>.");
    for (const neg of [
      "000-12-3456",
      "666-12-3456",
      "900-12-3456",
      "123-00-4567",
      "123-45-0000",
      "123-45-67890",
      "123456789",
    ]) {
      expect(mask("ssn", neg)).toBe(neg);
    }
  });

  it("creditCard is Luhn-checked", () => {
    expect(luhnValid("4111 1111 1111 1111")).toBe(true);
    expect(luhnValid("4111 1111 1111 1112")).toBe(false);
    expect(mask("creditCard", "card 4111 1111 1111 1111 exp")).toBe("card <CREDIT_CARD> exp");
    expect(mask("creditCard", "card 4111-1111-1111-1111")).toBe("card <CREDIT_CARD>");
    expect(mask("creditCard", "amex 378282246310005!")).toBe("amex <CREDIT_CARD>!");
    for (const neg of ["card 4111 1111 1111 1112", "order 1234567890123", "4111111111111111111111"]) {
      expect(mask("creditCard", neg)).toBe(neg);
    }
  });

  it("ipAddress v4 and v6", () => {
    expect(mask("ipAddress", "host 192.168.0.1.")).toBe("host <IP_ADDRESS>.");
    expect(mask("ipAddress", "from 10.0.0.255 to 8.8.8.8")).toBe("from <IP_ADDRESS> to <IP_ADDRESS>");
    expect(mask("ipAddress", "v6 2001:0db8:85a3:0000:0000:8a2e:0370:7334 ok")).toBe("v6 <IP_ADDRESS> ok");
    expect(mask("ipAddress", "v6 fe80::1 and 2001:db8::8a2e:370:7334 and ::1")).toBe(
      "v6 <IP_ADDRESS> and <IP_ADDRESS> and <IP_ADDRESS>",
    );
    for (const neg of [
      "256.1.1.1",
      "1.2.3",
      "1.2.3.4.5",
      "v1.2.3.4",
      "at 12:30:45",
      "std::vector",
      "a::b::c",
    ]) {
      expect(mask("ipAddress", neg)).toBe(neg);
    }
  });

  it("custom patterns mask as <masked>, rules combine in one pass", () => {
    const g = createRegexGuard({
      regex: { action: "mask", rules: [{ pattern: "sk-[A-Za-z0-9]{8}" }, { builtin: "email" }] },
    });
    expect(g.scan("key sk-abcd1234 for a@b.com").out).toBe("key <masked> for <EMAIL_ADDRESS>");
    expect(g.scan("key sk-abcd1234 for a@b.com").hits.map((h) => h.rule.label)).toEqual(["custom", "email"]);
  });

  it("reject guards stop at the first hit", () => {
    const g = createRegexGuard({ regex: { action: "reject", rules: [{ builtin: "ssn" }] } });
    expect(g.scan("ssn 123-45-6789 and 234-56-7890").hits).toHaveLength(1);
    expect(g.scan("nothing here").hits).toHaveLength(0);
  });

  it("blocklist is case-insensitive", () => {
    const g = createBlocklistGuard({ blocklist: { words: ["Project Falcon", "secret"] } });
    expect(g.scan("about PROJECT falcon plans").hits).toHaveLength(1);
    expect(g.scan("SeCrEt").hits).toHaveLength(1);
    expect(g.scan("project falco").hits).toHaveLength(0);
  });

  it("literalPrefix finds the fixed start of a pattern", () => {
    expect(literalPrefix("tok-[a-z]{4}")).toBe("tok-");
    expect(literalPrefix("ab+c")).toBe("a");
    expect(literalPrefix("a\\.b\\d")).toBe("a.b");
    expect(literalPrefix("x|y")).toBe("");
    expect(literalPrefix("[ab]c")).toBe("");
  });

  it("regexWindow bounds patterns and flags unbounded ones", () => {
    expect(regexWindow("abc")).toBe(4);
    expect(regexWindow("a{2,5}(b|cd)?\\d")).toBe(5 + 2 + 1 + 1);
    expect(regexWindow("[a-z]{3}(?<=x)\\b")).toBe(4);
    expect(regexWindow("a+")).toBe(Number.POSITIVE_INFINITY);
    expect(regexWindow("a{2,}")).toBe(Number.POSITIVE_INFINITY);
    expect(regexWindow("(a)\\1")).toBe(Number.POSITIVE_INFINITY);
  });
});
