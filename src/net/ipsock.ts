/**
 * Host and port strings (Go's net/ipsock.go and port.go).
 *
 * @module
 */

import { AddrError } from "./errors.ts";

const missingPort = "missing port in address";
const tooManyColons = "too many colons in address";

/**
 * Splits "host:port", "host%zone:port", "[host]:port" or
 * "[host%zone]:port" into host (or host%zone) and port. Throws an AddrError
 * with Go's message when hostport is malformed.
 *
 * @example
 * ```ts
 * import { SplitHostPort } from "@netpoll/net";
 * console.log(SplitHostPort("[::1]:80")); // ["::1", "80"]
 * ```
 */
export function SplitHostPort(hostport: string): [host: string, port: string] {
  const fail = (why: string): never => {
    throw new AddrError(why, hostport);
  };
  let j = 0;
  let k = 0;
  // The port starts after the last colon.
  const i = hostport.lastIndexOf(":");
  if (i < 0) fail(missingPort);
  let host: string;
  if (hostport[0] === "[") {
    // Expect the first ']' just before the last ':'.
    const end = hostport.indexOf("]");
    if (end < 0) fail("missing ']' in address");
    if (end + 1 === hostport.length) fail(missingPort);
    if (end + 1 !== i) fail(hostport[end + 1] === ":" ? tooManyColons : missingPort);
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(":")) fail(tooManyColons);
  }
  if (hostport.indexOf("[", j) >= 0) fail("unexpected '[' in address");
  if (hostport.indexOf("]", k) >= 0) fail("unexpected ']' in address");
  return [host, hostport.slice(i + 1)];
}

/**
 * Combines host and port into "host:port", bracketing hosts that contain
 * a colon (IPv6 literals): "[::1]:80".
 *
 * @example
 * ```ts
 * import { JoinHostPort } from "@netpoll/net";
 * console.log(JoinHostPort("::1", "80")); // "[::1]:80"
 * ```
 */
export function JoinHostPort(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Splits "host%zone" at the last '%' (Go's splitHostZone). */
export function splitHostZone(s: string): [host: string, zone: string] {
  const i = s.lastIndexOf("%");
  return i > 0 ? [s.slice(0, i), s.slice(i + 1)] : [s, ""];
}

/**
 * Parses a decimal port (Go's parsePort): "" is 0; a leading sign is
 * allowed; huge values saturate so callers can report "invalid port";
 * anything non-numeric needs a service lookup.
 */
export function parsePort(service: string): [port: number, needsLookup: boolean] {
  if (service === "") return [0, false];
  const cutoff = 1 << 30;
  let neg = false;
  let s = service;
  if (s[0] === "+") s = s.slice(1);
  else if (s[0] === "-") {
    neg = true;
    s = s.slice(1);
  }
  let n = 0;
  for (const d of s) {
    if (d < "0" || d > "9") return [0, true];
    if (n >= cutoff) {
      n = 2 ** 32 - 1;
      break;
    }
    n = n * 10 + (d.charCodeAt(0) - 48);
    if (n > 2 ** 32 - 1) {
      n = 2 ** 32 - 1;
      break;
    }
  }
  let port: number;
  if (!neg && n >= cutoff) port = cutoff - 1;
  else if (neg && n > cutoff) port = cutoff;
  else port = n;
  return [neg ? -port : port, false];
}
