/**
 * IP socket plumbing (Go's net/ipsock_posix.go): which address family a
 * socket should use, IP to sockaddr conversion, and the IPv6 capability
 * probe.
 *
 * @module
 */

import { AF_INET, AF_INET6, SOCK_STREAM } from "../../ffi/constants.ts";
import { FD, Inet4Sockaddr, type RawSockaddr, sysSocket } from "../poll/fd.ts";
import { type Addr, AddrError } from "./errors.ts";
import { IP, IPv4len, IPv4zero, IPv6zero, isIPv4 } from "./ip.ts";
import { JoinHostPort } from "./ipsock.ts";

/** An address that can become a sockaddr (Go's `sockaddr` interface). */
export interface SockaddrAddr {
  /** AF_INET or AF_INET6, from the IP's form. */
  family(): number;
  /** Whether the address is unspecified (listen on all interfaces). */
  isWildcard(): boolean;
  /** The kernel address for a socket of family. */
  sockaddr(family: number): RawSockaddr | null;
}

interface IPStack {
  ipv4Enabled: boolean;
  ipv6Enabled: boolean;
  ipv4MappedIPv6Enabled: boolean;
}

let stack: IPStack | null = null;

/** Tries socket+bind to see which IP stacks the kernel offers (Go's probe). */
function probe(): IPStack {
  if (stack !== null) return stack;
  const tryBind = (family: number, addr: Uint8Array, v6only: number): boolean => {
    let s: number;
    try {
      s = sysSocket(family, SOCK_STREAM, 0);
    } catch {
      return false;
    }
    const fd = new FD(s, true, true);
    try {
      if (family === AF_INET6) {
        fd.SetsockoptInt(41, /* IPPROTO_IPV6 */ 26, /* IPV6_V6ONLY */ v6only);
      }
      fd.Bind({ family, addr, port: 0, scopeId: 0, path: "" });
      return true;
    } catch {
      return false;
    } finally {
      fd.Close();
    }
  };
  const v6loop = new Uint8Array(16);
  v6loop[15] = 1;
  const mapped = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]);
  stack = {
    ipv4Enabled: tryBind(AF_INET, new Uint8Array([127, 0, 0, 1]), 0),
    ipv6Enabled: tryBind(AF_INET6, v6loop, 1),
    ipv4MappedIPv6Enabled: tryBind(AF_INET6, mapped, 0),
  };
  return stack;
}

/** Whether the host can use IPv4. */
export function supportsIPv4(): boolean {
  return probe().ipv4Enabled;
}

/** Whether the host can use IPv6. */
export function supportsIPv6(): boolean {
  return probe().ipv6Enabled;
}

/** Whether an IPv6 socket can also carry IPv4 (IPv4-mapped addresses). */
export function supportsIPv4map(): boolean {
  return probe().ipv4MappedIPv6Enabled;
}

/**
 * Picks the address family and IPV6_V6ONLY for a socket (Go's
 * favoriteAddrFamily): a wildcard listen on "tcp" goes dual-stack on [::]
 * when IPv4-mapped addresses work.
 */
export function favoriteAddrFamily(
  network: string,
  laddr: SockaddrAddr | null,
  raddr: SockaddrAddr | null,
  mode: "listen" | "dial",
): [family: number, ipv6only: boolean] {
  switch (network[network.length - 1]) {
    case "4":
      return [AF_INET, false];
    case "6":
      return [AF_INET6, true];
  }
  if (mode === "listen" && (laddr === null || laddr.isWildcard())) {
    if (supportsIPv4map() || !supportsIPv4()) return [AF_INET6, false];
    if (laddr === null) return [AF_INET, false];
    return [laddr.family(), false];
  }
  if (
    (laddr === null || laddr.family() === AF_INET) &&
    (raddr === null || raddr.family() === AF_INET)
  ) {
    return [AF_INET, false];
  }
  return [AF_INET6, false];
}

/** The family an IP belongs to: AF_INET for IPv4 and IPv4-mapped forms. */
export function ipFamily(ip: IP | null): number {
  if (ip === null || ip.length <= IPv4len) return AF_INET;
  return isIPv4(ip) ? AF_INET : AF_INET6;
}

/** Resolves a zone (interface name or number) to an interface index. */
export function zoneToIndex(zone: string): number {
  if (zone === "") return 0;
  if (/^[0-9]+$/.test(zone)) return Number(zone);
  try {
    return Number(Deno.readTextFileSync(`/sys/class/net/${zone}/ifindex`).trim()) || 0;
  } catch {
    return 0;
  }
}

