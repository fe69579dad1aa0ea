/**
 * Upstream faults on a route with response guards: the answer is read whole to be judged,
 * so a JSON body cut or stalled midway, or one that is not JSON, must still end as a
 * well-formed 502/504 in the caller's envelope, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  combos,
  expectEnvelope,
  type FaultGateway,
  startFaultGateway,
  stillServes,
} from "./harness.js";

let g: FaultGateway;
beforeAll(async () => {
  g = await startFaultGateway({
    policiesYaml:
      "    ai:\n      promptGuard:\n        response:\n          - regex: { action: mask, rules: [{ builtin: email }] }",
  });
});
afterAll(async () => {
  await g.close();
});

const jsonCombos = combos().filter((c) => !c.stream);

describe("faults behind response guards (JSON answers)", () => {
  it.each(jsonCombos)("$label: a body cut midway is 502 upstream_unavailable", async (c) => {
    g.mock.script({
      reply: { text: "a long enough answer to be cut in the middle" },
      fault: { resetAfterBytes: 40 },
    });
    const r = await call(g, c);
    expect(r.status).toBe(502);
    expect(r.headers.get("x-agw-error-code")).toBe("upstream_unavailable");
    expectEnvelope(c.client, r.text);
    await stillServes(g, c);
  });

  it.each(jsonCombos)("$label: a success that is not JSON is 502 upstream_error", async (c) => {
    g.mock.script({ raw: "<html>gateway page</html>", headers: { "content-type": "text/html" } });
    const r = await call(g, c);
    expect(r.status).toBe(502);
    expect(r.headers.get("x-agw-error-code")).toBe("upstream_error");
    expectEnvelope(c.client, r.text);
  });

  it("the guard still masks a whole answer", async () => {
    const c = jsonCombos[0]!;
    g.mock.script({ reply: { text: "write to jane@example.com" } });
    const r = await call(g, c);
    expect(r.status).toBe(200);
    expect(r.text).toContain("<EMAIL_ADDRESS>");
    expect(r.text).not.toContain("jane@example.com");
  });
});
