/**
 * The recent-requests ring: entries come back as they went in (as JSON would carry them),
 * oldest first, the oldest overwritten at capacity, long and non-ASCII entries included.
 */
import { describe, expect, it } from "vitest";
import { type AccessLogEntry, accessLogJsonFields } from "../../src/observability/access-log.js";
import { createRecentRequests, type RecentEntry } from "../../src/observability/recent.js";

function entry(i: number, extra: Partial<AccessLogEntry> = {}): AccessLogEntry {
  return {
    requestId: `req-${i}`,
    bind: 4000,
    listener: "llm",
    route: "llm",
    routeType: "completions",
    backend: "openai",
    method: "POST",
    path: "/v1/chat/completions",
    status: 200,
    durationMs: 1.234 + i,
    upstreamMs: 0.5,
    ttftMs: undefined,
    provider: "openai",
    model: "gpt-4o-mini",
    upstreamModel: "gpt-4o-mini",
    responseModel: "gpt-4o-mini-2024-07-18",
    inputTokens: 12,
    outputTokens: i,
    cachedTokens: undefined,
    routing: "route:llm",
    strategy: "single",
    target: "gpt",
    attempts: 1,
    keyName: undefined,
    error: undefined,
    traceId: "0af7651916cd43dd8448eb211c80319c",
    ...extra,
  };
}

/** What an entry is once it has been through JSON (undefined fields gone). */
const asJson = (e: AccessLogEntry): unknown => JSON.parse(JSON.stringify(e));

const withoutStamp = ({ time: _t, seq: _s, ...rest }: RecentEntry): unknown => rest;

describe("recent requests", () => {
  it("gives entries back as JSON carries them, oldest first, with time and seq", () => {
    const r = createRecentRequests(4, () => 1000);
    r.add(entry(1));
    r.add(entry(2), undefined, 2000);
    const list = r.list();
    expect(list.map(withoutStamp)).toEqual([asJson(entry(1)), asJson(entry(2))]);
    expect(list.map((e) => [e.time, e.seq])).toEqual([
      [1000, 1],
      [2000, 2],
    ]);
    expect(r.list(1).map((e) => e.requestId)).toEqual(["req-2"]);
    expect(r.list(2)).toEqual([]);
  });

  it("keeps the last `capacity` entries", () => {
    const r = createRecentRequests(3);
    for (let i = 1; i <= 7; i++) r.add(entry(i));
    expect(r.list().map((e) => e.requestId)).toEqual(["req-5", "req-6", "req-7"]);
    expect(r.list(6).map((e) => e.seq)).toEqual([7]);
  });

  it("keeps entries longer than a slot, and non-ASCII and escaped text, exactly", () => {
    const r = createRecentRequests(3);
    const longModel = `m-${"é".repeat(600)}`;
    const odd = entry(2, { path: '/v1/ch"at\\\n\u2028', model: "模型-🚀", error: "x\u0001y" });
    r.add(entry(1, { model: longModel }));
    r.add(odd);
    r.add(entry(3, { path: `/${"a".repeat(2000)}` }));
    // A long entry overwritten by a short one, and a short one by a long one.
    r.add(entry(4));
    r.add(entry(5, { model: longModel }));
    const list = r.list();
    expect(list.map(withoutStamp)).toEqual([
      asJson(entry(3, { path: `/${"a".repeat(2000)}` })),
      asJson(entry(4)),
      asJson(entry(5, { model: longModel })),
    ]);
    const again = createRecentRequests(2);
    again.add(odd);
    expect(again.list().map(withoutStamp)).toEqual([asJson(odd)]);
  });

  it("reads back every entry size around the slot's edge, in one- and multi-byte text", () => {
    const r = createRecentRequests(1);
    for (const ch of ["a", "é", "🚀"]) {
      for (let n = 0; n < 800; n++) {
        const e = entry(n, { path: `/${ch.repeat(n)}` });
        r.add(e);
        expect(withoutStamp(r.list()[0]!)).toEqual(asJson(e));
      }
    }
  });

  it("takes an entry by its JSON fields alone (as a cluster worker forwards it)", () => {
    const r = createRecentRequests(2, () => 7);
    const seen: RecentEntry[] = [];
    r.subscribe((e) => seen.push(e));
    const e = entry(1, { model: "模型" });
    r.addFields(accessLogJsonFields(e), 9);
    r.add(entry(2), accessLogJsonFields(entry(2)));
    expect(r.list().map(withoutStamp)).toEqual([asJson(e), asJson(entry(2))]);
    expect(seen.map(withoutStamp)).toEqual([asJson(e), entry(2)]);
    expect(seen.map((x) => [x.time, x.seq])).toEqual([
      [9, 1],
      [7, 2],
    ]);
  });

  it("tells subscribers of each new entry until they unsubscribe", () => {
    const r = createRecentRequests(2, () => 5);
    const seen: RecentEntry[] = [];
    const off = r.subscribe((e) => seen.push(e));
    r.add(entry(1));
    off();
    r.add(entry(2));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ requestId: "req-1", time: 5, seq: 1 });
  });
});
