/**
 * The regex guard's detectors: builtins written with bounded quantifiers and short lookarounds
 * (so a stream can be masked exactly while holding back little), custom patterns, and the
 * blocklist's words. Each becomes a ScanRule (see scanner.ts).
 */
import type { REGEX_BUILTINS } from "../../config/schema.js";
import { foldWord } from "./fold.js";
import { regexGrowth, regexWindow } from "./regex-window.js";
import { alphabetHold, type ScanRule, windowHold } from "./scanner.js";

export type BuiltinName = (typeof REGEX_BUILTINS)[number];

export const PLACEHOLDERS: Readonly<Record<BuiltinName, string>> = Object.freeze({
  email: "<EMAIL_ADDRESS>",
  phoneNumber: "<PHONE_NUMBER>",
  ssn: "<SSN>",
  creditCard: "<CREDIT_CARD>",
  ipAddress: "<IP_ADDRESS>",
});

export const CUSTOM_PLACEHOLDER = "<masked>";

/** Windows of custom patterns whose matches are unbounded (`+`, `*`, `{n,}`, backreferences). */
export const UNBOUNDED_PATTERN_WINDOW = 256;

/** Luhn checksum over the digits of `text` (separators ignored); 13 to 19 digits. */
export function luhnValid(text: string): boolean {
  const digits = text.replace(/[^0-9]/g, "");
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const isDigit = (c: string) => c >= "0" && c <= "9";
const isHex = (c: string) => isDigit(c) || (c >= "a" && c <= "f") || (c >= "A" && c <= "F");
const isAlnum = (c: string) => isDigit(c) || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");

const EMAIL_LOCAL = "[A-Za-z0-9._%+-]";
const EMAIL = new RegExp(
  `(?<!${EMAIL_LOCAL})${EMAIL_LOCAL}{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.){1,4}[A-Za-z]{2,24}(?![A-Za-z0-9-])`,
  "g",
);

const SEP = "[ .-]";
const PHONE = new RegExp(
  [
    "(?<![\\w+(])(?:",
    `(?:\\+1${SEP}?)?(?:\\(\\d{3}\\)${SEP}?|\\d{3}${SEP}?)\\d{3}${SEP}?\\d{4}`,
    `|\\+\\d{1,3}(?:${SEP}?\\d{2,5}){2,4}`,
    ")(?!\\w)",
  ].join(""),
  "g",
);

const SSN = /(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])/g;

const CARD = /(?<!\d[ -]?)(?:\d[ -]?){12,18}\d(?!\d)/g;

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`(?<![\\w.])(?:${OCTET}\\.){3}${OCTET}(?!\\w|\\.\\d)`, "g");

const H = "[0-9a-fA-F]{1,4}";
const IPV6 = new RegExp(
  [
    "(?<![\\w:.])(?:",
    `(?:${H}:){7}${H}`,
    `|(?:${H}:){1,7}:`,
    `|(?:${H}:){1,6}:${H}`,
    `|(?:${H}:){1,5}(?::${H}){1,2}`,
    `|(?:${H}:){1,4}(?::${H}){1,3}`,
    `|(?:${H}:){1,3}(?::${H}){1,4}`,
    `|(?:${H}:){1,2}(?::${H}){1,5}`,
    `|${H}:(?::${H}){1,6}`,
    `|:(?::${H}){1,7}`,
    // A match must take the whole run of hex digits and colons: never a piece of one.
    ")(?![\\w:]|\\.\\d)",
  ].join(""),
  "g",
);

function builtin(
  label: BuiltinName,
  re: RegExp,
  maxLen: number,
  lookahead: number,
  inAlphabet: (c: string) => boolean,
  canStart: (c: string) => boolean,
  validate?: (m: string) => boolean,
): ScanRule {
  const window = maxLen + lookahead;
  const rule: ScanRule = {
    label,
    re,
    placeholder: PLACEHOLDERS[label],
    window,
    holdFrom: alphabetHold(window, inAlphabet, canStart),
  };
  return Object.freeze(validate === undefined ? rule : { ...rule, validate });
}

