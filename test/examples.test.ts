import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../src/config/diagnostic.js";
import { loadConfigFile } from "../src/config/load.js";

const dir = fileURLToPath(new URL("../examples/", import.meta.url));
const examples = readdirSync(dir).filter((f) => f.endsWith(".yaml"));

// Placeholder values for the variables the examples name; nothing here reaches a provider.
const env = {
  OPENAI_API_KEY: "test-openai",
  ANTHROPIC_API_KEY: "test-anthropic",
  MANAGED_OPENAI_KEY: "test-managed",
  AGW_TEAM_KEY: "test-team",
  AZURE_OPENAI_API_KEY: "test-azure",
};

describe("examples/", () => {
  it("has the quickstart and the reference snippets", () => {
    expect(examples).toEqual(
      expect.arrayContaining([
        "quickstart.yaml",
        "agentgateway-opaque.yaml",
        "agentgateway-binds.yaml",
        "agentgateway-detect.yaml",
        "providers.yaml",
      ]),
    );
  });

  it.each(examples)("%s starts with the schema modeline and loads", async (name) => {
    const path = `${dir}${name}`;
    expect(readFileSync(path, "utf8").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../schema/config.schema.json",
    );
    const result = await loadConfigFile(path, env);
    expect(result.ok ? [] : result.errors.map(formatDiagnostic)).toEqual([]);
  });

  it("the quickstart needs no environment at all", async () => {
    const result = await loadConfigFile(`${dir}quickstart.yaml`, {});
    expect(result.ok).toBe(true);
  });
});
