/**
 * The one text scanner behind every regex and blocklist guard, for whole texts and for streams.
 *
 * Semantics (the same in both modes): scan left to right; at each point take the earliest match
 * of any rule (ties go to the rule listed first; a match failing the rule's validator, e.g.
 * Luhn, is skipped), replace it, continue after it.
 *
 * Streaming is exact because every rule declares a `window`: a bound on how far past a start
 * position its regex can look (longest match plus lookahead). The decision at position q
 * (match or not, and how long) is final once q + window <= known length. Inside the last window,
 * a rule also says which positions could still become (or extend) a match (`holdFrom`): for
 * builtins, a trailing run of characters the detector's matches are made of, beginning at a
 * character a match can begin with. Everything before the earliest such position is emitted,
 * so a stream of prose is held back by a word at most, never by the full window.
 */

import { foldText } from "./fold.js";

export interface ScanRule {
  readonly label: string;
  readonly re: RegExp;
  readonly placeholder: string;
  /** Longest match plus lookahead: how far past a start the regex may read. */
  readonly window: number;
  readonly validate?: (match: string) => boolean;
  /**
   * Set on rules whose matches may be longer than `window` (custom patterns with `+`, `*`,
   * `{n,}`...): a match ending fewer than `growth` characters before the known end of the text
   * may still grow, so a masking stream holds it (see MAX_MATCH_HOLD).
   */
  readonly growth?: number;
  /** The rule's regex, sticky: continues a match that was masked at MAX_MATCH_HOLD. */
  readonly sticky?: RegExp;
  /** Earliest position >= from in `text` whose outcome could still change if text were appended. */
  holdFrom(text: string, from: number): number;
}

export interface ScanHit {
  readonly start: number;
  readonly end: number;
  readonly rule: ScanRule;
}

/** Left context kept in front of the unemitted text, for lookbehinds (builtins look back <= 2). */
export const LEFT_CONTEXT = 64;

/**
 * The longest a masking stream holds a match that may still grow. Past it the held text is
 * masked (never released) and the text that continues the match is dropped until it ends.
 */
export const MAX_MATCH_HOLD = 4096;

/** How much of a match masked at MAX_MATCH_HOLD is kept to recognise its continuation. */
const CONTINUATION_PREFIX = 256;

export function nextHit(text: string, from: number, rules: readonly ScanRule[]): ScanHit | undefined {
  let best: ScanHit | undefined;
  for (const rule of rules) {
    const re = rule.re;
    re.lastIndex = from;
    for (;;) {
      const m = re.exec(text);
      if (m === null) break;
      if (best !== undefined && m.index >= best.start) break;
      if (m[0].length === 0) {
        re.lastIndex = m.index + 1;
        continue;
      }
      if (rule.validate !== undefined && !rule.validate(m[0])) {
        re.lastIndex = m.index + 1;
        continue;
      }
      best = { start: m.index, end: m.index + m[0].length, rule };
      break;
    }
  }
  return best;
}

/** A rule over a closed alphabet: only a trailing run of alphabet characters can still change. */
export function alphabetHold(
  window: number,
  inAlphabet: (c: string) => boolean,
  canStart: (c: string) => boolean,
): (text: string, from: number) => number {
  return (text, from) => {
    const n = text.length;
    const floor = Math.max(from, n - window + 1);
    let run = n;
    while (run > floor && inAlphabet(text[run - 1]!)) run--;
    for (let q = run; q < n; q++) if (canStart(text[q]!)) return q;
    return n;
  };
}

/** A rule with no known alphabet: the whole last window stays open. */
export function windowHold(window: number): (text: string, from: number) => number {
  return (text, from) => Math.min(text.length, Math.max(from, text.length - window + 1));
}

export interface ScanStep {
  /** Text that is final (masked where needed). */
  readonly out: string;
  readonly hits: readonly ScanHit[];
}

/**
 * Incremental scanner. `push` appends input and returns what became final; `flush` ends the
 * text. With `stopAtHit`, scanning stops at the first hit (reject guards): `out` is the text
 * before it and the hit is returned.
 */
export class TextScanner {
  private p = 0;
  private stopped = false;
  /** A match masked at MAX_MATCH_HOLD that may still be going on. */
  private continuing: { rule: ScanRule; prefix: string } | undefined;

