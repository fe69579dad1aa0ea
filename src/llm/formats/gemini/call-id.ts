/**
 * Gemini's function calls may come without an id, but OpenAI and Anthropic clients need one to
 * pair a tool result with its call. agw mints one from the response id (or, without one, a hash
 * of the call) and the call's position; minted ids are recognised and never sent back upstream,
 * where the function's name and the order of the results do the pairing.
 */

const PREFIX = "call_gm";

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** The call's own id, else a stable minted one (the same response gives the same ids). */
export function callIdFor(
  given: string | undefined,
  responseId: string,
  position: number,
  name: string,
  args: string,
): string {
  if (given !== undefined && given !== "") return given;
  const seed = responseId !== "" ? responseId.replace(/[^A-Za-z0-9_-]/g, "") : fnv1a(`${name}\u0000${args}`);
  return `${PREFIX}_${seed}_${position}`;
}

export function isMintedCallId(id: string): boolean {
  return id.startsWith(`${PREFIX}_`);
}
