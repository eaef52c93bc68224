/**
 * Host and port strings (Go's net/ipsock.go and net/port.go).
 *
 * @module
 */

import { AddrError } from "./errors.ts";

const missingPort = "missing port in address";
const tooManyColons = "too many colons in address";

/**
 * Splits a network address of the form "host:port", "host%zone:port",
 * "[host]:port" or "[host%zone]:port" into host (or host%zone) and port.
 * A literal IPv6 address must be enclosed in square brackets. Either part
 * may be empty (":80", "localhost:").
 *
 * Throws an {@linkcode AddrError} with Go's message ("missing port in
 * address", "too many colons in address", "missing ']' in address",
 * "unexpected '[' in address", "unexpected ']' in address") when hostport
 * is malformed.
 *
 * @example
 * ```ts
 * import { SplitHostPort } from "@netpoll/net";
 * console.log(SplitHostPort("[::1]:80")); // ["::1", "80"]
 * console.log(SplitHostPort("example.com:https")); // ["example.com", "https"]
 * ```
 */
export function SplitHostPort(hostport: string): [host: string, port: string] {
  const fail = (why: string): never => {
    throw new AddrError(why, hostport);
  };
  // No '[' may appear from j on, and no ']' from k on.
  let j = 0;
  let k = 0;

  // The port is whatever follows the last colon.
  const i = hostport.lastIndexOf(":");
  if (i < 0) fail(missingPort);

  let host: string;
  if (hostport[0] === "[") {
    // The first ']' must come right before the last ':'.
    const end = hostport.indexOf("]");
    if (end < 0) fail("missing ']' in address");
    if (end + 1 === hostport.length) {
      fail(missingPort); // nothing, so no colon, after the ']'
    } else if (end + 1 !== i) {
      // Either the ']' is not followed by a colon, or that colon is not the last.
      fail(hostport[end + 1] === ":" ? tooManyColons : missingPort);
    }
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
 * Combines host and port into a network address "host:port". A host that
 * contains a colon is taken to be a literal IPv6 address and is bracketed:
 * "[host]:port".
 *
 * @example
 * ```ts
 * import { JoinHostPort } from "@netpoll/net";
 * console.log(JoinHostPort("::1", "80")); // "[::1]:80"
 * console.log(JoinHostPort("example.com", "https")); // "example.com:https"
 * ```
 */
export function JoinHostPort(host: string, port: string): string {
  if (host.includes(":")) return "[" + host + "]:" + port;
  return host + ":" + port;
}

/**
 * Splits "host%zone" at the last '%' into the host and the IPv6 zone ("" if
 * there is none). A '%' in first position does not start a zone.
 */
export function splitHostZone(s: string): [host: string, zone: string] {
  const i = s.lastIndexOf("%");
  if (i > 0) return [s.slice(0, i), s.slice(i + 1)];
  return [s, ""];
}

/** 2^32 - 1, the largest uint32. */
const maxUint32 = 0xffffffff;
/** 2^30: decimal values are clamped to within this of zero. */
const cutoff = 1 << 30;

/**
 * Parses service as a decimal port number with an optional sign; the caller
 * checks the range. "" is port 0. Values too large to matter are clamped to
 * 2^30 - 1 (or -2^30) so that callers report them as invalid rather than
 * wrapping them into range. When service is not a decimal number,
 * needsLookup is true and the port is 0.
 *
 * The arithmetic is Go 1.19's uint32 arithmetic, wrap included: a
 * ten-digit service just above 2^32 ("4294967300") multiplies past 2^32
 * before it is clamped and comes out small (4), as it does in Go.
 */
export function parsePort(service: string): [port: number, needsLookup: boolean] {
  if (service === "") return [0, false]; // Go keeps "" meaning port 0 (golang.org/issue/13610)
  let neg = false;
  let s = service;
  if (s[0] === "+") {
    s = s.slice(1);
  } else if (s[0] === "-") {
    neg = true;
    s = s.slice(1);
  }
  let n = 0; // a uint32
  for (const ch of s) {
    if (ch < "0" || ch > "9") return [0, true];
    const d = ch.charCodeAt(0) - 0x30;
    if (n >= cutoff) {
      n = maxUint32;
      break;
    }
    n = Math.imul(n, 10) >>> 0;
    const nn = (n + d) >>> 0;
    if (nn < n) {
      n = maxUint32;
      break;
    }
    n = nn;
  }
  let port: number;
  if (!neg && n >= cutoff) port = cutoff - 1;
  else if (neg && n > cutoff) port = cutoff;
  else port = n;
  return [neg ? 0 - port : port, false]; // 0 - 0 is +0, never -0
}
