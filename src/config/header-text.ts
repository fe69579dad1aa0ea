/**
 * What Node's HTTP stack accepts in a header, as config checks and the error boundary need it:
 * a name is an RFC 9110 token; a value holds tab, visible ASCII, space and Latin-1 only (no
 * CR, LF, NUL or other control characters, nothing above U+00FF). Anything else makes
 * `setHeader`/`writeHead` (and undici) throw when the header is sent.
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/** Why `name` cannot be a header name, or undefined when it can. */
export function headerNameProblem(name: string): string | undefined {
  if (TOKEN.test(name)) return undefined;
  if (name === "") return "a header name cannot be empty";
  const bad = [...name].find((c) => !TOKEN.test(c)) ?? "";
  return `${JSON.stringify(name)} is not a valid header name (${describeChar(bad)} is not allowed): use letters, digits and !#$%&'*+-.^_\`|~ only`;
}

/** Why `value` cannot be a header value, or undefined when it can. Never quotes the value (it may be a secret). */
export function headerValueProblem(value: string): string | undefined {
  const m = BAD_VALUE_CHAR.exec(value);
  if (m === null) return undefined;
  return `a header value cannot contain ${describeChar(m[0])} (at character ${m.index + 1})`;
}

function describeChar(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (c === "\r") return "a carriage return (CR)";
  if (c === "\n") return "a line feed (LF)";
  if (c === "\0") return "a NUL character";
  if (c === " ") return "a space";
  if (code < 0x20 || code === 0x7f) return `a control character (${hex})`;
  if (code > 0xff) return `the character ${hex} (beyond Latin-1)`;
  return `"${c}"`;
}
