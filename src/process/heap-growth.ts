/**
 * How far V8 lets old space grow past what the last mark-compact left live before it runs the
 * next one. Left to itself V8 picks a factor of up to 4× when collection is fast: under the
 * bench's load with 256 connections in flight, old space filled with garbage to ~67 MB and
 * agw's RSS reached 172–217 MB (the bench's plain proxy: 129–139 MB). A fixed 2×
 * (`--heap-growing-percent=100`) held it at 142–159 MB. The price is more mark-compacts: no CPU
 * change measurable at 64 connections, and at 256 a median of +3% CPU per request over seven
 * side-by-side rows (bench:ab; −2% to +27%). 30% held ~135 MB but cost a fifth more CPU at 256.
 * Memory is what a container's limit cuts a gateway off at, so the default trades for it; the
 * operator's own `node --heap-growing-percent=… bin/agw.js` wins.
 */

export const HEAP_GROWTH_FLAG = "--heap-growing-percent=100";

/** The V8 flag to set at startup; undefined when Node's own arguments already set one. */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  // V8 reads its flags with dashes and underscores alike.
  const set = execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a));
  return set ? undefined : HEAP_GROWTH_FLAG;
}