/** The rules of one builtin (ipAddress has two: v4 and v6). */
export function builtinRules(name: BuiltinName): ScanRule[] {
  switch (name) {
    case "email":
      return [
        builtin(
          "email",
          EMAIL,
          64 + 1 + 4 * 64 + 24,
          1,
          (c) => isAlnum(c) || "._%+-@".includes(c),
          (c) => isAlnum(c) || "._%+-".includes(c),
        ),
      ];
    case "phoneNumber":
      return [
        builtin(
          "phoneNumber",
          PHONE,
          28,
          1,
          (c) => isDigit(c) || " .-()+".includes(c),
          (c) => isDigit(c) || c === "+" || c === "(",
        ),
      ];
    case "ssn":
      return [builtin("ssn", SSN, 11, 1, (c) => isDigit(c) || c === "-", isDigit)];
    case "creditCard":
      return [
        builtin("creditCard", CARD, 37, 1, (c) => isDigit(c) || c === " " || c === "-", isDigit, luhnValid),
      ];
    case "ipAddress":
      return [
        builtin("ipAddress", IPV4, 15, 2, (c) => isDigit(c) || c === ".", isDigit),
        builtin(
          "ipAddress",
          IPV6,
          39,
          2,
          (c) => isHex(c) || c === ":" || c === ".",
          (c) => isHex(c) || c === ":",
        ),
      ];
  }
}

/**
 * The literal text every match of `pattern` starts with ("" when unknown): plain characters up
 * to the first metacharacter, minus one followed by a quantifier. Any `|` gives up, since an
 * alternative need not share it.
 */
export function literalPrefix(pattern: string): string {
  if (pattern.includes("|")) return "";
  let out = "";
  let i = 0;
  while (i < pattern.length) {
    let ch = pattern[i]!;
    let next = i + 1;
    if (ch === "\\") {
      const e = pattern[i + 1];
      if (e === undefined || /[A-Za-z0-9]/.test(e)) break;
      ch = e;
      next = i + 2;
    } else if ("^$.*+?()[]{}|".includes(ch)) break;
    const q = pattern[next];
    if (q === "*" || q === "+" || q === "?" || q === "{") break;
    out += ch;
    i = next;
  }
  return out;
}

/**
 * A custom pattern: its window comes from the pattern when bounded, else a fixed cap. A pattern
 * whose matches can be longer than the cap also says how a found match may still grow, so a
 * stream holds the match whole (see TextScanner) instead of masking only its first part.
 */
export function customRule(pattern: string): ScanRule {
  const re = new RegExp(pattern, "g");
  const full = regexWindow(pattern);
  const window = Math.min(full, UNBOUNDED_PATTERN_WINDOW);
  const lit = literalPrefix(pattern);
  const any = windowHold(window);
  const holdFrom =
    lit === ""
      ? any
      : (text: string, from: number) => {
          // Only a position whose text so far agrees with the literal start can still match.
          const n = text.length;
          for (let q = any(text, from); q < n; q++) {
            const seen = text.slice(q, q + lit.length);
            if (lit.startsWith(seen)) return q;
          }
          return n;
        };
  const rule: ScanRule = { label: "custom", re, placeholder: CUSTOM_PLACEHOLDER, window, holdFrom };
  if (full <= UNBOUNDED_PATTERN_WINDOW) return Object.freeze(rule);
  const growth = regexGrowth(pattern);
  return Object.freeze({
    ...rule,
    growth: Number.isFinite(growth) ? growth : UNBOUNDED_PATTERN_WINDOW,
    sticky: new RegExp(pattern, "y"),
  });
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A blocklist word: case-insensitive, compared folded (fold.ts: the scanner folds the text of
 * reject rules); only a trailing proper prefix of the word is held back.
 */
export function wordRule(given: string): ScanRule {
  const word = foldWord(given);
  const re = new RegExp(escapeRe(word), "giu");
  const chars = Array.from(word);
  const prefixes: string[] = [];
  for (let i = chars.length - 1; i >= 1; i--) prefixes.push(escapeRe(chars.slice(0, i).join("")));
  const prefixRe = prefixes.length === 0 ? undefined : new RegExp(`(?:${prefixes.join("|")})$`, "giu");
  const window = word.length;
  return Object.freeze({
    label: "blocklist",
    re,
    placeholder: "",
    window,
    holdFrom: (text: string, from: number) => {
      if (prefixRe === undefined) return text.length;
      prefixRe.lastIndex = Math.max(from, text.length - window + 1);
      const m = prefixRe.exec(text);
      return m === null ? text.length : m.index;
    },
  });
}
