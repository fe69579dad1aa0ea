/**
 * Finds a managed key an upstream echoes back, however it spells it, and replaces it with
 * "[redacted]" before the answer reaches the client. Providers echo the key they were sent in
 * auth errors; a careless or hostile upstream may echo it anywhere. Matching works on the
 * decoded text: each character of the key may be written plainly, as a JSON `\u00XX` escape
 * or percent-encoded (`%XX`), in any mix, and `/` also as `\/`; the key inside base64 (HTTP
 * Basic credentials) is found by its three alignment-independent cores. A JSON text stays
 * valid after the replacement (the marker needs no escaping), so same-format bodies keep
 * their bytes except where the key was.
 *
 * Work is bounded and cheap when nothing matches: a prefilter (`mayHold`) looks for the first
 * characters of each form, a `\u00` escape or a `%`, with native `indexOf`; only then does the
 * regular expression run. Stream chunks skip the base64 heads in the prefilter (a Basic
 * credential is an error-body or header echo). Byte buffers are read as latin1 (one character
 * per byte), so UTF-8 text passes through untouched and no decoder state is kept between chunks.
 *
 * Not found: a key split across separate JSON strings or SSE events, or encoded otherwise
 * (reversed, nested encodings).
 */

export const ECHO_MARK = "[redacted]";

/** Keys shorter than this are not searched for (they would match ordinary text). */
const MIN_KEY_LENGTH = 6;
/** The base64 forms are searched for keys at least this long (a core is the key's length × 4/3 less 3). */
const MIN_BASE64_KEY_LENGTH = 12;
/** The literal head of each form the prefilter looks for. */
const HEAD_LENGTH = 8;

const LF = 10;

