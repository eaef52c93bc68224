/**
 * IP addresses, masks and networks (Go's net/ip.go).
 *
 * An {@linkcode IP} is a `Uint8Array` of 4 bytes (IPv4) or 16 bytes (IPv6, or
 * IPv4-mapped IPv6). Every function that builds an IPv4 address from text or
 * octets returns the 16-byte IPv4-mapped form, as Go does; methods accept
 * either length.
 *
 * @module
 */

import { ParseError } from "./errors.ts";
import { splitHostZone } from "./ipsock.ts";

/** Length of an IPv4 address in bytes. */
export const IPv4len = 4;
/** Length of an IPv6 address in bytes. */
export const IPv6len = 16;

/** The 12-byte prefix that turns an IPv4 address into an IPv4-mapped IPv6 one. */
const v4InV6Prefix: readonly number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

const hexDigit = "0123456789abcdef";

/**
 * An IP address: 4 bytes (IPv4) or 16 bytes (IPv6 or IPv4-mapped). A
 * zero-length IP stands for Go's nil IP (the unspecified address in Dial and
 * Listen) and prints as "<nil>".
 *
 * `slice`, `subarray`, `map` and `filter` return plain `Uint8Array`s; use
 * {@linkcode IP.To4} and {@linkcode IP.To16} to change forms.
 */
export class IP extends Uint8Array {
  /**
   * The 4-byte form of an IPv4 or IPv4-mapped address, sharing memory with
   * this IP when it is 16 bytes long; null for any other address.
   */
  To4(): IP | null {
    if (this.length === IPv4len) return this;
    if (this.length === IPv6len && hasV4InV6Prefix(this)) return ipView(this, 12, 16);
    return null;
  }

  /** The 16-byte form of the address; null when the length is neither 4 nor 16. */
  To16(): IP | null {
    if (this.length === IPv4len) return IPv4(this[0], this[1], this[2], this[3]);
    if (this.length === IPv6len) return this;
    return null;
  }

  /**
   * Whether this IP and x are the same address. An IPv4 address equals the
   * same address in IPv4-mapped IPv6 form.
   */
  Equal(x: Uint8Array): boolean {
    if (this.length === x.length) return bytesEqual(this, x);
    if (this.length === IPv4len && x.length === IPv6len) {
      return hasV4InV6Prefix(x) && bytesEqual(this, x.subarray(12));
    }
    if (this.length === IPv6len && x.length === IPv4len) {
      return hasV4InV6Prefix(this) && bytesEqual(this.subarray(12), x);
    }
    return false;
  }

  /** Whether this is the unspecified address, 0.0.0.0 or ::. */
  IsUnspecified(): boolean {
    return this.Equal(IPv4zero) || this.Equal(IPv6unspecified);
  }

  /** Whether this is a loopback address: 127.0.0.0/8 or ::1. */
  IsLoopback(): boolean {
    const ip4 = this.To4();
    if (ip4 !== null) return ip4[0] === 127;
    return this.Equal(IPv6loopback);
  }

  /** Whether this is a private address: RFC 1918 for IPv4, RFC 4193 (fc00::/7) for IPv6. */
  IsPrivate(): boolean {
    const ip4 = this.To4();
    if (ip4 !== null) {
      return ip4[0] === 10 ||
        (ip4[0] === 172 && (ip4[1] & 0xf0) === 16) ||
        (ip4[0] === 192 && ip4[1] === 168);
    }
    return this.length === IPv6len && (this[0] & 0xfe) === 0xfc;
  }

  /** Whether this is a multicast address: 224.0.0.0/4 or ff00::/8. */
  IsMulticast(): boolean {
    const ip4 = this.To4();
    if (ip4 !== null) return (ip4[0] & 0xf0) === 0xe0;
    return this.length === IPv6len && this[0] === 0xff;
  }

  /** Whether this is an interface-local multicast address (ffx1::/16). */
  IsInterfaceLocalMulticast(): boolean {
    return this.length === IPv6len && this[0] === 0xff && (this[1] & 0x0f) === 0x01;
  }

  /** Whether this is a link-local multicast address: 224.0.0.0/24 or ffx2::/16. */
  IsLinkLocalMulticast(): boolean {
    const ip4 = this.To4();
    if (ip4 !== null) return ip4[0] === 224 && ip4[1] === 0 && ip4[2] === 0;
    return this.length === IPv6len && this[0] === 0xff && (this[1] & 0x0f) === 0x02;
  }

