/**
 * The deployment files under examples/deploy/ (Kubernetes manifests, docker compose): every
 * YAML document parses, the agw config inside each (the ConfigMap's data, the file compose
 * mounts) loads with the real loader, the container runs `agw -f` on the path the config is
 * mounted at, and the probes / health check ask the readiness endpoint the config opens.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { formatDiagnostic } from "../src/config/diagnostic.js";
import { type LoadResult, loadConfigFile, loadConfigText } from "../src/config/load.js";

const dir = fileURLToPath(new URL("../examples/deploy/", import.meta.url));

// Placeholder values for the variables the configs name; nothing here reaches a provider.
const env = { OPENAI_API_KEY: "test-openai", TEAM_A_KEY: "test-team-a" };

type Doc = Record<string, unknown>;

function documents(name: string): Doc[] {
  const docs = parseAllDocuments(readFileSync(`${dir}${name}`, "utf8"));
  if (!Array.isArray(docs)) throw new Error(`${name}: not YAML documents`);
  return docs.map((d) => {
    expect(
      d.errors.map((e) => e.message),
      name,
    ).toEqual([]);
    return d.toJS() as Doc;
  });
}

const obj = (v: unknown, what: string): Doc => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${what} is not a mapping`);
  return v as Doc;
};
const list = (v: unknown, what: string): unknown[] => {
  if (!Array.isArray(v)) throw new Error(`${what} is not a list`);
  return v;
};

function loaded(result: LoadResult): void {
  expect(result.ok ? [] : result.errors.map(formatDiagnostic)).toEqual([]);
  expect(result.warnings.map(formatDiagnostic)).toEqual([]);
}

/** The readiness port and path the config opens (`config.readinessAddr`). */
function readinessOf(result: LoadResult): { port: number; path: string } {
  if (!result.ok) throw new Error("the config did not load");
  const addr = result.config.config?.readinessAddr;
  expect(addr, "the config sets readinessAddr").toBeDefined();
  expect(addr).toMatch(/^0\.0\.0\.0:/);
  return { port: Number(String(addr).split(":").at(-1)), path: "/healthz/ready" };
}

/** `agw -f <file>`, the file being the config inside `mountDir`. */
function expectRunsAgw(command: unknown, configPath: string): void {
  expect(list(command, "command")).toEqual(["agw", "-f", configPath]);
}

describe("examples/deploy/kubernetes.yaml", () => {
  const docs = documents("kubernetes.yaml");
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const named = (kind: string, name: string): Doc => {
    const d = byKind(kind).find((x) => obj(x.metadata, "metadata").name === name);
    if (d === undefined) throw new Error(`no ${kind} ${name}`);
    return d;
  };

  it("has a ConfigMap, the agw and Redis Deployments and their Services", () => {
    expect(docs.map((d) => `${d.kind}/${obj(d.metadata, "metadata").name}`)).toEqual([
      "ConfigMap/agw-config",
      "Deployment/agw",
      "Service/agw",
      "Deployment/agw-redis",
      "Service/agw-redis",
    ]);
  });

  const agw = named("Deployment", "agw");
  const pod = obj(obj(obj(agw.spec, "spec").template, "template").spec, "pod spec");
  const container = obj(list(pod.containers, "containers")[0], "container");
  const mount = obj(list(container.volumeMounts, "volumeMounts")[0], "volumeMount");
  const volume = obj(
    list(pod.volumes, "volumes").find((v) => obj(v, "volume").name === mount.name),
    "the mounted volume",
  );
  const configMapName = obj(volume.configMap, "volume.configMap").name;
  const data = obj(named("ConfigMap", String(configMapName)).data, "ConfigMap data");
  const keys = Object.keys(data);
  const result = loadConfigText(String(data[keys[0]!]), { file: `configmap:${keys[0]}`, env });

  it("the ConfigMap's agw config loads with the real loader", () => {
    expect(keys).toEqual(["agw.yaml"]);
    loaded(result);
  });

  it("runs agw -f on the ConfigMap mounted as a directory (so its ..data swap reaches agw)", () => {
    expect(mount.subPath, "a subPath mount is never updated").toBeUndefined();
    expectRunsAgw(container.command, `${mount.mountPath}/${keys[0]}`);
  });

  it("probes ask the configured readiness port and path; Redis is the one the config names", () => {
    const { port, path } = readinessOf(result);
    for (const probe of ["readinessProbe", "livenessProbe"]) {
      const get = obj(obj(container[probe], probe).httpGet, `${probe}.httpGet`);
      expect(get, probe).toEqual({ path, port });
    }
    if (!result.ok) return;
    const redisUrl = new URL(String(result.config.config?.redis?.url));
    const service = named("Service", redisUrl.hostname);
    const ports = list(obj(service.spec, "spec").ports, "ports").map((p) => obj(p, "port").port);
    expect(ports).toContain(Number(redisUrl.port));
    const llmPort = result.config.llm?.port;
    const agwPorts = list(obj(named("Service", "agw").spec, "spec").ports, "ports");
    const containerPorts = list(container.ports, "ports").map((p) => obj(p, "port"));
    const target = obj(agwPorts[0], "port").targetPort;
    expect(containerPorts.find((p) => p.name === target)?.containerPort).toBe(llmPort);
  });
});

describe("examples/deploy/compose.yaml", () => {
  const [compose] = documents("compose.yaml");
  const services = obj(compose!.services, "services");
  const agws = Object.entries(services).filter(([name]) => name.startsWith("agw"));

  it("runs two agw instances and a Redis", () => {
    expect(agws.map(([name]) => name)).toEqual(["agw-1", "agw-2"]);
    expect(services.redis).toBeDefined();
  });

  it.each(agws)(
    "%s runs agw -f on the mounted agw.yaml, which loads; its health check asks readiness",
    async (_, s) => {
      const service = obj(s, "service");
      const volume = String(list(service.volumes, "volumes")[0]);
      const [source, target] = volume.split(":");
      expectRunsAgw(service.command, target!);
      const result = await loadConfigFile(`${dir}${source}`, env);
      loaded(result);
      const { port, path } = readinessOf(result);
      const test = list(obj(service.healthcheck, "healthcheck").test, "healthcheck.test").join(" ");
      expect(test).toContain(`http://127.0.0.1:${port}${path}`);
      if (!result.ok) return;
      expect(new URL(String(result.config.config?.redis?.url)).hostname).toBe("redis");
    },
  );

  it("the compose file's config and the ConfigMap's are the same but for the Redis host", () => {
    const k8s = documents("kubernetes.yaml").find((d) => d.kind === "ConfigMap");
    const inMap = String(obj(k8s?.data, "data")["agw.yaml"]);
    const file = readFileSync(`${dir}agw.yaml`, "utf8");
    const body = (t: string) =>
      t
        .split("\n")
        .filter((l) => !l.trimStart().startsWith("#") && !l.includes("redis:") && l.trim() !== "")
        .map((l) => l.replace(/\s+#.*$/, "").trim());
    expect(body(inMap)).toEqual(body(file));
  });
});
