/** `agw explain -f FILE MODEL [--path P]`: exit 0 with the explanation, 1 on an invalid file or an unserved model. */
import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli.js";

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      readStdin: async () => "",
      env,
    },
  };
}

const env = { OPENAI_API_KEY: "sk-a", ANTHROPIC_API_KEY: "sk-b", MANAGED_OPENAI_KEY: "sk-c" };

describe("agw explain", () => {
  it("explains a model of the managed-routing example, naming sources and never keys", async () => {
    const t = io(env);
    const code = await main(
      [
        "node",
        "agw",
        "explain",
        "-f",
        "examples/managed-routing.yaml",
        "summarize",
        "--path",
        "/v1/chat/completions",
      ],
      t.io,
    );
    expect(code).toBe(0);
    const text = t.out.join("");
    expect(text).toContain("path:       function:summarize");
    expect(text).toContain("strategy:   fallback");
    expect(text).toContain("env::MANAGED_OPENAI_KEY");
    expect(text).toContain("OpenAI Chat Completions → Anthropic Messages");
    expect(text).not.toMatch(/sk-[abc]\b/);
  });

  it("exits 1 with a clear message when the model resolves to nothing", async () => {
    const t = io(env);
    expect(await main(["node", "agw", "explain", "-f", "examples/managed-routing.yaml", "nope"], t.io)).toBe(
      1,
    );
    expect(t.err.join("")).toContain('"nope" resolves to nothing');
  });

  it("exits 1 on an invalid file (a credential variable not set)", async () => {
    const t = io({});
    expect(
      await main(["node", "agw", "explain", "-f", "examples/managed-routing.yaml", "gpt-4o"], t.io),
    ).toBe(1);
    expect(t.err.join("")).toContain("invalid");
  });
});
