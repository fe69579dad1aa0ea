import { describe, expect, it } from "vitest";
import { compileConfig } from "../../src/config/compile.js";
import type { BindConfig, RouteConfig } from "../../src/config/schema.js";
import type { BindRuntime } from "../../src/runtime/snapshot.js";
import { hostOf, selectListener, selectRoute } from "../../src/server/match.js";

const backends = [{ host: "127.0.0.1:1" }];

function bindOf(routes: RouteConfig[], extraListeners: BindConfig["listeners"] = []): BindRuntime {
  const rt = compileConfig({ binds: [{ port: 1, listeners: [{ routes }, ...extraListeners] }] }, { env: {} });
  return rt.binds.get(1)!;
}

function pick(
  bind: BindRuntime,
  url: string,
  opts: { method?: string; host?: string; headers?: Record<string, string> } = {},
): string | undefined {
  const l = selectListener(bind, opts.host);
  if (l === undefined) return undefined;
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? "" : url.slice(q + 1);
  return selectRoute(l, opts.method ?? "GET", path, opts.headers ?? {}, query)?.name;
}

describe("route precedence", () => {
  it("exact beats prefix beats regex, whatever the file order", () => {
    const bind = bindOf([
      { name: "regex", matches: [{ path: { regex: "/v1/.*" } }], backends },
      { name: "prefix", matches: [{ path: { pathPrefix: "/v1" } }], backends },
      { name: "exact", matches: [{ path: { exact: "/v1/models" } }], backends },
    ]);
    expect(pick(bind, "/v1/models")).toBe("exact");
    expect(pick(bind, "/v1/chat")).toBe("prefix");
    expect(pick(bind, "/v1")).toBe("prefix");
  });

  it("the longest prefix wins, at segment boundaries only", () => {
    const bind = bindOf([
      { name: "root", matches: [{ path: { pathPrefix: "/" } }], backends },
      { name: "v1", matches: [{ path: { pathPrefix: "/v1/" } }], backends },
      { name: "v1chat", matches: [{ path: { pathPrefix: "/v1/chat" } }], backends },
    ]);
    expect(pick(bind, "/v1/chat/completions")).toBe("v1chat");
    expect(pick(bind, "/v1/chatty")).toBe("v1");
    expect(pick(bind, "/v1")).toBe("v1");
    expect(pick(bind, "/v10")).toBe("root");
    expect(pick(bind, "/")).toBe("root");
  });

  it("regex is anchored to the whole path and compiled once", () => {
    const bind = bindOf([{ name: "r", matches: [{ path: { regex: "/a+" } }], backends }]);
    expect(pick(bind, "/aaa")).toBe("r");
    expect(pick(bind, "/aaab")).toBeUndefined();
    expect(pick(bind, "/x/aaa")).toBeUndefined();
  });

  it("then method, then more headers, then more query params, then file order", () => {
    const bind = bindOf([
      { name: "plain", matches: [{ path: { pathPrefix: "/p" } }], backends },
      { name: "plain2", matches: [{ path: { pathPrefix: "/p" } }], backends },
      {
        name: "q1",
        matches: [{ path: { pathPrefix: "/p" }, query: [{ name: "a", value: { exact: "1" } }] }],
        backends,
      },
      {
        name: "q2",
        matches: [
          {
            path: { pathPrefix: "/p" },
            query: [
              { name: "a", value: { exact: "1" } },
              { name: "b", value: { regex: "[0-9]+" } },
            ],
          },
        ],
        backends,
      },
      {
        name: "h1",
        matches: [{ path: { pathPrefix: "/p" }, headers: [{ name: "X-Env", value: { exact: "prod" } }] }],
        backends,
      },
      {
        name: "h1q2",
        matches: [
          {
            path: { pathPrefix: "/p" },
            headers: [{ name: "x-env", value: { exact: "prod" } }],
            query: [{ name: "c", value: { exact: "1" } }],
          },
        ],
        backends,
      },
      { name: "post", matches: [{ path: { pathPrefix: "/p" }, method: "POST" }], backends },
    ]);
    const prod = { "x-env": "prod" };
    expect(pick(bind, "/p", { method: "POST", headers: prod })).toBe("post");
    expect(pick(bind, "/p?c=1&a=1&b=2", { headers: prod })).toBe("h1q2");
    expect(pick(bind, "/p?a=1&b=2", { headers: prod })).toBe("h1");
    expect(pick(bind, "/p?a=1&b=2")).toBe("q2");
    expect(pick(bind, "/p?a=1&b=x")).toBe("q1");
    expect(pick(bind, "/p?a=2")).toBe("plain");
  });

  it("a route without matches serves every path, as prefix /", () => {
    const bind = bindOf([
      { name: "all", backends },
      { name: "regex", matches: [{ path: { regex: "/x" } }], backends },
    ]);
    expect(pick(bind, "/x")).toBe("all");
  });

  it("a route with several matches is found by any of them", () => {
    const bind = bindOf([
      {
        name: "multi",
        matches: [{ path: { exact: "/a" } }, { path: { exact: "/b" }, method: "PUT" }],
        backends,
      },
    ]);
    expect(pick(bind, "/a")).toBe("multi");
    expect(pick(bind, "/b", { method: "PUT" })).toBe("multi");
    expect(pick(bind, "/b")).toBeUndefined();
  });
});

describe("listener selection by Host", () => {
  const bind = bindOf(
    [{ name: "none", backends }],
    [
      { hostname: "*.example.com", routes: [{ name: "wild", backends }] },
      { hostname: "*.api.example.com", routes: [{ name: "wildlong", backends }] },
      { hostname: "api.example.com", routes: [{ name: "exact", backends }] },
    ],
  );
  it("exact, then longest wildcard suffix, then the listener without hostname", () => {
    expect(pick(bind, "/", { host: "API.example.com:4000" })).toBe("exact");
    expect(pick(bind, "/", { host: "x.api.example.com" })).toBe("wildlong");
    expect(pick(bind, "/", { host: "x.example.com" })).toBe("wild");
    expect(pick(bind, "/", { host: "example.com" })).toBe("none");
    expect(pick(bind, "/", { host: "other.org" })).toBe("none");
    expect(pick(bind, "/")).toBe("none");
  });
  it("strips ports, including after an IPv6 literal", () => {
    expect(hostOf("[::1]:4000")).toBe("[::1]");
    expect(hostOf("Example.COM:80")).toBe("example.com");
    expect(hostOf(undefined)).toBe("");
  });
});