  /** Whether this is a link-local unicast address: 169.254.0.0/16 or fe80::/10. */
  IsLinkLocalUnicast(): boolean {
    const ip4 = this.To4();
    if (ip4 !== null) return ip4[0] === 169 && ip4[1] === 254;
    return this.length === IPv6len && this[0] === 0xfe && (this[1] & 0xc0) === 0x80;
  }

  /**
   * Whether this is a global unicast address: any valid address that is not
   * the limited broadcast, unspecified, loopback, multicast or link-local
   * unicast. Private addresses count as global unicast.
   */
  IsGlobalUnicast(): boolean {
    return (this.length === IPv4len || this.length === IPv6len) &&
      !this.Equal(IPv4bcast) &&
      !this.IsUnspecified() &&
      !this.IsLoopback() &&
      !this.IsMulticast() &&
      !this.IsLinkLocalUnicast();
  }

  /**
   * The classful default mask of an IPv4 address (class A, B or C); null
   * for an address that is not IPv4.
   */
  DefaultMask(): IPMask | null {
    const ip4 = this.To4();
    if (ip4 === null) return null;
    if (ip4[0] < 0x80) return IPv4Mask(0xff, 0, 0, 0);
    if (ip4[0] < 0xc0) return IPv4Mask(0xff, 0xff, 0, 0);
    return IPv4Mask(0xff, 0xff, 0xff, 0);
  }

  /**
   * This address masked with mask: a new IP, or null when the lengths of
   * the address and the mask do not fit together.
   */
  Mask(mask: Uint8Array): IP | null {
    let m: Uint8Array = mask;
    let ip: Uint8Array = this.subarray(0);
    if (m.length === IPv6len && ip.length === IPv4len && allFF(m.subarray(0, 12))) {
      m = m.subarray(12);
    }
    if (m.length === IPv4len && ip.length === IPv6len && hasV4InV6Prefix(ip)) {
      ip = ip.subarray(12);
    }
    const n = ip.length;
    if (n !== m.length) return null;
    const out = new IP(n);
    for (let i = 0; i < n; i++) out[i] = ip[i] & m[i];
    return out;
  }