function hexPattern(code: number): string {
  let out = "";
  for (const d of code.toString(16).padStart(2, "0")) {
    out += /[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d;
  }
  return out;
}

function escapeRegex(c: string): string {
  return c.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/** Every way one character of the key may be written: plain, `\u00XX`, `%XX`, and `\/` for `/`. */
function spellings(c: string): { plain: string; escapes: string[] } {
  const code = c.charCodeAt(0);
  if (code > 0x7f) return { plain: c, escapes: [] };
  const hex = code.toString(16).padStart(2, "0");
  const escapes = [`\\u00${hex}`, `%${hex}`];
  if (c === "/") escapes.push("\\/");
  if (c === '"' || c === "\\") escapes.push(`\\${c}`);
  return { plain: c, escapes };
}

function charPattern(c: string): string {
  const code = c.charCodeAt(0);
  if (code > 0x7f) return escapeRegex(c);
  const hex = hexPattern(code);
  const alts = [escapeRegex(c), `\\\\u00${hex}`, `%${hex}`];
  if (c === "/") alts.push("\\\\\\/");
  if (c === '"' || c === "\\") alts.push(`\\\\${escapeRegex(c)}`);
  return `(?:${alts.join("|")})`;
}

/**
 * The parts of base64(x + key) that do not depend on what precedes the key (x of 0, 1 or 2
 * bytes) or follows it: the encoding with its first characters (mixed with x's bits) and its
 * last, unfinished group dropped. Both alphabets (standard and URL-safe).
 */
function base64Cores(key: string): string[] {
  const out = new Set<string>();
  const bytes = Buffer.from(key, "latin1");
  for (const offset of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const b64 = padded.toString("base64");
    const skip = [0, 2, 3][offset]!;
    const end = Math.floor(padded.length / 3) * 4;
    const core = b64.slice(skip, end);
    if (core.length < HEAD_LENGTH) continue;
    out.add(core);
    out.add(core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return [...out];
}

export class SecretEcho {
  private readonly pattern: RegExp;
  /** Literal heads of the keys, then of their base64 cores (the prefilter). */
  private readonly heads: string[];
  /** How many of `heads` are the keys' own. */
  private readonly keyHeads: number;
  /** The forms as per-character spellings, for the partial match at a chunk's end. */
  private readonly forms: ReturnType<typeof spellings>[][];
  /** The longest encoded length of any form (every character escaped). */
  readonly maxEncodedLength: number;

  private constructor(keys: readonly string[], cores: readonly string[]) {
    const forms = [...keys, ...cores];
    this.pattern = new RegExp(forms.map((f) => [...f].map(charPattern).join("")).join("|"), "g");
    const keyHeads = [...new Set(keys.map((f) => f.slice(0, HEAD_LENGTH)))];
    this.heads = [...keyHeads, ...new Set(cores.map((f) => f.slice(0, HEAD_LENGTH)))];
    this.keyHeads = keyHeads.length;
    this.forms = keys.map((f) => [...f].map(spellings));
    this.maxEncodedLength = Math.max(...keys.map((f) => f.length * 6));
  }

  /** A matcher for the managed keys a request used, or undefined when there is none worth searching. */
  static of(keys: ReadonlyArray<string | undefined>): SecretEcho | undefined {
    const kept = new Set<string>();
    const cores = new Set<string>();
    for (const k of keys) {
      if (k === undefined || k.length < MIN_KEY_LENGTH) continue;
      kept.add(k);
      if (k.length >= MIN_BASE64_KEY_LENGTH) for (const c of base64Cores(k)) cores.add(c);
    }
    return kept.size === 0 ? undefined : new SecretEcho([...kept], [...cores]);
  }

  /**
   * Whether `text` may hold a key (cheap; false means it certainly does not). `base64`
   * false skips the base64 heads: stream chunks, where a Basic credential is not expected
   * and each search costs on every chunk.
   */
  mayHold(text: string, base64 = true): boolean {
    if (text.indexOf("%") !== -1 || text.indexOf("\\u00") !== -1) return true;
    const heads = this.heads;
    const n = base64 ? heads.length : this.keyHeads;
    for (let i = 0; i < n; i++) if (text.indexOf(heads[i]!) !== -1) return true;
    return false;
  }

  /** `text` with every echo of a key replaced by the marker (`base64`: see mayHold). */
  redact(text: string, base64 = true): string {
    if (!this.mayHold(text, base64)) return text;
    this.pattern.lastIndex = 0;
    return text.replace(this.pattern, ECHO_MARK);
  }

  /**
   * The bytes with every echo replaced (the same buffer when there is none). One latin1
   * string and V8's own search cost less than several native Buffer searches (measured).
   */
  redactBytes(bytes: Buffer, base64 = true): Buffer {
    const text = bytes.toString("latin1");
    const out = this.redact(text, base64);
    return out === text ? bytes : Buffer.from(out, "latin1");
  }

  /**
   * Where, in the last characters of `text`, a key may begin that the text ends before
   * finishing (the next chunk may complete it), or -1.
   */
  partialTail(text: string): number {
    const len = text.length;
    for (let pos = Math.max(0, len - this.maxEncodedLength); pos < len; pos++) {
      for (const form of this.forms) if (this.runsToEnd(text, pos, form)) return pos;
    }
    return -1;
  }

  private runsToEnd(text: string, pos: number, form: ReturnType<typeof spellings>[]): boolean {
    let i = pos;
    for (const ch of form) {
      if (i >= text.length) return true;
      if (text.startsWith(ch.plain, i)) {
        i += ch.plain.length;
        continue;
      }
      let matched = false;
      for (const e of ch.escapes) {
        const part = text.slice(i, i + e.length).toLowerCase();
        if (part === e) {
          i += e.length;
          matched = true;
          break;
        }
        if (part.length < e.length && e.startsWith(part)) return true;
      }
      if (!matched) return false;
    }
    return false;
  }
}

/**
 * The redaction of a byte stream forwarded chunk by chunk. A chunk that ends in the middle
 * of a line may end in the middle of a key: the part from where a key could begin is held
 * back and sent with the next chunk (or the end). A chunk that ends a line is sent whole.
 */
export class SecretEchoStream {
  private held: Buffer | undefined;

  constructor(private readonly echo: SecretEcho) {}

  /**
   * The chunk to send now. `decoded`, when the caller has the chunk as text already (the SSE
   * parser decodes it), is searched instead of a latin1 copy: the usual clean chunk costs a
   * few string searches and no copy.
   */
  push(chunk: Uint8Array, decoded?: string): Buffer {
    let bytes = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let out: Buffer;
    if (this.held !== undefined) {
      bytes = Buffer.concat([this.held, bytes]);
      this.held = undefined;
      out = this.echo.redactBytes(bytes, false);
    } else if (decoded !== undefined && !this.echo.mayHold(decoded, false)) out = bytes;
    else out = this.echo.redactBytes(bytes, false);
    if (out.byteLength === 0 || out[out.byteLength - 1] === LF) return out;
    const from = Math.max(0, out.byteLength - this.echo.maxEncodedLength);
    const tail = out.toString("latin1", from);
    const at = this.echo.partialTail(tail);
    if (at === -1) return out;
    this.held = out.subarray(from + at);
    return out.subarray(0, from + at);
  }

  /** What is still held (an unfinished key prefix cannot be a whole key: sent as is). */
  end(): Buffer | undefined {
    const h = this.held;
    this.held = undefined;
    return h;
  }
}
