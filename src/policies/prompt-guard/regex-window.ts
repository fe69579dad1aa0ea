/**
 * How far past its start a custom pattern can read: the longest match (lookaheads counted in
 * full), plus one character for a trailing `\b`/`$`-style check. Infinity when unbounded (`*`,
 * `+`, `{n,}`, backreferences). A small recursive-descent walk over the pattern source; it only
 * needs to be an upper bound, so anything it does not model precisely counts long.
 */
export function regexWindow(source: string): number {
  const w = new Walker(source);
  const len = w.alternation();
  return len + 1;
}

/**
 * How far past the end of a match more input could still extend it: one more than the longest
 * repeated unit (`[a-z]` in `[a-z]+` is 1, `(abc)+` is 3), Infinity when a repeated unit is
 * itself unbounded or uses a backreference. A greedy match ending at least this far before the
 * known end of the text cannot grow (approximately: lookarounds are not modelled).
 */
export function regexGrowth(source: string): number {
  const w = new Walker(source);
  w.alternation();
  return w.maxUnit + 1;
}

class Walker {
  private i = 0;
  /** The longest atom under a quantifier of more than one. */
  maxUnit = 0;
  constructor(private readonly s: string) {}

  alternation(): number {
    let best = this.sequence();
    while (this.s[this.i] === "|") {
      this.i++;
      best = Math.max(best, this.sequence());
    }
    return best;
  }

  private sequence(): number {
    let total = 0;
    while (this.i < this.s.length && this.s[this.i] !== "|" && this.s[this.i] !== ")") {
      const atom = this.atom();
      total += this.quantified(atom);
    }
    return total;
  }

  private atom(): number {
    const c = this.s[this.i++]!;
    if (c === "\\") return this.escape();
    if (c === "[") {
      while (this.i < this.s.length && this.s[this.i] !== "]") this.i += this.s[this.i] === "\\" ? 2 : 1;
      this.i++;
      return 1;
    }
    if (c === "(") {
      let lookbehind = false;
      if (this.s[this.i] === "?") {
        const rest = this.s.slice(this.i + 1);
        if (rest.startsWith("<=") || rest.startsWith("<!")) {
          lookbehind = true;
          this.i += 3;
        } else if (rest.startsWith("<")) {
          this.i = this.s.indexOf(">", this.i) + 1;
        } else this.i += 2;
      }
      const inner = this.alternation();
      this.i++;
      return lookbehind ? 0 : inner;
    }
    if (c === "^" || c === "$") return 0;
    return 1;
  }

  private escape(): number {
    const c = this.s[this.i++] ?? "";
    if (c >= "1" && c <= "9") return Number.POSITIVE_INFINITY;
    if (c === "k") return Number.POSITIVE_INFINITY;
    if (c === "b" || c === "B") return 0;
    if (c === "x") this.i += 2;
    else if (c === "u") {
      if (this.s[this.i] === "{") this.i = this.s.indexOf("}", this.i) + 1;
      else this.i += 4;
    } else if (c === "c") this.i += 1;
    else if ((c === "p" || c === "P") && this.s[this.i] === "{") this.i = this.s.indexOf("}", this.i) + 1;
    return 1;
  }

  private quantified(atom: number): number {
    const c = this.s[this.i];
    let times: number;
    if (c === "*" || c === "+") {
      this.i++;
      times = Number.POSITIVE_INFINITY;
    } else if (c === "?") {
      this.i++;
      times = 1;
    } else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i));
      if (m === null) return atom;
      this.i += m[0].length;
      times = m[2] === undefined ? Number(m[1]) : m[3] === "" ? Number.POSITIVE_INFINITY : Number(m[3]);
    } else return atom;
    if (this.s[this.i] === "?") this.i++;
    if (times > 1) this.maxUnit = Math.max(this.maxUnit, atom);
    if (atom === 0) return 0;
    return atom * times;
  }
}
