/**
 * UDP (Go's net/udpsock.go, udpsock_posix.go): UDPAddr, UDPConn,
 * ResolveUDPAddr, ListenUDP and DialUDP.
 *
 * @module
 */

import { SOCK_DGRAM } from "../../ffi/constants.ts";
import { EINVAL } from "../../ffi/errno.ts";
import type { RawSockaddr } from "../poll/fd.ts";
import { type Addr, AddrError, InvalidAddrError, OpError } from "./errors.ts";
import { checkDialPermission, checkListenPermission } from "./permission.ts";
import { type ControlFunc, socket, wrapSyscallError } from "./fd_unix.ts";
import { type IP, isIPv4 } from "./ip.ts";
import { favoriteAddrFamily, filterForLocal, InetAddr, sockaddrToInet } from "./ipsock_posix.ts";
import {
  checkUDPNetwork,
  DefaultResolver,
  forResolve,
  internetAddrList,
  type Resolver,
} from "./lookup.ts";
import { conn } from "./net.ts";

/**
 * WriteTo, WriteToUDP or WriteMsgUDP with an address on a connected
 * UDPConn (Go's `net.ErrWriteToConnected`).
 */
export const ErrWriteToConnected: Error = new Error(
  "use of WriteTo with pre-connected connection",
);

/** A write or dial without a destination address (Go's errMissingAddress). */
export const errMissingAddress: InvalidAddrError = new InvalidAddrError("missing address");

/**
 * The address of a UDP end point (Go's `net.UDPAddr`).
 *
 * @example
 * ```ts
 * import { IPv4, UDPAddr } from "@netpoll/net";
 * console.log(new UDPAddr(IPv4(127, 0, 0, 1), 53).String()); // "127.0.0.1:53"
 * ```
 */
export class UDPAddr extends InetAddr {
  /** Always "udp". */
  Network(): string {
    return "udp";
  }
}

/** Builds a UDPAddr; the factory internetAddrList takes for UDP networks. */
function udpAddr(ip: IP | null, port: number, zone: string): UDPAddr {
  return new UDPAddr(ip, port, zone);
}

/** Converts a kernel address into a UDPAddr (Go's sockaddrToUDP). */
export function sockaddrToUDP(sa: RawSockaddr): Addr | null {
  return sockaddrToInet(sa, UDPAddr);
}

/**
 * Resolves "host:port" to a UDPAddr (Go's ResolveUDPAddr): network is
 * "udp", "udp4", "udp6" or "" (meaning "udp"). An IPv4 address is
 * preferred unless the address is bracketed or the network is "udp6".
 *
 * @example
 * ```ts
 * import { ResolveUDPAddr } from "@netpoll/net";
 * const a = await ResolveUDPAddr("udp", "127.0.0.1:domain");
 * console.log(a.String()); // "127.0.0.1:53"
 * ```
 */
export async function ResolveUDPAddr(network: string, address: string): Promise<UDPAddr> {
  if (network === "") network = "udp";
  checkUDPNetwork(network);
  const addrs = await internetAddrList(DefaultResolver, null, network, address, udpAddr);
  return forResolve(addrs, network, address);
}