  /**
   * The text form, exactly as Go prints it: "<nil>" for an empty IP, dotted
   * decimal for IPv4 and IPv4-mapped addresses, RFC 5952 for IPv6 ("::"
   * replaces the first longest run of two or more zero groups), and "?"
   * followed by the bytes in hex for any other length.
   */
  String(): string {
    if (this.length === 0) return "<nil>";
    const p4 = this.To4();
    if (p4 !== null) return `${p4[0]}.${p4[1]}.${p4[2]}.${p4[3]}`;
    if (this.length !== IPv6len) return "?" + hexString(this);

    // The first longest run of zero groups, as byte offsets [e0, e1).
    let e0 = -1;
    let e1 = -1;
    for (let i = 0; i < IPv6len; i += 2) {
      let j = i;
      while (j < IPv6len && this[j] === 0 && this[j + 1] === 0) j += 2;
      if (j > i && j - i > e1 - e0) {
        e0 = i;
        e1 = j;
        i = j;
      }
    }
    // A single zero group is written out, never shortened to "::".
    if (e1 - e0 <= 2) {
      e0 = -1;
      e1 = -1;
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

  /** Same as {@linkcode IP.String}, so that template literals print the address. */
  override toString(): string {
    return this.String();
  }
}

/**
 * A bit mask for an IP address: 4 or 16 bytes, normally some 1 bits
 * followed by 0 bits.
 */
export class IPMask extends Uint8Array {
  /**
   * The number of leading 1 bits and the total number of bits; [0, 0] when
   * the mask is not 1 bits followed by 0 bits.
   */
  Size(): [ones: number, bits: number] {
    const ones = simpleMaskLength(this);
    if (ones === -1) return [0, 0];
    return [ones, this.length * 8];
  }

  /** The mask in hex without punctuation ("ffffff00"); "<nil>" when empty. */
  String(): string {
    if (this.length === 0) return "<nil>";
    return hexString(this);
  }

  /** Same as {@linkcode IPMask.String}. */
  override toString(): string {
    return this.String();
  }
}

// Derived arrays (slice, subarray, map, filter) are plain bytes, not
// addresses or masks. Symbol.species is a data property, not a static
// getter: with a getter V8 (15.0) keeps abandoning its optimized code for
// every function that constructs an IP ("dependency change"), which made
// `new IP(16)` 4x slower (1.29 µs against 0.31) and parsing a literal
// address several µs.
for (const C of [IP, IPMask]) {
  Object.defineProperty(C, Symbol.species, { value: Uint8Array, configurable: true });
}

/** An IP network: a network number and a mask. */
export class IPNet {
  /** The network number. */
  IP: IP;
  /** The network mask. */
  Mask: IPMask;

  /** A network from its number and mask; neither is copied. */
  constructor(ip: IP, mask: IPMask) {
    this.IP = ip;
    this.Mask = mask;
  }

  /** Whether the network includes ip. */
  Contains(ip: IP): boolean {
    const [nn, m] = networkNumberAndMask(this);
    if (nn === null || m === null) return false;
    const x = ip.To4() ?? ip;
    const l = x.length;
    if (l !== nn.length) return false;
    for (let i = 0; i < l; i++) {
      if ((nn[i] & m[i]) !== (x[i] & m[i])) return false;
    }
    return true;
  }

  /** The network name, "ip+net". */
  Network(): string {
    return "ip+net";
  }

  /**
   * CIDR notation ("192.0.2.0/24", "2001:db8::/48"); a mask that is not
   * 1 bits followed by 0 bits is written in hex ("198.51.100.0/c000ff00").
   * "<nil>" when the address and mask do not fit together.
   */
  String(): string {
    const [nn, m] = networkNumberAndMask(this);
    if (nn === null || m === null) return "<nil>";
    const l = simpleMaskLength(m);
    if (l === -1) return nn.String() + "/" + m.String();
    return nn.String() + "/" + l;
  }

  /** Same as {@linkcode IPNet.String}. */
  toString(): string {
    return this.String();
  }
}

/**
 * Whether ip is IPv4 (4 bytes, or 16 in IPv4-mapped form): To4() !== null
 * without creating the view, for the hot paths of Dial and Listen.
 */
export function isIPv4(ip: Uint8Array): boolean {
  return ip.length === IPv4len || (ip.length === IPv6len && hasV4InV6Prefix(ip));
}

/** A view of b[start:end] as an IP, sharing memory like a Go sub-slice. */
function ipView(b: Uint8Array, start: number, end: number): IP {
  return new IP(b.buffer as ArrayBuffer, b.byteOffset + start, end - start);
}

/** A view of b[start:end] as an IPMask, sharing memory like a Go sub-slice. */
function maskView(b: Uint8Array, start: number, end: number): IPMask {
  return new IPMask(b.buffer as ArrayBuffer, b.byteOffset + start, end - start);
}

function hasV4InV6Prefix(b: Uint8Array): boolean {
  for (let i = 0; i < v4InV6Prefix.length; i++) {
    if (b[i] !== v4InV6Prefix[i]) return false;
  }
  return true;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function allFF(b: Uint8Array): boolean {
  for (const c of b) if (c !== 0xff) return false;
  return true;
}

function hexString(b: Uint8Array): string {
  let s = "";
  for (const c of b) s += hexDigit[c >> 4] + hexDigit[c & 0xf];
  return s;
}

/** The number of leading 1 bits when mask is 1 bits followed by 0 bits, else -1. */
function simpleMaskLength(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    let v = mask[i];
    if (v === 0xff) {
      n += 8;
      continue;
    }
    while ((v & 0x80) !== 0) {
      n++;
      v = (v << 1) & 0xff;
    }
    if (v !== 0) return -1;
    for (i++; i < mask.length; i++) {
      if (mask[i] !== 0) return -1;
    }
    break;
  }
  return n;
}

/**
 * The network number and mask of n brought to the same length (4 bytes for
 * IPv4 networks); [null, null] when they cannot be.
 */
function networkNumberAndMask(n: IPNet): [IP | null, IPMask | null] {
  let ip = n.IP.To4();
  if (ip === null) {
    ip = n.IP;
    if (ip.length !== IPv6len) return [null, null];
  }
  let m = n.Mask;
  switch (m.length) {
    case IPv4len:
      if (ip.length !== IPv4len) return [null, null];
      break;
    case IPv6len:
      if (ip.length === IPv4len) m = maskView(m, 12, 16);
      break;
    default:
      return [null, null];
  }
  return [ip, m];
}

/**
 * The 16-byte IPv4-mapped form of the IPv4 address a.b.c.d.
 *
 * @example
 * ```ts
 * import { IPv4 } from "@netpoll/net";
 * console.log(IPv4(192, 0, 2, 1).String()); // "192.0.2.1"
 * console.log(IPv4(192, 0, 2, 1).length); // 16
 * ```
 */
export function IPv4(a: number, b: number, c: number, d: number): IP {
  const p = new IP(IPv6len);
  p[10] = 0xff;
  p[11] = 0xff;
  p[12] = a;
  p[13] = b;
  p[14] = c;
  p[15] = d;
  return p;
}

/** The 4-byte IPv4 mask a.b.c.d. */
export function IPv4Mask(a: number, b: number, c: number, d: number): IPMask {
  return new IPMask([a, b, c, d]);
}

/**
 * A mask of `ones` 1 bits followed by 0 bits, `bits` bits long (32 or
 * 128); null for any other length or an out-of-range `ones`.
 */
export function CIDRMask(ones: number, bits: number): IPMask | null {
  if (bits !== 8 * IPv4len && bits !== 8 * IPv6len) return null;
  if (ones < 0 || ones > bits) return null;
  const l = bits / 8;
  const m = new IPMask(l);
  let n = ones;
  for (let i = 0; i < l; i++) {
    if (n >= 8) {
      m[i] = 0xff;
      n -= 8;
      continue;
    }
    m[i] = ~(0xff >> n) & 0xff;
    n = 0;
  }
  return m;
}

/** An IPv6 address from its eight 16-bit groups. */
function groups(...g: number[]): IP {
  const ip = new IP(IPv6len);
  g.forEach((x, i) => {
    ip[2 * i] = x >> 8;
    ip[2 * i + 1] = x & 0xff;
  });
  return ip;
}

/** 255.255.255.255, the limited broadcast address. */
export const IPv4bcast: IP = IPv4(255, 255, 255, 255);
/** 224.0.0.1, all systems. */
export const IPv4allsys: IP = IPv4(224, 0, 0, 1);
/** 224.0.0.2, all routers. */
export const IPv4allrouter: IP = IPv4(224, 0, 0, 2);
/** 0.0.0.0, all zeros. */
export const IPv4zero: IP = IPv4(0, 0, 0, 0);

/** ::, all zeros. */
export const IPv6zero: IP = new IP(IPv6len);
/** ::, the unspecified address. */
export const IPv6unspecified: IP = new IP(IPv6len);
/** ::1, the loopback address. */
export const IPv6loopback: IP = groups(0, 0, 0, 0, 0, 0, 0, 1);
/** ff01::1, interface-local all nodes. */
export const IPv6interfacelocalallnodes: IP = groups(0xff01, 0, 0, 0, 0, 0, 0, 1);
/** ff02::1, link-local all nodes. */
export const IPv6linklocalallnodes: IP = groups(0xff02, 0, 0, 0, 0, 0, 0, 1);
/** ff02::2, link-local all routers. */
export const IPv6linklocalallrouters: IP = groups(0xff02, 0, 0, 0, 0, 0, 0, 2);

/** Large enough for any valid field, small enough to never overflow. */
const big = 0xffffff;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Decimal prefix of s: [value, characters used, ok]. */
function dtoi(s: string): [n: number, i: number, ok: boolean] {
  let n = 0;
  let i = 0;
  for (; i < s.length && isDigit(s.charCodeAt(i)); i++) {
    n = n * 10 + (s.charCodeAt(i) - 0x30);
    if (n >= big) return [big, i, false];
  }
  if (i === 0) return [0, 0, false];
  return [n, i, true];
}

/** Hexadecimal prefix of s: [value, characters used, ok]. */
function xtoi(s: string): [n: number, i: number, ok: boolean] {
  let n = 0;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      n = n * 16 + (c - 0x30);
    } else if (c >= 0x61 && c <= 0x66) { // a-f
      n = n * 16 + (c - 0x61 + 10);
    } else if (c >= 0x41 && c <= 0x46) { // A-F
      n = n * 16 + (c - 0x41 + 10);
    } else {
      break;
    }
    if (n >= big) return [0, i, false];
  }
  if (i === 0) return [0, i, false];
  return [n, i, true];
}

