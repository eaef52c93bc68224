/**
 * The sockaddr codec: struct sockaddr_in, sockaddr_in6 and sockaddr_un as
 * bytes, for bind, connect, accept4, getsockname and getpeername.
 *
 * @module
 */

import { AF_INET, AF_INET6, AF_UNIX } from "./constants.ts";

/** sizeof(struct sockaddr_in). */
export const SIZEOF_SOCKADDR_IN = 16;
/** sizeof(struct sockaddr_in6). */
export const SIZEOF_SOCKADDR_IN6 = 28;
/** sizeof(struct sockaddr_un). */
export const SIZEOF_SOCKADDR_UN = 110;
/** Room for any socket address (sizeof(struct sockaddr_storage)). */
export const SIZEOF_SOCKADDR_STORAGE = 128;
/** Longest sun_path, without the terminating NUL. */
export const MAX_UNIX_PATH = 107;

/** A socket address taken apart; which fields matter depends on family. */
export interface RawSockaddr {
  /** AF_INET, AF_INET6 or AF_UNIX. */
  family: number;
  /** 4 bytes for AF_INET, 16 for AF_INET6, empty for AF_UNIX. */
  addr: Uint8Array;
  /** Port in host order. */
  port: number;
  /** IPv6 scope id (interface index), 0 if none. */
  scopeId: number;
  /** Unix socket path; a leading "@" stands for an abstract name. */
  path: string;
}

/**
 * Encodes an IPv4 address (4 bytes) and port into buf; returns the length.
 */
export function encodeInet4(buf: Uint8Array, ip4: Uint8Array, port: number): number {
  const a32 = ((ip4[0] << 24) | (ip4[1] << 16) | (ip4[2] << 8) | ip4[3]) >>> 0;
  return encodeInet4Number(buf, a32, port);
}

/** Encodes an IPv4 address given as a big-endian u32, and a port, into buf; returns the length. */
export function encodeInet4Number(buf: Uint8Array, a32: number, port: number): number {
  buf.fill(0, 0, SIZEOF_SOCKADDR_IN);
  buf[0] = AF_INET & 0xff;
  buf[1] = AF_INET >> 8;
  buf[2] = port >> 8;
  buf[3] = port & 0xff;
  buf[4] = a32 >>> 24;
  buf[5] = (a32 >>> 16) & 0xff;
  buf[6] = (a32 >>> 8) & 0xff;
  buf[7] = a32 & 0xff;
  return SIZEOF_SOCKADDR_IN;
}

/**
 * Encodes an IPv6 address (16 bytes), port and scope id into buf; returns
 * the length.
 */
export function encodeInet6(
  buf: Uint8Array,
  ip16: Uint8Array,
  port: number,
  scopeId: number,
): number {
  buf.fill(0, 0, SIZEOF_SOCKADDR_IN6);
  buf[0] = AF_INET6 & 0xff;
  buf[1] = AF_INET6 >> 8;
  buf[2] = port >> 8;
  buf[3] = port & 0xff;
  buf.set(ip16.subarray(0, 16), 8);
  new DataView(buf.buffer, buf.byteOffset).setUint32(24, scopeId >>> 0, true);
  return SIZEOF_SOCKADDR_IN6;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * Encodes a unix socket path into buf; "@name" is an abstract name (leading
 * NUL). Returns the length, or -1 when the path is too long.
 */
export function encodeUnix(buf: Uint8Array, path: string): number {
  const bytes = utf8Encoder.encode(path);
  const abstract = bytes.length > 0 && bytes[0] === 0x40; /* @ */
  // sun_path holds 108 bytes: a path and its NUL, or an abstract name without one.
  if (bytes.length > MAX_UNIX_PATH + (abstract ? 1 : 0)) return -1;
  buf.fill(0, 0, SIZEOF_SOCKADDR_UN);
  buf[0] = AF_UNIX & 0xff;
  buf[1] = AF_UNIX >> 8;
  // No name asks the kernel to pick an abstract one (autobind).
  if (bytes.length === 0) return 2;
  buf.set(bytes, 2);
  if (abstract) {
    buf[2] = 0;
    // Abstract names are not NUL terminated: the length says where they end.
    return 2 + bytes.length;
  }
  return 2 + bytes.length + 1;
}

/**
 * A decoded IPv4 sockaddr that keeps its address as a number and makes the
 * 4-byte array only when asked: in Deno every typed array is a separate
 * allocation (~1 µs and ~0.5 KiB of RSS), and most accepted conns never
 * look at their peer's address.
 */
export class Inet4Sockaddr implements RawSockaddr {
  #addr: Uint8Array | null = null;

  /**
   * @param a32 The address as a big-endian unsigned 32-bit number.
   * @param port The port in host order.
   */
  constructor(readonly a32: number, readonly port: number) {}

  // The constant fields are getters: a conn keeps its peer's sockaddr, and
  // three fewer fields per object add up over 10,000 idle conns.
  /** AF_INET. */
  get family(): number {
    return AF_INET;
  }
  /** Unused for IPv4: 0. */
  get scopeId(): number {
    return 0;
  }
  /** Unused for IPv4: "". */
  get path(): string {
    return "";
  }

  /** The 4 address bytes (made on first use). */
  get addr(): Uint8Array {
    return this.#addr ??= new Uint8Array([
      this.a32 >>> 24,
      (this.a32 >>> 16) & 0xff,
      (this.a32 >>> 8) & 0xff,
      this.a32 & 0xff,
    ]);
  }
}

/** Decodes len bytes of a sockaddr in buf. */
export function decodeSockaddr(buf: Uint8Array, len: number): RawSockaddr {
  const family = buf[0] | (buf[1] << 8);
  if (family === AF_INET && len >= SIZEOF_SOCKADDR_IN) {
    const a32 = ((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0;
    return new Inet4Sockaddr(a32, (buf[2] << 8) | buf[3]);
  }
  if (family === AF_INET6 && len >= SIZEOF_SOCKADDR_IN6) {
    return {
      family,
      addr: buf.slice(8, 24),
      port: (buf[2] << 8) | buf[3],
      scopeId: new DataView(buf.buffer, buf.byteOffset).getUint32(24, true),
      path: "",
    };
  }
  if (family === AF_UNIX) {
    let path = "";
    if (len > 2) {
      if (buf[2] === 0) {
        path = "@" + utf8Decoder.decode(buf.subarray(3, len));
      } else {
        let end = 2;
        while (end < len && buf[end] !== 0) end++;
        path = utf8Decoder.decode(buf.subarray(2, end));
      }
    }
    return { family, addr: new Uint8Array(0), port: 0, scopeId: 0, path };
  }
  return { family, addr: new Uint8Array(0), port: 0, scopeId: 0, path: "" };
}