/** Resolves an interface index to its name (or the number as text). */
export function indexToZone(index: number): string {
  if (index === 0) return "";
  try {
    for (const e of Deno.readDirSync("/sys/class/net")) {
      const n = Number(Deno.readTextFileSync(`/sys/class/net/${e.name}/ifindex`).trim());
      if (n === index) return e.name;
    }
  } catch {
    // No sysfs: fall back to the number.
  }
  return String(index);
}

/**
 * Converts an IP and port into a sockaddr of family (Go's ipToSockaddr). An
 * empty or 0.0.0.0 address becomes [::] for IPv6 sockets, so the wildcard
 * covers both stacks.
 */
export function ipToSockaddr(
  family: number,
  ip: IP | null,
  port: number,
  zone: string,
): RawSockaddr {
  if (family === AF_INET) {
    if (ip === null || ip.length === 0) return new Inet4Sockaddr(0, port);
    if (!isIPv4(ip)) throw new AddrError("non-IPv4 address", ip.String());
    const o = ip.length - 4;
    return new Inet4Sockaddr(
      ((ip[o] << 24) | (ip[o + 1] << 16) | (ip[o + 2] << 8) | ip[o + 3]) >>> 0,
      port,
    );
  }
  if (family === AF_INET6) {
    const src = ip === null || ip.length === 0 || ip.Equal(IPv4zero) ? IPv6zero : ip;
    const ip6 = src.To16();
    if (ip6 === null) throw new AddrError("non-IPv6 address", ip!.String());
    // A copy: the conn's remote address is made from this later, and the
    // caller may change its own IP meanwhile.
    return { family, addr: ip6.slice(), port, scopeId: zoneToIndex(zone), path: "" };
  }
  throw new AddrError("invalid address family", ip === null ? "<nil>" : ip.String());
}

/**
 * What TCPAddr and UDPAddr share: an IP, a port and an IPv6 zone, printed
 * as "host:port" and convertible to a sockaddr.
 */
export abstract class InetAddr implements Addr {
  /** The IP; null means unspecified. */
  IP: IP | null;
  /** The port, 0–65535. */
  Port: number;
  /** The IPv6 scoped addressing zone, "" if none. */
  Zone: string;

  /** An address for ip (null: unspecified), port and zone. */
  constructor(ip: IP | null = null, port = 0, zone = "") {
    this.IP = ip;
    this.Port = port;
    this.Zone = zone;
  }

  /** The network name: "tcp" or "udp". */
  abstract Network(): string;

  /** "host:port", with brackets for IPv6: "[::1]:80". */
  String(): string {
    const ip = this.IP === null || this.IP.length === 0 ? "" : this.IP.String();
    return JoinHostPort(this.Zone !== "" ? `${ip}%${this.Zone}` : ip, String(this.Port));
  }

  /** Same as String(). */
  toString(): string {
    return this.String();
  }

  /**
   * AF_INET or AF_INET6.
   *
   * @internal
   */
  family(): number {
    return ipFamily(this.IP);
  }

  /**
   * Whether the IP is unspecified.
   *
   * @internal
   */
  isWildcard(): boolean {
    return this.IP === null || this.IP.IsUnspecified();
  }

  /**
   * The kernel form for a socket of family; throws Go's AddrError ("non-IPv4
   * address") when the IP does not fit the family.
   *
   * @internal
   */
  sockaddr(family: number): RawSockaddr {
    return ipToSockaddr(family, this.IP, this.Port, this.Zone);
  }
}

/** Converts an AF_INET/AF_INET6 sockaddr with make (Go's sockaddrToTCP/UDP). */
export function sockaddrToInet<A extends InetAddr>(
  sa: RawSockaddr,
  make: new (ip: IP, port: number, zone: string) => A,
): A | null {
  if (sa instanceof Inet4Sockaddr) {
    const a = sa.a32;
    const ip = new IP(4);
    ip[0] = a >>> 24;
    ip[1] = (a >>> 16) & 0xff;
    ip[2] = (a >>> 8) & 0xff;
    ip[3] = a & 0xff;
    return new make(ip, sa.port, "");
  }
  // A copy, not a view: it must not keep a shared buffer alive.
  const ip = new IP(sa.addr);
  if (sa.family === AF_INET) return new make(ip, sa.port, "");
  if (sa.family === AF_INET6) return new make(ip, sa.port, indexToZone(sa.scopeId));
  return null;
}

/**
 * Keeps the addresses that suit a local address's family (Go's
 * resolveAddrList with a hint); throws "no suitable address found".
 */
export function filterForLocal<A extends InetAddr>(addrs: A[], laddr: A | null): A[] {
  if (laddr === null || laddr.isWildcard()) return addrs;
  const local4 = isIPv4(laddr.IP!);
  const out = addrs.filter((a) => a.isWildcard() || (isIPv4(a.IP!)) === local4);
  if (out.length === 0) throw new AddrError("no suitable address found", laddr.String());
  return out;
}
