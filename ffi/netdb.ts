/**
 * getaddrinfo(3) and getnameinfo(3) on a worker thread (`nonblocking`), so
 * the event loop never blocks on name resolution, with struct addrinfo
 * decoded here (x86_64/arm64 layout).
 *
 * @module
 */

import { SOCK_STREAM } from "./constants.ts";
import { libcSymbols } from "./libc.ts";
import { decodeSockaddr, encodeInet4, encodeInet6, type RawSockaddr } from "./sockaddr.ts";

/** getaddrinfo: name or service not known. */
export const EAI_NONAME = -2;
/** getaddrinfo: temporary failure in name resolution. */
export const EAI_AGAIN = -3;
/** getaddrinfo: no address associated with hostname. */
export const EAI_NODATA = -5;
/** getnameinfo flag: fail if the name cannot be determined. */
const NI_NAMEREQD = 8;

/** The text of a getaddrinfo error code. */
export function gaiStrerror(code: number): string {
  const p = libcSymbols.gai_strerror(code);
  return p === null ? `getaddrinfo error ${code}` : Deno.UnsafePointerView.getCString(p);
}

// struct addrinfo offsets on 64-bit Linux.
const AI_FAMILY = 4;
const AI_ADDRLEN = 16;
const AI_ADDR = 24;
const AI_NEXT = 40;
const SIZEOF_ADDRINFO = 48;

/**
 * Resolves host to socket addresses (stream sockets, any family). Resolves
 * [code, addresses]: code 0 on success, else a getaddrinfo error (EAI_*).
 */
export async function getaddrinfo(host: string): Promise<[number, RawSockaddr[]]> {
  const node = new TextEncoder().encode(host + "\0");
  const hints = new Uint8Array(SIZEOF_ADDRINFO);
  new DataView(hints.buffer).setInt32(8, SOCK_STREAM, true); // ai_socktype
  const res = new BigUint64Array(1);
  const resBytes = new Uint8Array(res.buffer);
  // node, hints and res stay referenced by this frame until the call settles.
  const code = await libcSymbols.getaddrinfo(node, null, hints, resBytes);
  if (code !== 0) return [code, []];
  const head = Deno.UnsafePointer.create(res[0]);
  const out: RawSockaddr[] = [];
  for (let p = head; p !== null;) {
    const view = new Deno.UnsafePointerView(p);
    const len = view.getUint32(AI_ADDRLEN);
    const sa = view.getPointer(AI_ADDR);
    if (sa !== null && len > 0 && view.getInt32(AI_FAMILY) !== 0) {
      const bytes = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(sa, len).slice(0));
      out.push(decodeSockaddr(bytes, len));
    }
    p = view.getPointer(AI_NEXT);
  }
  if (head !== null) libcSymbols.freeaddrinfo(head);
  return [0, out];
}

/**
 * Reverse-resolves an IP (4 or 16 bytes) to a host name. Resolves
 * [code, name]: code 0 on success, else a getaddrinfo error.
 */
export async function getnameinfo(ip: Uint8Array): Promise<[number, string]> {
  const sa = new Uint8Array(28);
  const len = ip.length === 4 ? encodeInet4(sa, ip, 0) : encodeInet6(sa, ip, 0, 0);
  const host = new Uint8Array(1025);
  const code = await libcSymbols.getnameinfo(sa, len, host, host.length, null, 0, NI_NAMEREQD);
  if (code !== 0) return [code, ""];
  const end = host.indexOf(0);
  return [0, new TextDecoder().decode(host.subarray(0, end < 0 ? host.length : end))];
}
