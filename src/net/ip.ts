/**
 * IP addresses (Go's net/ip.go): IP is a Uint8Array of 4 or 16 bytes; IPv4
 * addresses parsed from text are 16-byte IPv4-mapped, as in Go.
 *
 * @module
 */

/** Length of an IPv4 address in bytes. */
export const IPv4len = 4;
/** Length of an IPv6 address in bytes. */
export const IPv6len = 16;

const v4InV6Prefix = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** An IP address: 4 bytes (IPv4) or 16 bytes (IPv6 or IPv4-mapped). */
export class IP extends Uint8Array {
  /** Slices and maps of an IP are plain bytes. */
  static get [Symbol.species](): Uint8ArrayConstructor {
    return Uint8Array;
  }

  /** The 4-byte form of an IPv4 (or IPv4-mapped) address, else null. */
  To4(): IP | null {
    if (this.length === IPv4len) return this;
    if (this.length === IPv6len && isV4InV6(this)) return new IP(this.subarray(12, 16));
    return null;
  }

  /** The 16-byte form, else null for a bad length. */
  To16(): IP | null {
    if (this.length === IPv4len) return IPv4(this[0], this[1], this[2], this[3]);
    if (this.length === IPv6len) return this;
    return null;
  }

  /** Whether ip and x are the same address; an IPv4 address equals its IPv4-mapped form. */
  Equal(x: IP): boolean {
    if (this.length === x.length) return bytesEqual(this, x);
    if (this.length === IPv4len && x.length === IPv6len) {
      return isV4InV6(x) && bytesEqual(this, x.subarray(12));
    }
    if (this.length === IPv6len && x.length === IPv4len) {
      return isV4InV6(this) && bytesEqual(this.subarray(12), x);
    }
    return false;
  }

  /** Whether this is 0.0.0.0 or ::. */
  IsUnspecified(): boolean {
    return this.Equal(IPv4zero) || this.Equal(IPv6unspecified);
  }

  /** Whether this is a loopback address (127.0.0.0/8, ::1). */
  IsLoopback(): boolean {
    const ip4 = this.To4();
    if (ip4 !== null) return ip4[0] === 127;
    return this.Equal(IPv6loopback);
  }

  /** Whether this is a private address (RFC 1918, RFC 4193). */
  IsPrivate(): boolean {
    const ip4 = this.To4();
    if (ip4 !== null) {
      return ip4[0] === 10 || (ip4[0] === 172 && (ip4[1] & 0xf0) === 16) ||
        (ip4[0] === 192 && ip4[1] === 168);
    }
    return this.length === IPv6len && (this[0] & 0xfe) === 0xfc;
  }

  /** Whether this is a multicast address. */
  IsMulticast(): boolean {
    const ip4 = this.To4();
    if (ip4 !== null) return (ip4[0] & 0xf0) === 0xe0;
    return this.length === IPv6len && this[0] === 0xff;
  }

  /** Whether this is a link-local unicast address. */
  IsLinkLocalUnicast(): boolean {
    const ip4 = this.To4();
    if (ip4 !== null) return ip4[0] === 169 && ip4[1] === 254;
    return this.length === IPv6len && this[0] === 0xfe && (this[1] & 0xc0) === 0x80;
  }

  /** Whether this is a global unicast address. */
  IsGlobalUnicast(): boolean {
    return (this.length === IPv4len || this.length === IPv6len) &&
      !this.Equal(IPv4bcast) && !this.IsUnspecified() && !this.IsLoopback() &&
      !this.IsMulticast() && !this.IsLinkLocalUnicast();
  }

  /**
   * The text form as Go prints it: dotted decimal for IPv4 and IPv4-mapped
   * addresses, RFC 5952 for IPv6, "<nil>" for an empty IP.
   */
  String(): string {
    if (this.length === 0) return "<nil>";
    const ip4 = this.To4();
    if (ip4 !== null) return `${ip4[0]}.${ip4[1]}.${ip4[2]}.${ip4[3]}`;
    if (this.length !== IPv6len) {
      return "?" + Array.from(this, (b) => b.toString(16).padStart(2, "0")).join("");
    }
    // Find the longest run of zero 16-bit groups (at least two) to elide.
    let e0 = -1;
    let e1 = -1;
    for (let i = 0; i < IPv6len; i += 2) {
      let j = i;
      while (j < IPv6len && this[j] === 0 && this[j + 1] === 0) j += 2;
      if (j > i && j - i > e1 - e0 && j - i > 2) {
        e0 = i;
        e1 = j;
        i = j;
      }
    }
    let s = "";
    for (let i = 0; i < IPv6len; i += 2) {
      if (i === e0) {
        s += "::";
        i = e1;
        if (i >= IPv6len) break;
      } else if (i > 0) {
        s += ":";
      }
      s += ((this[i] << 8) | this[i + 1]).toString(16);
    }
    return s;
  }