  constructor(
    private readonly rules: readonly ScanRule[],
    private readonly stopAtHit: boolean,
    private buf = "",
  ) {}

  /** Characters received but not yet emitted. */
  get held(): number {
    return this.stopped ? 0 : this.buf.length - this.p;
  }

  push(text: string): ScanStep {
    if (this.stopped) return { out: "", hits: [] };
    this.buf += text;
    return this.step(false);
  }

  flush(): ScanStep {
    if (this.stopped) return { out: "", hits: [] };
    const r = this.step(true);
    this.buf = "";
    this.p = 0;
    return r;
  }

  private step(final: boolean): ScanStep {
    if (this.stopAtHit) return this.rejectStep(final);
    const { buf, rules } = this;
    let p = this.p;
    let out = "";
    const hits: ScanHit[] = [];
    let growing = false;
    const cont = this.continuing;
    if (cont !== undefined) {
      // The rest of a match masked at the bound: its prefix plus the new text, matched again.
      const test = cont.prefix + buf.slice(p);
      const re = cont.rule.sticky!;
      re.lastIndex = 0;
      const m = re.exec(test);
      const end = m === null ? 0 : m[0].length;
      p += Math.max(0, end - cont.prefix.length);
      growing = !final && m !== null && end + (cont.rule.growth ?? 1) > test.length;
      if (!growing) this.continuing = undefined;
    }
    while (!growing) {
      let h = buf.length;
      if (!final) for (const r of rules) h = Math.min(h, r.holdFrom(buf, p));
      const m = nextHit(buf, p, rules);
      if (m !== undefined && (final || m.start < h)) {
        const growth = m.rule.growth;
        if (!final && !this.stopAtHit && growth !== undefined && m.end + growth > buf.length) {
          // The match may still grow: hold it whole, up to the bound.
          out += buf.slice(p, m.start);
          if (buf.length - m.start <= MAX_MATCH_HOLD) {
            p = m.start;
            break;
          }
          hits.push(m);
          out += m.rule.placeholder;
          p = m.end;
          this.continuing = { rule: m.rule, prefix: buf.slice(m.start, m.start + CONTINUATION_PREFIX) };
          break;
        }
        out += buf.slice(p, m.start);
        hits.push(m);
        if (this.stopAtHit) {
          this.stopped = true;
          p = m.end;
          break;
        }
        out += m.rule.placeholder;
        p = m.end;
        continue;
      }
      out += buf.slice(p, h);
      p = h;
      break;
    }
    const keepFrom = Math.max(0, p - LEFT_CONTEXT);
    this.buf = buf.slice(keepFrom);
    this.p = p - keepFrom;
    return { out, hits };
  }

  /**
   * A reject scan: rules see the folded text (fold.ts) and their decisions map back to the
   * text as sent, which is what is emitted. One hit ends the scan.
   */
  private rejectStep(final: boolean): ScanStep {
    const { buf, rules } = this;
    let p = this.p;
    const f = foldText(buf);
    const view = f === undefined ? buf : f.text;
    const orig = (i: number): number => (f === undefined ? i : f.orig(i));
    const from = f === undefined ? p : f.folded(p);
    let h = view.length;
    if (!final) for (const r of rules) h = Math.min(h, r.holdFrom(view, from));
    const m = nextHit(view, from, rules);
    let out: string;
    const hits: ScanHit[] = [];
    if (m !== undefined && (final || m.start < h)) {
      const start = orig(m.start);
      out = buf.slice(p, start);
      hits.push({ start, end: orig(m.end), rule: m.rule });
      this.stopped = true;
      p = buf.length;
    } else {
      const upTo = Math.max(p, orig(h));
      out = buf.slice(p, upTo);
      p = upTo;
    }
    const keepFrom = Math.max(0, p - LEFT_CONTEXT);
    this.buf = buf.slice(keepFrom);
    this.p = p - keepFrom;
    return { out, hits };
  }
}

/** Whole-text scan: the same semantics as a stream that receives `text` in one piece. */
export function scanAll(text: string, rules: readonly ScanRule[], stopAtHit: boolean): ScanStep {
  return new TextScanner(rules, stopAtHit, text).flush();
}
