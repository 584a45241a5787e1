// Hosts on one machine, for what crosses a network: network namespaces (iproute2's `ip netns`), each with a veth
// pair into a bridge in this namespace, on a /24 of their own. Host k has address <net>.k; the bridge (this
// namespace, where the tests run) has <net>.254. A host's link can be taken down and up again.
import { execFileSync, spawnSync } from "node:child_process";

export interface TestNet {
  /** The namespaces' names, by host name. */
  names: Record<string, string>;
  /** A host's address. */
  address(host: string): string;
  /** This namespace's address on the bridge: on this machine, reachable only from here and the hosts above. */
  bridgeAddress: string;
  /** Takes a host's link down (packets dropped, nothing closed) or up again. */
  link(host: string, up: boolean): void;
  remove(): void;
}

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"] });

/** Whether this machine lets the tests make namespaces (root, iproute2). */
export function netnsAvailable(): boolean {
  const probe = `tp-probe-${process.pid}`;
  const made = spawnSync("ip", ["netns", "add", probe]);
  if (made.status !== 0) return false;
  spawnSync("ip", ["netns", "del", probe]);
  return true;
}

export function makeNet(hosts: readonly string[]): TestNet {
  // a /24 per run: two runs at once do not share one
  const tag = (process.pid % 200) + 20;
  const net = `10.231.${tag}`;
  const bridge = `tpbr${tag}`;
  const names: Record<string, string> = {};
  const veth = (host: string) => `tpv${tag}${host}`.slice(0, 15);
  const made: string[] = [];
  const remove = () => {
    for (const name of made) spawnSync("ip", ["netns", "del", name]);
    spawnSync("ip", ["link", "del", bridge]);
  };
  try {
    ip("link", "add", bridge, "type", "bridge");
    ip("addr", "add", `${net}.254/24`, "dev", bridge);
    ip("link", "set", bridge, "up");
    hosts.forEach((host, i) => {
      const name = `tp-${tag}-${host}`;
      names[host] = name;
      ip("netns", "add", name);
      made.push(name);
      ip("link", "add", veth(host), "type", "veth", "peer", "name", "eth0", "netns", name);
      ip("-n", name, "addr", "add", `${net}.${i + 1}/24`, "dev", "eth0");
      ip("-n", name, "link", "set", "eth0", "up");
      ip("-n", name, "link", "set", "lo", "up");
      ip("link", "set", veth(host), "master", bridge, "up");
    });
  } catch (err) {
    remove();
    throw err;
  }
  return {
    names,
    address: (host) => `${net}.${hosts.indexOf(host) + 1}`,
    bridgeAddress: `${net}.254`,
    link: (host, up) => ip("link", "set", veth(host), up ? "up" : "down"),
    remove,
  };
}
