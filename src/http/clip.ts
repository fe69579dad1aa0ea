/**
 * Strings a caller or an upstream controls (a path, a model the upstream names) outlive their
 * request in the access log, the recent-requests list and trace spans. Each is cut to a fixed
 * length there, with a visible mark, so what one request leaves behind is bounded in bytes.
 */

/** The longest kept value, in UTF-16 units (at most three UTF-8 bytes each). */
export const MAX_KEPT_CHARS = 512;

/** Appended to a value that was cut. */
export const CUT_MARK = "…[cut]";

/** `s` itself when short enough, else its first MAX_KEPT_CHARS units and the cut mark. */
export function clip(s: string): string;
export function clip(s: string | undefined): string | undefined;
export function clip(s: string | undefined): string | undefined {
  if (s === undefined || s.length <= MAX_KEPT_CHARS) return s;
  let end = MAX_KEPT_CHARS;
  // Never split a surrogate pair.
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return s.slice(0, end) + CUT_MARK;
}
