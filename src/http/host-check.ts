/**
 * The Host check of the operational servers (admin, stats). A web page can point a name it
 * controls at 127.0.0.1 (DNS rebinding) and then read a loopback server from the operator's
 * browser as its own origin; the browser then sends that name in Host. So these servers
 * answer only a Host that cannot be such a name:
 *
 *   - an IP address literal (127.0.0.1, [::1], 10.0.0.5: a page served from an address is
 *     that address's own origin, and a scraper or probe reaching a pod by IP sends one),
 *   - `localhost`,
 *   - the host of the server's own configured address (`adminAddr: agw.internal:15000`),
 *   - a name listed in `config.adminAllowedHosts`,
 *
 * with any port. A request without Host (HTTP/1.0) does not come from a browser and passes.
 */
import { isIP } from "node:net";

export type HostCheck = (host: string | undefined) => boolean;

/** The host part of a Host header value, lower-case, without port, brackets or trailing dot. */
export function hostnameOf(hostHeader: string): string {
  let h = hostHeader.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end === -1 ? h : h.slice(1, end);
  }
  const colon = h.lastIndexOf(":");
  // One colon and digits after it: "name:port". Anything else is kept whole (and matches nothing).
  if (colon !== -1 && h.indexOf(":") === colon && /^[0-9]*$/.test(h.slice(colon + 1))) h = h.slice(0, colon);
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

/**
 * The check for a server on `addr` ("host:port", as configured): `allowed` are the extra
 * names from the configuration (a port in an entry is ignored).
 */
export function hostCheck(addr: string, allowed: readonly string[] = []): HostCheck {
  const names = new Set<string>(["localhost"]);
  names.add(hostnameOf(addr));
  for (const a of allowed) names.add(hostnameOf(a));
  return (host) => {
    if (host === undefined) return true;
    const name = hostnameOf(host);
    return names.has(name) || isIP(name) !== 0;
  };
}

/** The 403 body, naming the setting that lets the name in. */
export function forbiddenHostText(host: string): string {
  return `forbidden: Host "${hostnameOf(host).slice(0, 100)}" is not an address, localhost or a name in config.adminAllowedHosts\n`;
}
