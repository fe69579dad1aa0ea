/**
 * The workers' shared budget spend without processes: IPC-backed spend stores talking to one
 * primary through in-memory channels (messages delivered asynchronously, as IPC does), so a
 * key's budget holds across workers; a primary that never answers fails closed (503).
 */
import { describe, expect, it } from "vitest";
import type { PoliciesConfig } from "../../src/config/schema.js";
import { type BudgetDecision, createBudgetPolicy } from "../../src/policies/budget.js";
import type { IpcChannel } from "../../src/process/cluster-buckets.js";
import { ipcSpendStore, primarySpend } from "../../src/process/cluster-spend.js";

function channelTo(primary: ReturnType<typeof primarySpend>, deliver = true): IpcChannel {
  let listener: ((m: unknown) => void) | undefined;
  return {
    send(message) {
      if (!deliver) return true;
      const copy: unknown = structuredClone(message);
      setImmediate(() =>
        primary.handle(copy, (answer) => setImmediate(() => listener?.(structuredClone(answer)))),
      );
      return true;
    },
    onMessage(l) {
      listener = l;
    },
  };
}

const CFG: PoliciesConfig = {
  apiKey: { keys: [{ name: "a", key: "k", budget: { usd: 1, period: "daily" } }] },
};
const now = () => Date.UTC(2026, 11, 6, 12);

/** Resolves once the primary has handled everything sent so far (two IPC hops). */
const settled = () => new Promise((r) => setImmediate(() => setImmediate(() => setImmediate(r))));

describe("IPC spend stores share the primary's spend", () => {
  it("a key's spend charged on one worker stops it on the other", async () => {
    const primary = primarySpend();
    const [w1, w2] = [0, 1].map(() =>
      createBudgetPolicy(CFG, "llm", { spendStore: ipcSpendStore(channelTo(primary)), now }),
    );
    if (w1 === undefined || w2 === undefined) throw new Error("expected budget policies");
    expect(await w2.check("a")).toMatchObject({ ok: true });
    w1.charge("a", 0.6);
    w2.charge("a", 0.4);
    await settled();
    const d = (await w1.check("a")) as BudgetDecision;
    expect(d.ok === false && d.error.code).toBe("budget_exceeded");
    expect(((await w2.check("a")) as BudgetDecision).ok).toBe(false);
  });

  it("a primary that does not answer fails closed: 503 budget_unavailable", async () => {
    const policy = createBudgetPolicy(CFG, "llm", {
      spendStore: ipcSpendStore(channelTo(primarySpend(), false), 20),
      now,
    });
    const d = (await policy?.check("a")) as BudgetDecision;
    expect(d.ok).toBe(false);
    expect(d.ok === false && d.error.status).toBe(503);
    expect(d.ok === false && d.error.code).toBe("budget_unavailable");
  });

  it("drops malformed messages", () => {
    const primary = primarySpend();
    const replies: unknown[] = [];
    expect(
      primary.handle({ type: "agw:spend:get", id: 1, key: 5, periodStart: 0 }, (a) => replies.push(a)),
    ).toBe(true);
    expect(primary.handle({ type: "agw:spend:add", key: "k", usd: "x", periodStart: 0 }, () => {})).toBe(
      true,
    );
    expect(primary.handle({ type: "other" }, () => {})).toBe(false);
    expect(replies).toEqual([]);
  });
});