/** Parses dotted decimal "a.b.c.d"; fields with leading zeros are rejected. */
function parseIPv4(s: string): IP | null {
  // Char codes, not slices, and the address in a number until it is known
  // good: every Dial of a literal address comes through here.
  let v = 0;
  let i = 0;
  for (let field = 0; field < IPv4len; field++) {
    if (field > 0) {
      if (s.charCodeAt(i) !== 0x2e /* . */) return null;
      i++;
    }
    const start = i;
    let n = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i) - 0x30;
      if (c < 0 || c > 9) break;
      n = n * 10 + c;
      if (n > 0xff) return null;
    }
    if (i === start) return null; // missing field
    if (i - start > 1 && s.charCodeAt(start) === 0x30) return null; // "01" could be read as octal
    v = v * 256 + n;
  }
  if (i !== s.length) return null;
  return IPv4(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** Parses an RFC 4291 IPv6 literal, possibly with "::" and a dotted IPv4 tail; no zone. */
function parseIPv6(s: string): IP | null {
  const ip = new IP(IPv6len);
  let ellipsis = -1; // byte offset of "::" in ip

  if (s.length >= 2 && s[0] === ":" && s[1] === ":") {
    ellipsis = 0;
    s = s.slice(2);
    if (s.length === 0) return ip; // "::" alone
  }

  let i = 0;
  while (i < IPv6len) {
    const [n, c, ok] = xtoi(s);
    if (!ok || n > 0xffff) return null;

    // A dot after the field means the rest is an embedded IPv4 address.
    if (c < s.length && s[c] === ".") {
      if (ellipsis < 0 && i !== IPv6len - IPv4len) return null; // wrong place
      if (i + IPv4len > IPv6len) return null; // no room left
      const ip4 = parseIPv4(s);
      if (ip4 === null) return null;
      ip.set(ip4.subarray(12), i);
      s = "";
      i += IPv4len;
      break;
    }

    ip[i] = n >> 8;
    ip[i + 1] = n & 0xff;
    i += 2;

    s = s.slice(c);
    if (s.length === 0) break;

    // Anything else must be a colon followed by more.
    if (s[0] !== ":" || s.length === 1) return null;
    s = s.slice(1);

    if (s[0] === ":") {
      if (ellipsis >= 0) return null; // a second "::"
      ellipsis = i;
      s = s.slice(1);
      if (s.length === 0) break; // "::" at the end
    }
  }

  if (s.length !== 0) return null;

  if (i < IPv6len) {
    // Too few groups: "::" must stand for the missing ones.
    if (ellipsis < 0) return null;
    const n = IPv6len - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j];
    for (let j = ellipsis + n - 1; j >= ellipsis; j--) ip[j] = 0;
  } else if (ellipsis >= 0) {
    // Eight groups and a "::" that stands for none.
    return null;
  }
  return ip;
}

