/**
 * The request path as routes see it, made canonical before matching so that no spelling of
 * a path reaches a route (or skips one) that its canonical form would not:
 * - percent-encoded unreserved characters are decoded (`%2e` → `.`, `%41` → `A`; RFC 3986
 *   §6.2.2.2), other escapes are kept as sent, hex upper-cased;
 * - an encoded slash or backslash (`%2f`, `%5c`), a raw backslash, a NUL or a bad escape is
 *   refused: its meaning differs between servers, so it cannot be matched safely;
 * - runs of slashes collapse to one;
 * - `.` and `..` segments are resolved (RFC 3986 §5.2.4; `..` never climbs above the root).
 * The canonical path is also what goes upstream. A target that is not origin-form (`*`, an
 * absolute URL) is refused.
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** The canonical path, or undefined when the path must be refused (400). */
export function normalizePath(path: string): string | undefined {
  if (path.charCodeAt(0) !== 47 /* / */) return undefined;
  if (path.includes("\\") || path.includes("\0")) return undefined;
  let decoded = path;
  if (path.includes("%")) {
    let out = "";
    for (let i = 0; i < path.length; i++) {
      const ch = path[i]!;
      if (ch !== "%") {
        out += ch;
        continue;
      }
      const hex = path.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      const c = String.fromCharCode(Number.parseInt(hex, 16));
      if (c === "/" || c === "\\" || c === "\0") return undefined;
      out += UNRESERVED.test(c) ? c : `%${hex.toUpperCase()}`;
      i += 2;
    }
    decoded = out;
  }
  // Fast path: nothing to resolve.
  if (!decoded.includes("//") && !decoded.includes("/.")) return decoded;
  const segments = decoded.split("/");
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i]!;
    const last = i === segments.length - 1;
    if (s === "" && !last) continue; // a doubled slash
    if (s === ".") {
      if (last) out.push("");
      continue;
    }
    if (s === "..") {
      out.pop();
      if (last) out.push("");
      continue;
    }
    out.push(s);
  }
  return `/${out.join("/")}`;
}
