/**
 * Name and port resolution (Go's net/lookup.go and the address list parts
 * of ipsock.go): IP literals, /etc/hosts, numeric ports.
 *
 * @module
 */

import { AddrError, DNSError, UnknownNetworkError } from "./errors.ts";
import { lookupStaticHost } from "./hosts.ts";
import { type IP, IPv4zero, IPv6unspecified, parseIPZone } from "./ip.ts";
import { parsePort, SplitHostPort } from "./ipsock.ts";
import { TCPAddr } from "./tcpsock.ts";

/** An IP address with its IPv6 zone (Go's `net.IPAddr`). */
export interface IPAddr {
  /** The address. */
  IP: IP;
  /** The IPv6 zone, "" if none. */
  Zone: string;
}

/** Go's errNoSuitableAddress text. */
const errNoSuitableAddress = "no suitable address found";

/**
 * Looks up host: an IP literal (with optional %zone) is returned as is,
 * otherwise /etc/hosts is consulted. Unknown names fail with a DNSError
 * whose IsNotFound is true.
 */
export function lookupIPAddr(host: string): Promise<IPAddr[]> {
  if (host === "") {
    return Promise.reject(new DNSError({ Err: "no such host", Name: host, IsNotFound: true }));
  }
  const [ip, zone] = parseIPZone(host);
  if (ip !== null) return Promise.resolve([{ IP: ip, Zone: zone }]);
  const addrs: IPAddr[] = [];
  for (const s of lookupStaticHost(host)) {
    const [hip, hzone] = parseIPZone(s);
    if (hip !== null) addrs.push({ IP: hip, Zone: hzone });
  }
  if (addrs.length === 0) {
    return Promise.reject(new DNSError({ Err: "no such host", Name: host, IsNotFound: true }));
  }
  return Promise.resolve(addrs);
}

/**
 * Resolves a service to a port number (Go's LookupPort): numbers 0–65535;
 * names are not known without a services database.
 */
export function lookupPort(network: string, service: string): number {
  const [port, needsLookup] = parsePort(service);
  if (needsLookup) {
    throw new AddrError("unknown port", `${network}/${service}`);
  }
  if (port < 0 || port > 65535) throw new AddrError("invalid port", service);
  return port;
}

/** The networks Dial and Listen accept for IP sockets. */
const ipNetworks = new Set(["tcp", "tcp4", "tcp6"]);

/** Throws UnknownNetworkError for anything but an IP stream network. */
export function checkTCPNetwork(network: string): void {
  if (!ipNetworks.has(network)) throw new UnknownNetworkError(network);
}

/**
 * Resolves "host:port" into the TCP addresses to try (Go's
 * internetAddrList), keeping only IPv4 for "tcp4" and IPv6 for "tcp6".
 */
export async function internetAddrList(network: string, addr: string): Promise<TCPAddr[]> {
  checkTCPNetwork(network);
  let host = "";
  let portnum = 0;
  if (addr !== "") {
    let port: string;
    [host, port] = SplitHostPort(addr);
    portnum = lookupPort(network, port);
  }
  if (host === "") return [new TCPAddr(null, portnum)];
  const ips = await lookupIPAddr(host);
  // A host that can bind [::] but not connect to it dials 0.0.0.0 too (Go issue 18806).
  if (ips.length === 1 && ips[0].IP.Equal(IPv6unspecified)) ips.push({ IP: IPv4zero, Zone: "" });
  const last = network[network.length - 1];
  const out: TCPAddr[] = [];
  for (const ip of ips) {
    const is4 = ip.IP.To4() !== null;
    if (last === "4" && !is4) continue;
    if (last === "6" && (is4 || ip.IP.length !== 16)) continue;
    out.push(new TCPAddr(ip.IP, portnum, ip.Zone));
  }
  if (out.length === 0) throw new AddrError(errNoSuitableAddress, host);
  return out;
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
  const addrs = await internetAddrList(network, address);
  const want6 = network === "tcp" && address.includes("[");
  const first = addrs.find((a) => (a.IP === null || a.IP.To4() !== null) !== want6);
  return first ?? addrs[0];
}