/**
 * Parses an IPv4 dotted decimal ("192.0.2.1"), IPv6 ("2001:db8::68") or
 * IPv4-mapped IPv6 ("::ffff:192.0.2.1") address; null when s is none of
 * these. IPv4 results are 16 bytes long (IPv4-mapped), as in Go. Fields with
 * leading zeros ("127.001.0.1") and IPv6 zones ("fe80::1%eth0") are rejected.
 *
 * @example
 * ```ts
 * import { ParseIP } from "@netpoll/net";
 * console.log(ParseIP("::ffff:192.0.2.1")?.String()); // "192.0.2.1"
 * console.log(ParseIP("2001:db8:0:0:0:0:0:1")?.String()); // "2001:db8::1"
 * console.log(ParseIP("256.1.1.1")); // null
 * ```
 */
export function ParseIP(s: string): IP | null {
  for (let i = 0; i < s.length; i++) {
    switch (s[i]) {
      case ".":
        return parseIPv4(s);
      case ":":
        return parseIPv6(s);
    }
  }
  return null;
}

/**
 * Parses an IP address that may carry an IPv6 zone ("fe80::1%eth0"),
 * returning the address (null when invalid) and the zone ("" when none).
 * IPv4 addresses never have a zone.
 */
export function parseIPZone(s: string): [ip: IP | null, zone: string] {
  for (let i = 0; i < s.length; i++) {
    switch (s[i]) {
      case ".":
        return [parseIPv4(s), ""];
      case ":": {
        const [host, zone] = splitHostZone(s);
        return [parseIPv6(host), zone];
      }
    }
  }
  return [null, ""];
}

/**
 * Parses CIDR notation ("192.0.2.1/24", "2001:db8::/32"), returning the
 * address and the network it implies ("192.0.2.0/24"). Throws a
 * {@linkcode ParseError} of type "CIDR address" when s is malformed.
 *
 * @example
 * ```ts
 * import { ParseCIDR } from "@netpoll/net";
 * const [ip, net] = ParseCIDR("192.0.2.1/24");
 * console.log(ip.String(), net.String()); // "192.0.2.1 192.0.2.0/24"
 * ```
 */
export function ParseCIDR(s: string): [ip: IP, net: IPNet] {
  const slash = s.indexOf("/");
  if (slash < 0) throw new ParseError("CIDR address", s);
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  let iplen = IPv4len;
  let ip = parseIPv4(addr);
  if (ip === null) {
    iplen = IPv6len;
    ip = parseIPv6(addr);
  }
  const [n, i, ok] = dtoi(mask);
  if (ip === null || !ok || i !== mask.length || n < 0 || n > 8 * iplen) {
    throw new ParseError("CIDR address", s);
  }
  const m = CIDRMask(n, 8 * iplen) as IPMask;
  return [ip, new IPNet(ip.Mask(m) as IP, m)];
}
