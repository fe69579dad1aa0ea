/**
 * Gemini's function calls may come without an id, but OpenAI and Anthropic clients need one to
 * pair a tool result with its call. agw mints one from the response id (or, without one, a hash
 * of the call) and the call's position; minted ids are recognised and never sent back upstream,
 * where the function's name and the order of the results do the pairing.
 *
 * Gemini 3 models also sign their function calls (`thoughtSignature`) and refuse a history
 * whose calls come back unsigned. Clients of other formats have nowhere to keep it but the
 * call's id, so the signature rides there (base64url, after a marker) and is split off again
 * when the call returns in the history. The id stays within [A-Za-z0-9_-].
 */

const PREFIX = "call_gm_";
const SIGNATURE_MARK = "__ts__";

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

function toBase64Url(b64: string): string {
  return b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(s: string): string {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  return b64 + "=".repeat((4 - (b64.length % 4)) % 4);
}

/** The call's own id, else a stable minted one (the same response gives the same ids), with its signature. */
export function callIdFor(
  given: string | undefined,
  responseId: string,
  position: number,
  name: string,
  args: string,
  signature?: string,
): string {
  let id: string;
  if (given !== undefined && given !== "") id = given;
  else {
    const seed =
      responseId !== "" ? responseId.replace(/[^A-Za-z0-9_-]/g, "") : fnv1a(`${name}\u0000${args}`);
    id = `${PREFIX}${seed}_${position}`;
  }
  return signature === undefined || signature === "" ? id : `${id}${SIGNATURE_MARK}${toBase64Url(signature)}`;
}

/** What a call id carries back to Gemini: the upstream's own id (none when agw minted it) and the signature. */
export function splitCallId(id: string): { upstreamId?: string; signature?: string } {
  const at = id.indexOf(SIGNATURE_MARK);
  const base = at === -1 ? id : id.slice(0, at);
  const out: { upstreamId?: string; signature?: string } = {};
  if (base !== "" && !base.startsWith(PREFIX)) out.upstreamId = base;
  if (at !== -1) out.signature = fromBase64Url(id.slice(at + SIGNATURE_MARK.length));
  return out;
}
