/**
 * Who is asking: the client address of an HTTP request, and the key its
 * limits are counted under. X-Forwarded-For is believed only as far as
 * TRUST_PROXY says (proxy-addr, as Express' "trust proxy" does): a header
 * from an untrusted peer is ignored, so it cannot buy a fresh address.
 */
import type { IncomingMessage } from "node:http";
import { isIPv6 } from "node:net";
import proxyaddr from "proxy-addr";
import type { TrustProxy } from "../config.ts";

export type AddressOf = (req: IncomingMessage) => string;

/** The client address of a request under `trust`. */
export function clientAddressResolver(trust: TrustProxy): AddressOf {
  if (trust.kind === "none") return (req) => req.socket.remoteAddress ?? "unknown";
  const fn = trust.kind === "hops" ? (_addr: string, i: number) => i < trust.hops : proxyaddr.compile([...trust.addresses]);
  return (req) => (req.socket.remoteAddress === undefined ? "unknown" : proxyaddr(req, fn));
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  if (!isIPv6(address)) return undefined;
  let text = address.split("%")[0]!;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + ((a << 8) | b).toString(16) + ":" + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.includes("::") ? text.split("::") as [string, string] : [text, undefined];
  const parse = (s: string | undefined): number[] => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const t = parse(tail);
  return [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/**
 * The key limits are counted under: an IPv4 address as is (also when
 * IPv4-mapped), an IPv6 address by its /64, since one subscriber usually
 * holds a whole /64 and could otherwise take a new address per request.
 */
export function limitKey(address: string): string {
  const groups = ipv6Groups(address);
  if (groups === undefined) return address;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}
