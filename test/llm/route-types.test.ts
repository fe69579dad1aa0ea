/** Route types by path: letter case and a trailing slash never make an LLM path opaque (issue 16, item 2c). */
import { describe, expect, it } from "vitest";
import { compileRouteTypes, LLM_DEFAULT_ROUTES, routeTypeFor } from "../../src/llm/route-types.js";

const table = compileRouteTypes(LLM_DEFAULT_ROUTES);

describe("routeTypeFor", () => {
  it.each([
    ["/v1/chat/completions", "completions"],
    ["/v1/chat/completions/", "completions"],
    ["/V1/chat/completions", "completions"],
    ["/v1/Chat/Completions", "completions"],
    ["/V1/MESSAGES/", "messages"],
    ["/v1/messages/Count_Tokens", "anthropicTokenCount"],
    ["/v1/Responses/", "responses"],
    ["/chat/completions", "completions"],
    ["/Chat/Completions/", "completions"],
    ["/models/", "models"],
    ["/v1/files", "passthrough"],
    ["/v1/responses/resp_1", "passthrough"],
    ["/v1/threads/t/Messages", "passthrough"],
    ["/", "passthrough"],
  ])("%s → %s", (path, type) => {
    expect(routeTypeFor(table, path)).toBe(type);
  });

  it("configured keys fold the same way; the one written last wins", () => {
    const t = compileRouteTypes({
      "/V1/Chat/Completions/": "passthrough",
      "/v1/chat/completions": "completions",
    });
    expect(routeTypeFor(t, "/v1/CHAT/completions")).toBe("completions");
    const u = compileRouteTypes({ "/v1/chat/completions": "completions", "/V1/X/": "messages" });
    expect(routeTypeFor(u, "/v1/x")).toBe("messages");
  });
});

describe("Gemini's models.get path", () => {
  it("/v1beta/models/{model} is the models type where /v1beta/models is, and nothing else is caught", () => {
    const llm = compileRouteTypes(LLM_DEFAULT_ROUTES);
    expect(routeTypeFor(llm, "/v1beta/models/gemini-2.5-pro")).toBe("models");
    expect(routeTypeFor(llm, "/v1beta/models/gemini-2.5-pro/")).toBe("models");
    expect(routeTypeFor(llm, "/v1beta/models/gemini-2.5-pro:generateContent")).toBe("generateContent");
    expect(routeTypeFor(llm, "/v1beta/models/x/operations")).toBe("passthrough");
    expect(routeTypeFor(llm, "/v1beta/models/")).toBe("models");
    expect(routeTypeFor(llm, "/v1beta/tunedModels/x")).toBe("passthrough");
    const custom = compileRouteTypes({ "/v1/chat/completions": "completions", "*": "passthrough" });
    expect(routeTypeFor(custom, "/v1beta/models/gemini-2.5-pro")).toBe("passthrough");
  });
});