  /** Same as String(). */
  override toString(): string {
    return this.String();
  }
}

function isV4InV6(b: Uint8Array): boolean {
  for (let i = 0; i < 12; i++) if (b[i] !== v4InV6Prefix[i]) return false;
  return true;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The 16-byte IPv4-mapped form of a.b.c.d (Go's IPv4). */
export function IPv4(a: number, b: number, c: number, d: number): IP {
  const ip = new IP(IPv6len);
  ip.set(v4InV6Prefix);
  ip[12] = a;
  ip[13] = b;
  ip[14] = c;
  ip[15] = d;
  return ip;
}

/** 0.0.0.0 */
export const IPv4zero: IP = IPv4(0, 0, 0, 0);
/** 255.255.255.255 */
export const IPv4bcast: IP = IPv4(255, 255, 255, 255);
/** :: */
export const IPv6zero: IP = new IP(IPv6len);
/** :: (the unspecified address) */
export const IPv6unspecified: IP = new IP(IPv6len);
/** ::1 */
export const IPv6loopback: IP = new IP([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

/** Parses dotted decimal into 4 bytes; no leading zeros, as Go 1.17+. */
function parseIPv4(s: string): Uint8Array | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (p.length === 0 || p.length > 3 || !/^[0-9]+$/.test(p)) return null;
    if (p.length > 1 && p[0] === "0") return null;
    const v = Number(p);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** Parses an IPv6 address (with an optional embedded IPv4 tail) into 16 bytes. */
function parseIPv6(s: string): Uint8Array | null {
  const ip = new Uint8Array(IPv6len);
  let ellipsis = -1;
  let i = 0;
  if (s.startsWith("::")) {
    ellipsis = 0;
    s = s.slice(2);
    if (s.length === 0) return ip;
  }
  while (i < IPv6len) {
    const m = /^[0-9a-fA-F]{1,4}/.exec(s);
    if (m === null) return null;
    if (m[0].length < s.length && s[m[0].length] === ".") {
      // An IPv4 tail takes the last 4 bytes.
      if (ellipsis < 0 && i !== IPv6len - IPv4len) return null;
      if (i + IPv4len > IPv6len) return null;
      const v4 = parseIPv4(s);
      if (v4 === null) return null;
      ip.set(v4, i);
      i += IPv4len;
      s = "";
      break;
    }
    const v = parseInt(m[0], 16);
    ip[i] = v >> 8;
    ip[i + 1] = v & 0xff;
    i += 2;
    s = s.slice(m[0].length);
    if (s.length === 0) break;
    if (s[0] !== ":" || s.length === 1) return null;
    s = s.slice(1);
    if (s[0] === ":") {
      if (ellipsis >= 0) return null;
      ellipsis = i;
      s = s.slice(1);
      if (s.length === 0) break;
    }
  }
  if (s.length !== 0) return null;
  if (i < IPv6len) {
    if (ellipsis < 0) return null;
    const n = IPv6len - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j];
    for (let j = ellipsis + n - 1; j >= ellipsis; j--) ip[j] = 0;
  } else if (ellipsis >= 0) {
    // An ellipsis must stand for at least one group.
    return null;
  }
  return ip;
}

/**
 * Parses an IPv4 (dotted decimal) or IPv6 address; null when s is not one.
 * IPv4 results are 16 bytes (IPv4-mapped), as in Go. Zones are rejected.
 *
 * @example
 * ```ts
 * import { ParseIP } from "@netpoll/net";
 * console.log(ParseIP("::ffff:192.0.2.1")?.String()); // "192.0.2.1"
 * console.log(ParseIP("2001:db8::1")?.String()); // "2001:db8::1"
 * console.log(ParseIP("256.1.1.1")); // null
 * ```
 */
export function ParseIP(s: string): IP | null {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === ".") {
      const v4 = parseIPv4(s);
      return v4 === null ? null : IPv4(v4[0], v4[1], v4[2], v4[3]);
    }
    if (c === ":") {
      const v6 = parseIPv6(s);
      return v6 === null ? null : new IP(v6);
    }
  }
  return null;
}

/** Splits "fe80::1%eth0" into the IP and its zone (Go's parseIPZone); IPv4 has no zone. */
export function parseIPZone(s: string): [IP | null, string] {
  let zone = "";
  if (s.includes(":")) {
    const i = s.lastIndexOf("%");
    if (i > 0) {
      zone = s.slice(i + 1);
      s = s.slice(0, i);
    }
  }
  return [ParseIP(s), zone];
}
