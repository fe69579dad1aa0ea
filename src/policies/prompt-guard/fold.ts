/**
 * The form a text takes before reject rules (blocklist words, regex rules with `action:
 * reject`) look at it, so that spelling tricks a model reads straight through do not hide a
 * word: Unicode compatibility decomposition (NFKD, per character: fullwidth `ｆａｌｃｏｎ`, ligatures,
 * superscripts, precomposed and decomposed accents all compare equal; blocklist words are folded
 * the same way) and invisible characters removed (format characters such as zero-width space,
 * joiners, word joiner, BOM, soft hyphen and bidi controls; combining grapheme joiner;
 * variation selectors), except tag characters U+E0020-E007E, which spell ASCII invisibly and
 * are read as the ASCII they spell. Cross-script look-alikes (Cyrillic `а` for Latin `a`) are NOT folded.
 *
 * Each folded character remembers where its character started in the original, so a decision
 * made on the folded text maps back to the text as sent (which is what is emitted or masked).
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is the range that never changes.
const NON_ASCII = /[^\u0000-\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is the range that never changes.
const NON_ASCII_RUN = /[^\u0000-\u007f]+/g;
// biome-ignore lint/suspicious/noMisleadingCharacterClass: code points removed one by one.
const INVISIBLE = /[\p{Cf}\u034f\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u;
// biome-ignore lint/suspicious/noMisleadingCharacterClass: code points removed one by one.
const INVISIBLE_ALL = /[\p{Cf}\u034f\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/gu;

/**
 * A folded text and the way back: segment k covers folded [fStart[k], fStart[k+1]) and came
 * from original [oStart[k], oStart[k+1]); an identity segment maps character for character,
 * any other maps every folded character to the start of its segment.
 */
export interface Folded {
  readonly text: string;
  /** The original index of folded index `i` (text.length maps to the original length). */
  orig(i: number): number;
  /** The first folded index whose original index is at least `o`. */
  folded(o: number): number;
}

const fold1 = (s: string): string => s.replace(INVISIBLE_ALL, "").normalize("NFKC");

interface CharInfo {
  /** The character folded alone. */
  readonly folded: string;
  /** Folding leaves it as it is. */
  readonly same: boolean;
  /** A combining mark (folds together with the character before it). */
  readonly mark: boolean;
}

const MARK = /^\p{M}$/u;
/** Per code point, for those met so far (bounded): adversarial text repeats its characters. */
const CHARS = new Map<number, CharInfo>();
const CHARS_MAX = 8192;

function charInfo(cp: number): CharInfo {
  let info = CHARS.get(cp);
  if (info === undefined) {
    const ch = String.fromCodePoint(cp);
    // Tag characters spell ASCII invisibly ("ASCII smuggling"), and models read them: fold to it.
    const folded = cp >= 0xe0020 && cp <= 0xe007e ? String.fromCharCode(cp - 0xe0000) : fold1(ch);
    info = { folded, same: folded === ch, mark: MARK.test(ch) };
    if (CHARS.size < CHARS_MAX) CHARS.set(cp, info);
  }
  return info;
}

/** A blocklist word, folded. */
export function foldWord(s: string): string {
  return fold1(s);
}

/** `s` folded, or undefined when folding leaves it as it is (the usual case: one native check). */
export function foldText(s: string): Folded | undefined {
  if (!NON_ASCII.test(s)) return undefined;
  if (!INVISIBLE.test(s) && s.normalize("NFKC") === s) return undefined;
  let text = "";
  const fStart: number[] = [];
  const oStart: number[] = [];
  const ident: boolean[] = [];
  let f = 0;
  let lastIdent = false;
  const push = (piece: string, o: number, same: boolean): void => {
    // Consecutive identity pieces are one segment.
    if (!(same && lastIdent)) {
      fStart.push(f);
      oStart.push(o);
      ident.push(same);
      lastIdent = same;
    }
    text += piece;
    f += piece.length;
  };
  let last = 0;
  NON_ASCII_RUN.lastIndex = 0;
  for (let m = NON_ASCII_RUN.exec(s); m !== null; m = NON_ASCII_RUN.exec(s)) {
    // The ASCII character before a run may take the run's combining marks.
    const a = m.index > last ? m.index - 1 : m.index;
    const b = m.index + m[0].length;
    if (a > last) push(s.slice(last, a), last, true);
    const run = s.slice(a, b);
    if (fold1(run) === run) push(run, a, true);
    else {
      // Character by character; a character followed by combining marks folds with them.
      let i = 0;
      while (i < run.length) {
        const cp = run.codePointAt(i)!;
        const w = cp > 0xffff ? 2 : 1;
        let j = i + w;
        while (j < run.length) {
          const next = run.codePointAt(j)!;
          if (!charInfo(next).mark) break;
          j += next > 0xffff ? 2 : 1;
        }
        if (j === i + w) {
          const info = charInfo(cp);
          push(info.folded, a + i, info.same);
        } else {
          const piece = run.slice(i, j);
          const cf = fold1(piece);
          push(cf, a + i, cf === piece);
        }
        i = j;
      }
    }
    last = b;
  }
  if (last < s.length) push(s.slice(last), last, true);
  fStart.push(f);
  oStart.push(s.length);
  const n = fStart.length - 1;

  const orig = (i: number): number => {
    if (i >= f) return s.length;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (fStart[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return ident[lo] ? oStart[lo]! + (i - fStart[lo]!) : oStart[lo]!;
  };
  const folded = (o: number): number => {
    if (o <= 0) return 0;
    if (o >= s.length) return f;
    // The segment holding original index o.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (oStart[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    if (ident[lo]) return fStart[lo]! + (o - oStart[lo]!);
    return o === oStart[lo] ? fStart[lo]! : fStart[lo + 1]!;
  };
  return { text, orig, folded };
}
