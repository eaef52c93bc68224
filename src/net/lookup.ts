/**
 * Name and port resolution (Go's net/lookup.go and the address-list parts
 * of ipsock.go and dial.go): the Resolver, IP literals, /etc/hosts, then
 * getaddrinfo off the main thread.
 *
 * @module
 */

import { AF_INET, AF_INET6 } from "../../ffi/constants.ts";
import {
  EAI_AGAIN,
  EAI_NODATA,
  EAI_NONAME,
  gaiStrerror,
  getaddrinfo,
  getnameinfo,
} from "../../ffi/netdb.ts";
import { AddrError, DNSError, UnknownNetworkError } from "./errors.ts";
import { lookupStaticAddr, lookupStaticHost } from "./hosts.ts";
import { IP, IPv4zero, IPv6unspecified, isIPv4, ParseIP, parseIPZone } from "./ip.ts";
import { indexToZone } from "./ipsock_posix.ts";
import { parsePort, SplitHostPort } from "./ipsock.ts";
import { lookupPortMap } from "./port_unix.ts";
import { TCPAddr } from "./tcpsock.ts";

/** An IP address with its IPv6 zone (Go's `net.IPAddr`). */
export interface IPAddr {
  /** The address. */
  IP: IP;
  /** The IPv6 zone, "" if none. */
  Zone: string;
}

const errNoSuchHost = "no such host";
const errNoSuitableAddress = "no suitable address found";

/** A DNSError for an aborted lookup: the cause is the abort reason. */
function abortError(signal: AbortSignal, name: string): DNSError {
  const reason = signal.reason;
  const timeout = reason instanceof DOMException && reason.name === "TimeoutError";
  const err = new DNSError({
    Err: reason instanceof Error ? reason.message : "operation was canceled",
    Name: name,
    IsTimeout: timeout,
  });
  (err as { cause?: unknown }).cause = reason;
  return err;
}

/** Settles with p, or rejects as soon as signal aborts. */
function abortable<T>(p: Promise<T>, signal: AbortSignal | null, name: string): Promise<T> {
  if (signal === null) return p;
  if (signal.aborted) return Promise.reject(abortError(signal, name));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, name));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function sockaddrIP(addr: Uint8Array): IP {
  return new IP(addr);
}

/**
 * Looks up names and services (Go's `net.Resolver`). IP literals need no
 * lookup; names are looked up in /etc/hosts, then with getaddrinfo on a
 * worker thread. Every method takes an AbortSignal (Go's context) first.
 * Subclass it and override LookupIPAddr to supply your own answers.
 *
 * @example
 * ```ts
 * import { Resolver } from "@netpoll/net";
 * const addrs = await new Resolver().LookupHost(null, "localhost");
 * console.log(addrs.includes("127.0.0.1")); // true
 * ```
 */
export class Resolver {
  /** The IP addresses of host, with zones. */
  async LookupIPAddr(signal: AbortSignal | null, host: string): Promise<IPAddr[]> {
    if (host === "") throw new DNSError({ Err: errNoSuchHost, Name: host, IsNotFound: true });
    const [ip, zone] = parseIPZone(host);
    if (ip !== null) return [{ IP: ip, Zone: zone }];
    signal?.throwIfAborted();
    const addrs: IPAddr[] = [];
    for (const s of lookupStaticHost(host)) {
      const [hip, hzone] = parseIPZone(s);
      if (hip !== null) addrs.push({ IP: hip, Zone: hzone });
    }
    if (addrs.length > 0) return addrs;
    const [code, sas] = await abortable(getaddrinfo(host), signal, host);
    if (code !== 0) {
      const notFound = code === EAI_NONAME || code === EAI_NODATA;
      throw new DNSError({
        Err: notFound ? errNoSuchHost : gaiStrerror(code),
        Name: host,
        IsNotFound: notFound,
        IsTemporary: code === EAI_AGAIN,
      });
    }
    const seen = new Set<string>();
    for (const sa of sas) {
      if (sa.family !== AF_INET && sa.family !== AF_INET6) continue;
      const a: IPAddr = {
        IP: sockaddrIP(sa.addr),
        Zone: sa.family === AF_INET6 ? indexToZone(sa.scopeId) : "",
      };
      const key = a.IP.String() + "%" + a.Zone;
      if (!seen.has(key)) {
        seen.add(key);
        addrs.push(a);
      }
    }
    if (addrs.length === 0) {
      throw new DNSError({ Err: errNoSuchHost, Name: host, IsNotFound: true });
    }
    return addrs;
  }

