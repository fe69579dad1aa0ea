/**
 * V8 doubles its young generation (two semi-spaces) whenever more survives a scavenge than it
 * holds, and gives the memory back only when a collection finds the heap idle. Startup
 * allocates much that lives (modules, the config schema and its validator, the compiled
 * snapshot), so startup alone grew agw's young generation to its maximum, 2 × 16 MB, resident
 * while the gateway idled (the bench's plain proxy idles at 2 × 4 MB). Growth is held off while
 * agw starts (`--semi-space-growth-factor=1`) and V8's own factor is given back once it
 * listens, so traffic grows it as before (under load both proxies reach 2 × 16 MB: the peak is
 * not lowered). With examples/bench.yaml, RSS 3 s after start went from 112 to 91 MB, and 45 s
 * after start from 116–120 MB to 72 MB: with the small heap V8's memory reducer then runs and
 * trims it, which without the hold it never did in those runs. The price is ~0.15 s more CPU at
 * startup (more scavenges). An operator's own `--semi-space-growth-factor` is left alone.
 */
import { setFlagsFromString } from "node:v8";

export const HOLD_FLAG = "--semi-space-growth-factor=1";
/** V8's default. */
export const RELEASE_FLAG = "--semi-space-growth-factor=2";

type SetFlags = (flag: string) => void;

let held = false;

/** At process start: keeps the young generation at its initial size until releaseYoungGeneration. */
export function holdYoungGeneration(execArgv: readonly string[], set: SetFlags = setFlagsFromString): void {
  // V8 reads its flags with dashes and underscores alike.
  if (execArgv.some((a) => /^--semi[-_]space[-_]growth[-_]factor(=|$)/.test(a))) return;
  set(HOLD_FLAG);
  held = true;
}

/** Once the process has started (listening, or a cluster's primary forking): V8's growth again. */
export function releaseYoungGeneration(set: SetFlags = setFlagsFromString): void {
  if (!held) return;
  held = false;
  set(RELEASE_FLAG);
}
