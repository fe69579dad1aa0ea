import { describe, expect, it } from "vitest";
import { parseDuration, parseSize } from "../../src/config/duration.js";

describe("parseDuration", () => {
  it.each([
    ["0ms", 0],
    ["500ms", 500],
    ["30s", 30_000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["24h", 86_400_000],
    ["007s", 7_000],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "5", "5 s", "1.5s", "-1s", "5sec", "s", "1d", " 1s", "1s ", "1S"])("rejects %j", (text) => {
    expect(() => parseDuration(text)).toThrow(/is not a duration/);
  });
});

describe("parseSize", () => {
  it.each([
    ["100B", 100],
    ["512KiB", 512 * 1024],
    ["2MiB", 2 * 1024 * 1024],
    ["1GiB", 1024 ** 3],
    ["10KB", 10_000],
    ["10MB", 10_000_000],
    ["1GB", 1_000_000_000],
  ])("%s is %d bytes", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(["", "100", "2 MiB", "2mib", "1.5MB", "1TB", "MiB"])("rejects %j", (text) => {
    expect(() => parseSize(text)).toThrow(/is not a size/);
  });
});