  /** The addresses of host as strings ("127.0.0.1", "fe80::1%eth0"). */
  async LookupHost(signal: AbortSignal | null, host: string): Promise<string[]> {
    const addrs = await this.LookupIPAddr(signal, host);
    return addrs.map((a) => a.Zone !== "" ? `${a.IP.String()}%${a.Zone}` : a.IP.String());
  }

  /** The IPs of host for network "ip", "ip4" or "ip6". */
  async LookupIP(signal: AbortSignal | null, network: string, host: string): Promise<IP[]> {
    if (network !== "ip" && network !== "ip4" && network !== "ip6") {
      throw new UnknownNetworkError(network);
    }
    const ips = (await this.LookupIPAddr(signal, host)).map((a) => a.IP).filter((ip) =>
      network === "ip" || (network === "ip4") === (isIPv4(ip))
    );
    if (ips.length === 0) {
      throw new DNSError({ Err: errNoSuitableAddress, Name: host, IsNotFound: true });
    }
    return ips;
  }

  /** The port for a service on network: numbers 0–65535, or names from the services database. */
  LookupPort(signal: AbortSignal | null, network: string, service: string): Promise<number> {
    try {
      signal?.throwIfAborted();
      return Promise.resolve(lookupPort(network, service));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The names for an address: /etc/hosts, then reverse DNS. */
  async LookupAddr(signal: AbortSignal | null, addr: string): Promise<string[]> {
    const names = lookupStaticAddr(addr);
    if (names.length > 0) return names;
    const ip = ParseIP(addr);
    if (ip === null) {
      throw new DNSError({ Err: "unrecognized address", Name: addr });
    }
    const [code, name] = await abortable(getnameinfo(ip.To4() ?? ip), signal, addr);
    if (code !== 0) {
      const notFound = code === EAI_NONAME || code === EAI_NODATA;
      throw new DNSError({
        Err: notFound ? errNoSuchHost : gaiStrerror(code),
        Name: addr,
        IsNotFound: notFound,
      });
    }
    return [name.endsWith(".") ? name : name + "."];
  }
}

const stockLookupPort = Resolver.prototype.LookupPort;

/** The resolver package-level lookups and Dial use by default. */
export const DefaultResolver: Resolver = new Resolver();

/**
 * Resolves a service to a port (Go's LookupPort): numbers 0–65535, else a
 * name from the services database.
 */
export function lookupPort(network: string, service: string): number {
  let [port, needsLookup] = parsePort(service);
  if (needsLookup) {
    switch (network) {
      case "":
      case "tcp":
      case "tcp4":
      case "tcp6":
      case "udp":
      case "udp4":
      case "udp6":
      case "ip":
      case "ip4":
      case "ip6":
        port = lookupPortMap(network === "" ? "ip" : network, service);
        break;
      default:
        throw new AddrError("unknown network", network);
    }
  }
  if (port < 0 || port > 65535) throw new AddrError("invalid port", service);
  return port;
}

/**
 * The addresses of host (Go's LookupHost).
 *
 * @example
 * ```ts
 * import { LookupHost } from "@netpoll/net";
 * console.log(await LookupHost("localhost")); // [ "127.0.0.1" ] here
 * ```
 */
export function LookupHost(host: string): Promise<string[]> {
  return DefaultResolver.LookupHost(null, host);
}

/** The IPs of host (Go's LookupIP). */
export function LookupIP(host: string): Promise<IP[]> {
  return DefaultResolver.LookupIP(null, "ip", host);
}

/**
 * The port for service on network (Go's LookupPort).
 *
 * @example
 * ```ts
 * import { LookupPort } from "@netpoll/net";
 * console.log(await LookupPort("tcp", "http")); // 80
 * ```
 */
export function LookupPort(network: string, service: string): Promise<number> {
  return DefaultResolver.LookupPort(null, network, service);
}

/** The networks Dial and Listen accept for IP sockets. */
const ipNetworks = new Set(["tcp", "tcp4", "tcp6"]);

/** The networks for UDP sockets. */
const udpNetworks = new Set(["udp", "udp4", "udp6"]);

/** Throws UnknownNetworkError for anything but an IP stream network. */
export function checkTCPNetwork(network: string): void {
  if (!ipNetworks.has(network)) throw new UnknownNetworkError(network);
}

/** Throws UnknownNetworkError for anything but "udp", "udp4" or "udp6". */
export function checkUDPNetwork(network: string): void {
  if (!udpNetworks.has(network)) throw new UnknownNetworkError(network);
}

/** Builds the network's address (TCPAddr, UDPAddr) from a resolved IP, port and zone. */
export type InetAddrFunc<A> = (ip: IP | null, port: number, zone: string) => A;

function tcpAddr(ip: IP | null, port: number, zone: string): TCPAddr {
  return new TCPAddr(ip, port, zone);
}

/**
 * Resolves "host:port" into the addresses to try (Go's internetAddrList),
 * keeping only IPv4 for "tcp4"/"udp4" and IPv6 for "tcp6"/"udp6". The
 * addresses are TCPAddrs unless inetaddr builds another kind.
 */
export function internetAddrList(
  resolver: Resolver,
  signal: AbortSignal | null,
  network: string,
  addr: string,
): Promise<TCPAddr[]>;
export function internetAddrList<A>(
  resolver: Resolver,
  signal: AbortSignal | null,
  network: string,
  addr: string,
  inetaddr: InetAddrFunc<A>,
): Promise<A[]>;
export async function internetAddrList(
  resolver: Resolver,
  signal: AbortSignal | null,
  network: string,
  addr: string,
  inetaddr: InetAddrFunc<unknown> = tcpAddr,
): Promise<unknown[]> {
  const now = internetAddrListNow(resolver, signal, network, addr, inetaddr);
  if (now !== null) return now;
  const [host, port] = SplitHostPort(addr);
  const portnum = resolver.LookupPort === stockLookupPort
    ? lookupPort(network, port)
    : await resolver.LookupPort(signal, network, port);
  if (host === "") return [inetaddr(null, portnum, "")];
  const [literal, zone] = parseIPZone(host);
  const ips = literal !== null
    ? [{ IP: literal, Zone: zone }]
    : await resolver.LookupIPAddr(signal, host);
  return addrsFor(network, host, ips, portnum, inetaddr);
}

/**
 * internetAddrList when it needs no lookup: an empty address, or an IP
 * literal (or no host) with a port the stock LookupPort reads. Returns
 * null when a resolver has to be asked; throws what internetAddrList
 * rejects with. A dial of a literal address stays synchronous this way
 * (no promise and no async frame until the connect has to wait).
 */
export function internetAddrListNow(
  resolver: Resolver,
  signal: AbortSignal | null,
  network: string,
  addr: string,
): TCPAddr[] | null;
export function internetAddrListNow<A>(
  resolver: Resolver,
  signal: AbortSignal | null,
  network: string,
  addr: string,
  inetaddr: InetAddrFunc<A>,
): A[] | null;
export function internetAddrListNow(
  resolver: Resolver,
  signal: AbortSignal | null,
  network: string,
  addr: string,
  inetaddr: InetAddrFunc<unknown> = tcpAddr,
): unknown[] | null {
  if (!ipNetworks.has(network) && !udpNetworks.has(network)) {
    throw new UnknownNetworkError(network);
  }
  if (addr === "") return [inetaddr(null, 0, "")];
  const [host, port] = SplitHostPort(addr);
  if (resolver.LookupPort !== stockLookupPort) return null;
  signal?.throwIfAborted();
  // The stock LookupPort settles at once: its body, without an await.
  const portnum = lookupPort(network, port);
  if (host === "") return [inetaddr(null, portnum, "")];
  const [literal, zone] = parseIPZone(host);
  if (literal === null) return null;
  return addrsFor(network, host, [{ IP: literal, Zone: zone }], portnum, inetaddr);
}

/** Dial's remembered literal address lists, per TCP network. */
const dialAddrCaches = new Map<string, Map<string, TCPAddr[]>>([
  ["tcp", new Map()],
  ["tcp4", new Map()],
  ["tcp6", new Map()],
]);

/** The most addresses remembered per network; past it the cache starts over. */
const dialAddrCacheMax = 64;

/**
 * internetAddrListNow for a TCP dial, remembered per network and address
 * while the stock LookupPort is in use: a loop that dials one literal
 * address parses it once (bench/dial_cost.ts: 1 µs of a 19 µs dial and
 * close). The lists and their TCPAddrs are shared by every dial of that
 * address, so a dial must not mutate them or let them out: its errors
 * carry copies.
 */
export function dialAddrListNow(
  resolver: Resolver,
  signal: AbortSignal | null,
  network: string,
  addr: string,
): TCPAddr[] | null {
  const cache = resolver.LookupPort === stockLookupPort ? dialAddrCaches.get(network) : undefined;
  const hit = cache?.get(addr);
  if (hit !== undefined) {
    signal?.throwIfAborted();
    return hit;
  }
  const addrs = internetAddrListNow(resolver, signal, network, addr);
  if (addrs !== null && cache !== undefined) {
    if (cache.size >= dialAddrCacheMax) cache.clear();
    cache.set(addr, addrs);
  }
  return addrs;
}

/** The addresses of ips that fit network (its "4" or "6" suffix), or AddrError. */
function addrsFor(
  network: string,
  host: string,
  ips: { IP: IP; Zone: string }[],
  portnum: number,
  inetaddr: InetAddrFunc<unknown>,
): unknown[] {
  // A host that can bind [::] but not connect to it dials 0.0.0.0 too (Go issue 18806).
  if (ips.length === 1 && ips[0].IP.Equal(IPv6unspecified)) ips.push({ IP: IPv4zero, Zone: "" });
  const last = network[network.length - 1];
  const out: unknown[] = [];
  for (const ip of ips) {
    const is4 = isIPv4(ip.IP);
    if (last === "4" && !is4) continue;
    if (last === "6" && (is4 || ip.IP.length !== 16)) continue;
    out.push(inetaddr(ip.IP, portnum, ip.Zone));
  }
  if (out.length === 0) throw new AddrError(errNoSuitableAddress, host);
  return out;
}

/**
 * The address Resolve*Addr returns from a resolved list (Go's
 * addrList.forResolve): the first IPv6 address when a "tcp"/"udp" address
 * is bracketed, otherwise the first IPv4 one; the first of all if none fits.
 */
export function forResolve<A extends { IP: IP | null }>(
  addrs: A[],
  network: string,
  address: string,
): A {
  const want6 = (network === "tcp" || network === "udp") && address.includes("[");
  const first = addrs.find((a) => (a.IP === null || isIPv4(a.IP)) !== want6);
  return first ?? addrs[0];
}

/**
 * Resolves "host:port" to a TCPAddr (Go's ResolveTCPAddr): an IPv4
 * address is preferred unless the address is bracketed or the network is
 * "tcp6".
 *
 * @example
 * ```ts
 * import { ResolveTCPAddr } from "@netpoll/net";
 * const a = await ResolveTCPAddr("tcp", "127.0.0.1:80");
 * console.log(a.String()); // "127.0.0.1:80"
 * ```
 */
export async function ResolveTCPAddr(network: string, address: string): Promise<TCPAddr> {
  if (network === "") network = "tcp";
  checkTCPNetwork(network);
  const addrs = await internetAddrList(DefaultResolver, null, network, address);
  return forResolve(addrs, network, address);
}
