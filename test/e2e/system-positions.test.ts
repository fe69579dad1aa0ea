/**
 * System and developer instructions given mid-conversation stay where they were: in place as
 * `system` messages on a Chat upstream, as a marked text block of the user turn on an
 * Anthropic upstream (whose one `system` holds only the leading ones).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

type Body = Record<string, unknown>;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const input = [
  { role: "user" as const, content: "A" },
  { role: "system" as const, content: "S1" },
  { role: "assistant" as const, content: "B" },
  { role: "developer" as const, content: "S2" },
  { role: "user" as const, content: "C" },
];

describe("responses client: system and developer items keep their positions", () => {
  it("→ chat upstream: each one a system message where it was (JSON)", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    const r = await h.openai.responses.create({ model: "oaichat-x", instructions: "I", input });
    expect(r.output_text).toBe("ok");
    expect(((await handle.request).json as Body).messages).toEqual([
      { role: "system", content: "I" },
      { role: "user", content: "A" },
      { role: "system", content: "S1" },
      { role: "assistant", content: "B" },
      { role: "system", content: "S2" },
      { role: "user", content: "C" },
    ]);
  });

  it("→ chat upstream, streamed: the same messages", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    const stream = h.openai.responses.stream({ model: "oaichat-x", input });
    expect((await stream.finalResponse()).output_text).toBe("ok");
    const msgs = ((await handle.request).json as Body).messages as Array<{ role: string }>;
    expect(msgs.map((m) => m.role)).toEqual(["user", "system", "assistant", "system", "user"]);
  });

  it("→ anthropic upstream: leading instructions in system, later ones in the user turn", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    const r = await h.openai.responses.create({
      model: "ant-x",
      input: [{ role: "developer", content: "Lead" }, ...input],
    });
    expect(r.output_text).toBe("ok");
    const body = (await handle.request).json as Body;
    expect(body.system).toBe("Lead");
    expect(body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "A" },
          { type: "text", text: "<system>\nS1\n</system>" },
        ],
      },
      { role: "assistant", content: [{ type: "text", text: "B" }] },
      {
        role: "user",
        content: [
          { type: "text", text: "<system>\nS2\n</system>" },
          { type: "text", text: "C" },
        ],
      },
    ]);
  });
});

describe("chat client → anthropic upstream: the same rule", () => {
  it("a system message after the first user turn rides in the next user turn", async () => {
    const handle = h.mock.script({ reply: { text: "ok" } });
    await h.openai.chat.completions.create({
      model: "ant-x",
      messages: [
        { role: "system", content: "Lead" },
        { role: "user", content: "A" },
        { role: "assistant", content: "B" },
        { role: "system", content: "S2" },
        { role: "user", content: "C" },
      ],
    });
    const body = (await handle.request).json as Body;
    expect(body.system).toBe("Lead");
    expect((body.messages as unknown[])[2]).toEqual({
      role: "user",
      content: [
        { type: "text", text: "<system>\nS2\n</system>" },
        { type: "text", text: "C" },
      ],
    });
  });
});