function checkBytes(b: unknown, what: string): void {
  if (!(b instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
}

/**
 * A UDP socket (Go's `net.UDPConn`): unconnected from ListenUDP, where
 * every write names its destination, or connected from DialUDP, where
 * Read and Write talk to one peer. Each read returns one datagram; a
 * datagram longer than the buffer is truncated to it and the rest is lost.
 *
 * @example
 * ```ts
 * import { ListenUDP, UDPAddr, IPv4 } from "@netpoll/net";
 * const a = await ListenUDP("udp", new UDPAddr(IPv4(127, 0, 0, 1), 0));
 * const b = await ListenUDP("udp", new UDPAddr(IPv4(127, 0, 0, 1), 0));
 * await a.WriteTo(new TextEncoder().encode("ping"), b.LocalAddr()!);
 * const buf = new Uint8Array(16);
 * const [n, from] = await b.ReadFrom(buf);
 * console.log(n, from?.String() === a.LocalAddr()?.String()); // 4 true
 * a.Close();
 * b.Close();
 * ```
 */
export class UDPConn extends conn {
  /** An OpError for a write to addr, naming the local address as source (as Go). */
  #writeError(addr: Addr | null, err: unknown): OpError {
    return new OpError("write", this.fd.net, this.fd.laddr, addr, err as Error);
  }

  /**
   * Reads one datagram into b; resolves the byte count and the sender.
   * Bytes past b.length are discarded.
   */
  async ReadFromUDP(b: Uint8Array): Promise<[number, UDPAddr | null]> {
    try {
      checkBytes(b, "buffer");
      const [n, sa] = await this.fd.pfd.ReadFrom(b);
      return [n, sockaddrToUDP(sa) as UDPAddr | null];
    } catch (err) {
      throw this.opError("read", wrapSyscallError("recvfrom", err));
    }
  }

  /** Reads one datagram into b; resolves the byte count and the sender. */
  ReadFrom(b: Uint8Array): Promise<[number, Addr | null]> {
    return this.ReadFromUDP(b);
  }

  /**
   * Reads one datagram into b and its ancillary data into oob; resolves
   * the byte count, the ancillary byte count, the message flags (MSG_TRUNC
   * when the datagram did not fit in b) and the sender.
   */
  async ReadMsgUDP(
    b: Uint8Array,
    oob: Uint8Array | null,
  ): Promise<[n: number, oobn: number, flags: number, addr: UDPAddr | null]> {
    try {
      checkBytes(b, "buffer");
      if (oob !== null) checkBytes(oob, "oob");
      const [n, oobn, flags, sa] = await this.fd.pfd.ReadMsg(b, oob);
      return [n, oobn, flags, sockaddrToUDP(sa) as UDPAddr | null];
    } catch (err) {
      throw this.opError("read", wrapSyscallError("recvmsg", err));
    }
  }

  /**
   * Sends b as one datagram to addr; resolves its length. Fails with
   * `ErrWriteToConnected` on a connected UDPConn.
   */
  async WriteToUDP(b: Uint8Array, addr: UDPAddr | null): Promise<number> {
    try {
      checkBytes(b, "buffer");
      if (this.fd.isConnected) throw ErrWriteToConnected;
      if (addr === null || addr === undefined) throw errMissingAddress;
      const sa = addr.sockaddr(this.fd.family);
      try {
        return await this.fd.pfd.WriteTo(b, sa);
      } catch (err) {
        throw wrapSyscallError("sendto", err);
      }
    } catch (err) {
      throw this.#writeError(addr ?? null, err);
    }
  }

  /** Sends b as one datagram to addr, which must be a UDPAddr; resolves its length. */
  WriteTo(b: Uint8Array, addr: Addr | null): Promise<number> {
    if (addr !== null && addr !== undefined && !(addr instanceof UDPAddr)) {
      return Promise.reject(this.#writeError(addr, EINVAL));
    }
    return this.WriteToUDP(b, addr ?? null);
  }

  /**
   * Sends b as one datagram with ancillary data oob, to addr on an
   * unconnected UDPConn or to the peer (addr null) on a connected one;
   * resolves the byte and ancillary byte counts.
   */
  async WriteMsgUDP(
    b: Uint8Array,
    oob: Uint8Array | null,
    addr: UDPAddr | null,
  ): Promise<[n: number, oobn: number]> {
    addr ??= null;
    try {
      checkBytes(b, "buffer");
      if (oob !== null) checkBytes(oob, "oob");
      if (this.fd.isConnected && addr !== null) throw ErrWriteToConnected;
      if (!this.fd.isConnected && addr === null) throw errMissingAddress;
      const sa = addr === null ? null : addr.sockaddr(this.fd.family);
      try {
        const n = await this.fd.pfd.WriteMsg(b, oob, sa);
        return [n, oob === null ? 0 : oob.byteLength];
      } catch (err) {
        throw wrapSyscallError("sendmsg", err);
      }
    } catch (err) {
      throw this.#writeError(addr, err);
    }
  }
}

/** Options for {@linkcode listenUDP} and {@linkcode listenUDPAddress}. */
export interface ListenUDPOptions {
  /** Called with the raw fd after socket creation, before bind. */
  Control?: ControlFunc | null;
  /** Aborts address resolution. */
  signal?: AbortSignal | null;
}

/**
 * Opens a UDP socket bound to laddr (Go's sysListener.listenUDP); errors
 * are bare, for the caller to wrap.
 */
async function listenUDP(
  network: string,
  laddr: UDPAddr,
  control: ControlFunc | null,
): Promise<UDPConn> {
  const [family, ipv6only] = favoriteAddrFamily(network, laddr, null, "listen");
  const fd = await socket(network, family, SOCK_DGRAM, 0, ipv6only, laddr.sockaddr(family), null, {
    addrFunc: sockaddrToUDP,
    backlog: 0,
    control: (fd) => control?.(network, laddr.String(), fd),
    deadline: null,
    signal: null,
  });
  return new UDPConn(fd);
}

/** Options for {@linkcode dialUDP} and {@linkcode dialUDPAddress}. */
export interface DialUDPOptions {
  /** Local address to bind before connecting. */
  LocalAddr?: UDPAddr | null;
  /** Called with the raw fd after socket creation, before connect. */
  Control?: ControlFunc | null;
  /** The resolver for host names; defaults to DefaultResolver. */
  Resolver?: Resolver | null;
  /** Aborts address resolution and the dial. */
  signal?: AbortSignal | null;
  /** Absolute time after which the dial fails. */
  deadline?: Date | null;
}

/**
 * Opens a UDP socket connected to raddr, bound to laddr if given (Go's
 * sysDialer.dialUDP); errors are bare, for the caller to wrap.
 */
async function dialUDP(
  network: string,
  laddr: UDPAddr | null,
  raddr: UDPAddr,
  opts: DialUDPOptions,
): Promise<UDPConn> {
  checkDialPermission(raddr.IP, raddr.Port);
  const [family, ipv6only] = favoriteAddrFamily(network, laddr, raddr, "dial");
  const fd = await socket(
    network,
    family,
    SOCK_DGRAM,
    0,
    ipv6only,
    laddr === null ? null : laddr.sockaddr(family),
    raddr.sockaddr(family),
    {
      addrFunc: sockaddrToUDP,
      backlog: 0,
      control: (fd) => opts.Control?.(network, raddr.String(), fd),
      deadline: opts.deadline ?? null,
      signal: opts.signal ?? null,
    },
  );
  return new UDPConn(fd);
}

/**
 * Opens an unconnected UDP socket on laddr (Go's ListenUDP). A null laddr,
 * or one with no IP, listens on all local addresses (both IPv4 and IPv6
 * for "udp" when the host supports it); port 0 picks a free port.
 *
 * @example
 * ```ts
 * import { ListenUDP } from "@netpoll/net";
 * const c = await ListenUDP("udp4", null);
 * console.log(c.LocalAddr()?.String().startsWith("0.0.0.0:")); // true
 * c.Close();
 * ```
 */
export async function ListenUDP(network: string, laddr: UDPAddr | null): Promise<UDPConn> {
  try {
    checkUDPNetwork(network);
  } catch (err) {
    throw new OpError("listen", network, null, laddr, err as Error);
  }
  const la = laddr ?? new UDPAddr();
  try {
    return await listenUDP(network, la, null);
  } catch (err) {
    throw new OpError("listen", network, null, la, err as Error);
  }
}

/**
 * Opens a UDP socket connected to raddr, bound to laddr if given (Go's
 * DialUDP): Read and Write exchange datagrams with raddr only.
 *
 * @example
 * ```ts
 * import { DialUDP, IPv4, ListenUDP, UDPAddr } from "@netpoll/net";
 * const srv = await ListenUDP("udp", new UDPAddr(IPv4(127, 0, 0, 1), 0));
 * const c = await DialUDP("udp", null, srv.LocalAddr() as UDPAddr);
 * await c.Write(new TextEncoder().encode("hi"));
 * const [n] = await srv.ReadFrom(new Uint8Array(8));
 * console.log(n); // 2
 * c.Close();
 * srv.Close();
 * ```
 */
export async function DialUDP(
  network: string,
  laddr: UDPAddr | null,
  raddr: UDPAddr | null,
): Promise<UDPConn> {
  try {
    checkUDPNetwork(network);
  } catch (err) {
    throw new OpError("dial", network, laddr, raddr, err as Error);
  }
  if (raddr === null || raddr === undefined) {
    throw new OpError("dial", network, laddr, null, errMissingAddress);
  }
  try {
    return await dialUDP(network, laddr, raddr, {});
  } catch (err) {
    throw new OpError("dial", network, laddr, raddr, err as Error);
  }
}

/**
 * Resolves address and listens there (the UDP half of Go's
 * ListenConfig.ListenPacket): for the lead's ListenPacket.
 */
export async function listenUDPAddress(
  network: string,
  address: string,
  opts: ListenUDPOptions = {},
): Promise<UDPConn> {
  let la: UDPAddr;
  try {
    opts.signal?.throwIfAborted();
    checkUDPNetwork(network);
    if (typeof address !== "string") throw new TypeError("address must be a string");
    const addrs = await internetAddrList(
      DefaultResolver,
      opts.signal ?? null,
      network,
      address,
      udpAddr,
    );
    la = addrs.find((a) => a.IP === null || isIPv4(a.IP)) ?? addrs[0];
  } catch (err) {
    throw new OpError("listen", network, null, null, err as Error);
  }
  try {
    checkListenPermission(address, la.Port);
    return await listenUDP(network, la, opts.Control ?? null);
  } catch (err) {
    throw new OpError("listen", network, null, la, err as Error);
  }
}

/**
 * Resolves address and connects a UDP socket to the first address that
 * works, in order (the UDP half of Go's Dialer.DialContext, with
 * dialSerial): for the lead's Dial. Errors are OpErrors with Op "dial".
 */
export async function dialUDPAddress(
  network: string,
  address: string,
  opts: DialUDPOptions = {},
): Promise<UDPConn> {
  const laddr = opts.LocalAddr ?? null;
  let addrs: UDPAddr[];
  try {
    opts.signal?.throwIfAborted();
    checkUDPNetwork(network);
    if (typeof address !== "string" || address === "") throw errMissingAddress;
    addrs = await internetAddrList(
      opts.Resolver ?? DefaultResolver,
      opts.signal ?? null,
      network,
      address,
      udpAddr,
    );
    if (laddr !== null && !(laddr instanceof UDPAddr)) {
      throw new AddrError("mismatched local address type", String(laddr));
    }
    addrs = filterForLocal(addrs, laddr);
  } catch (err) {
    throw new OpError("dial", network, null, null, err as Error);
  }
  let firstErr: OpError | null = null;
  for (const ra of addrs) {
    try {
      opts.signal?.throwIfAborted();
      return await dialUDP(network, laddr, ra, opts);
    } catch (err) {
      firstErr ??= new OpError("dial", network, laddr, ra, err as Error);
      if (opts.signal?.aborted) break;
    }
  }
  throw firstErr!;
}
