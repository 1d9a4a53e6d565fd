import dns from "node:dns/promises";
import net from "node:net";
import { InvalidRequestError } from "../spec/index.js";

/** Resolves a hostname to all of its addresses (`dns.lookup` with `all: true`). Injectable for tests. */
export type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const defaultLookup: LookupAll = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** Loopback, private, link-local, unspecified, carrier-grade NAT, multicast and reserved ranges. */
const blockedRanges = (() => {
  const list = new net.BlockList();
  for (const [network, prefix] of [
    ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
    ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4],
  ] as const) list.addSubnet(network, prefix, "ipv4");
  for (const [network, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8]] as const) list.addSubnet(network, prefix, "ipv6");
  return list;
})();

/**
 * Which MCP server addresses may be reached: public addresses always; loopback and private ones only when the
 * allow-list (config `mcpAllowedHosts`) names the host, the address or a CIDR range holding it.
 */
export class AddressPolicy {
  private readonly hosts = new Set<string>();
  private readonly ranges = new net.BlockList();

  constructor(allowed: readonly string[], private readonly lookup: LookupAll = defaultLookup) {
    for (const entry of allowed) {
      const [address, prefix] = entry.split("/");
      const family = net.isIP(address ?? "");
      if (family === 0) {
        this.hosts.add(entry.toLowerCase());
        continue;
      }
      const type = family === 4 ? "ipv4" : "ipv6";
      this.ranges.addSubnet(address!, prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix), type);
    }
  }

  /** Whether one resolved address may be connected to. */
  allowsAddress(address: string): boolean {
    // BlockList matches IPv4-mapped IPv6 (`::ffff:10.0.0.1`) against the IPv4 rules.
    const type = net.isIP(address) === 6 ? "ipv6" : "ipv4";
    if (this.ranges.check(address, type)) return true;
    return !blockedRanges.check(address, type);
  }

  /**
   * Checks an MCP server URL before anything connects to it: http(s) only, and every address its host resolves to
   * must be allowed. Throws InvalidRequestError (param `url`, code `mcp_url_not_allowed`).
   */
  async assertUrlAllowed(url: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidRequestError({ message: `url must be an http(s) URL such as https://mcp.example.com/mcp`, param: "url" });
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new InvalidRequestError({ message: `url must be an http(s) URL such as https://mcp.example.com/mcp`, param: "url" });
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    if (this.hosts.has(host)) return;
    const addresses = net.isIP(host) ? [host] : await this.resolve(host);
    const refused = addresses.find((address) => !this.allowsAddress(address));
    if (refused !== undefined) {
      throw new InvalidRequestError({
        message: `url ${parsed.origin} resolves to ${refused}, a loopback or private address; allow it with AIPLUS_MCP_ALLOWED_HOSTS (config mcpAllowedHosts)`,
        param: "url",
        code: "mcp_url_not_allowed",
      });
    }
  }

  /** A `lookup` for node's http(s) that refuses disallowed addresses at connect time (no DNS rebinding after the check). */
  connectLookup(): net.LookupFunction {
    return (hostname, options, callback) => {
      const done = callback;
      const host = hostname.toLowerCase();
      this.resolve(host).then(
        (addresses) => {
          const usable = this.hosts.has(host) ? addresses : addresses.filter((entry) => this.allowsAddress(entry));
          const first = usable[0];
          if (first === undefined) {
            done(Object.assign(new Error(`${hostname} resolves only to loopback or private addresses, which are not allowed`), { code: "EACCES" }), "");
            return;
          }
          const entries = usable.map((address) => ({ address, family: net.isIP(address) }));
          if (options.all) done(null, entries);
          else done(null, first, net.isIP(first));
        },
        (error: Error) => done(error, ""),
      );
    };
  }

  private async resolve(host: string): Promise<string[]> {
    try {
      return (await this.lookup(host)).map((entry) => entry.address);
    } catch (error) {
      throw new InvalidRequestError({ message: `cannot resolve the host of url: ${host}`, param: "url", code: "mcp_url_unresolvable", cause: error });
    }
  }
}

