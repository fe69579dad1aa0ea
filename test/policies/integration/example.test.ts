/** examples/policies.yaml loads and compiles into every policy object on the llm route. */
import { expect, it } from "vitest";
import { compileConfig } from "../../../src/config/compile.js";
import { loadConfigFile } from "../../../src/config/load.js";

it("examples/policies.yaml compiles every policy it declares", async () => {
  const env = { OPENAI_API_KEY: "sk-example", AGW_TEAM_KEY: "agw-example" };
  const loaded = await loadConfigFile(
    new URL("../../../examples/policies.yaml", import.meta.url).pathname,
    env,
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded));
  const runtime = compileConfig(loaded.config, { env });
  const route = runtime.binds.get(4000)?.any?.matches[0]?.route;
  expect(Object.keys(route?.policy ?? {}).sort()).toEqual(
    ["apiKey", "cors", "promptGuard", "rateLimit", "requestHeaders", "responseHeaders", "shaping"].sort(),
  );
});
