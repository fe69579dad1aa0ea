/**
 * Text logs are read line by line, so a value a caller or an upstream controls must not be
 * able to start a line of its own (a newline in a `model` would forge a whole access line).
 * Control characters are written as escapes: C0 (CR, LF, tab and the rest), DEL, C1 (NEL and
 * the rest) and the Unicode line and paragraph separators. JSON lines need none of this:
 * JSON escapes every C0 character, and JSON-lines readers split on LF only.
 */

/** Whether `c` (a UTF-16 unit) is escaped. */
function isControl(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029;
}

function escapeOne(ch: string): string {
  switch (ch) {
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
    default: {
      const c = ch.charCodeAt(0);
      return c < 0x100 ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u${c.toString(16).padStart(4, "0")}`;
    }
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `s` with every control character escaped (`\n`, `\r`, `\t`, `\xHH`, `\u2028`); `s` itself when it has none. */
export function escapeControl(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (isControl(s.charCodeAt(i))) return s.replace(CONTROL, escapeOne);
  }
  return s;
}
