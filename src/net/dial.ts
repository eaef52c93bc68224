/**
 * Dialing and listening (Go's net/dial.go, tcpsock_posix.go): Dialer,
 * Dial, DialTimeout, ListenConfig, Listen.
 *
 * @module
 */

import { SOCK_STREAM } from "../../ffi/constants.ts";
import { ErrDeadlineExceeded } from "../poll/errors.ts";
import { type Addr, OpError } from "./errors.ts";
import { type ControlFunc, type netFD, socket } from "./fd_unix.ts";
import { favoriteAddrFamily } from "./ipsock_posix.ts";
import { checkTCPNetwork, internetAddrList } from "./lookup.ts";
import type { Conn, Listener } from "./net.ts";
import { listenerBacklog } from "./sock_linux.ts";
import { applyKeepAlive, sockaddrToTCP, TCPAddr, TCPConn, TCPListener } from "./tcpsock.ts";

/** Options for dialing (Go's `net.Dialer`); durations in ms. */
export interface DialerOptions {
  /** Longest a dial may take, ms; 0 means no timeout (the OS's connect timeout still applies). */
  Timeout?: number;
  /** Absolute time after which dials fail; the earlier of this and Timeout wins. */
  Deadline?: Date | null;
  /** Local address to bind before connecting. */
  LocalAddr?: TCPAddr | null;
  /** Keep-alive period for dialed conns, ms: 0 means 15 s, negative disables. */
  KeepAlive?: number;
  /** Called with the raw fd after socket creation, before connect. */
  Control?: ControlFunc | null;
}

/** How long past now Go still considers a partial deadline sane: 2 s. */
const saneMinimum = 2000;

/**
 * The deadline for one of addrsRemaining attempts: the time left split
 * evenly, but at least 2 s (Go's partialDeadline). Throws
 * ErrDeadlineExceeded when no time is left.
 */
export function partialDeadline(now: number, deadline: number, addrsRemaining: number): number {
  const timeRemaining = deadline - now;
  if (timeRemaining <= 0) throw ErrDeadlineExceeded;
  let timeout = timeRemaining / addrsRemaining;
  if (timeout < saneMinimum) timeout = timeRemaining < saneMinimum ? timeRemaining : saneMinimum;
  return now + timeout;
}

function addrsEqual(a: Addr | null, b: Addr | null): boolean {
  if (!(a instanceof TCPAddr) || !(b instanceof TCPAddr)) return false;
  if (a.Port !== b.Port || a.IP === null || b.IP === null) return false;
  return a.IP.Equal(b.IP);
}

/**
 * Connects one socket to raddr (Go's doDialTCP). A connect to our own port
 * on loopback can connect to itself (simultaneous open); such a socket is
 * closed and the dial retried, as Go does.
 */
async function dialTCP(
  network: string,
  laddr: TCPAddr | null,
  raddr: TCPAddr,
  deadline: Date | null,
  signal: AbortSignal | null,
  control: ControlFunc | null,
): Promise<TCPConn> {
  const [family, ipv6only] = favoriteAddrFamily(network, laddr, raddr, "dial");
  const dialOnce = () =>
    socket(
      network,
      family,
      SOCK_STREAM,
      0,
      ipv6only,
      laddr === null ? null : laddr.sockaddr(family),
      raddr.sockaddr(family),
      {
        addrFunc: sockaddrToTCP,
        backlog: 0,
        control: (fd) => control?.(network, raddr.String(), fd),
        deadline,
        signal,
      },
    );
  let fd: netFD = await dialOnce();
  for (
    let i = 0;
    i < 2 && (laddr === null || laddr.Port === 0) && addrsEqual(fd.laddr, fd.raddr);
    i++
  ) {
    fd.Close();
    fd = await dialOnce();
  }
  try {
    return new TCPConn(fd);
  } catch (err) {
    fd.Close();
    throw err;
  }
}

/** Dials TCP addresses with Go's semantics. */
export class Dialer {
  /** Longest a dial may take, ms; 0 means none. */
  Timeout: number;
  /** Absolute deadline for dials, or null. */
  Deadline: Date | null;
  /** Local address to bind, or null. */
  LocalAddr: TCPAddr | null;
  /** Keep-alive period, ms: 0 means 15 s, negative disables. */
  KeepAlive: number;
  /** Raw fd hook before connect. */
  Control: ControlFunc | null;

  /** Options not given take Go's defaults. */
  constructor(opts: DialerOptions = {}) {
    this.Timeout = opts.Timeout ?? 0;
    this.Deadline = opts.Deadline ?? null;
    this.LocalAddr = opts.LocalAddr ?? null;
    this.KeepAlive = opts.KeepAlive ?? 0;
    this.Control = opts.Control ?? null;
  }

  /** The earliest of Timeout and Deadline, in epoch ms, or 0 for none (Go's deadline). */
  #deadline(now: number): number {
    let earliest = 0;
    if (this.Timeout !== 0) earliest = now + this.Timeout;
    if (this.Deadline !== null) {
      const d = this.Deadline.getTime();
      if (earliest === 0 || d < earliest) earliest = d;
    }
    return earliest;
  }

  /** Connects to address on network ("tcp", "tcp4", "tcp6"). */
  Dial(network: string, address: string): Promise<Conn> {
    return this.DialContext(null, network, address);
  }

  /**
   * Connects to address on network; aborting signal cancels the dial.
   * Tries each resolved address in turn, sharing the deadline between
   * them (Go's dialSerial).
   */
  async DialContext(
    signal: AbortSignal | null,
    network: string,
    address: string,
  ): Promise<TCPConn> {
    const deadline = this.#deadline(Date.now());
    let addrs: TCPAddr[];
    try {
      checkTCPNetwork(network);
      if (typeof address !== "string" || address === "") throw new Error("missing address");
      if (Number.isNaN(this.Timeout)) throw new TypeError("invalid Timeout: NaN");
      addrs = await internetAddrList(network, address);
    } catch (err) {
      throw new OpError("dial", network, null, null, err as Error);
    }
    let firstErr: Error | null = null;
    for (let i = 0; i < addrs.length; i++) {
      const ra = addrs[i];
      let partial: Date | null = null;
      try {
        signal?.throwIfAborted();
        if (deadline !== 0) {
          partial = new Date(partialDeadline(Date.now(), deadline, addrs.length - i));
        }
      } catch (err) {
        firstErr ??= new OpError("dial", network, this.LocalAddr, ra, err as Error);
        break;
      }
      try {
        const c = await dialTCP(network, this.LocalAddr, ra, partial, signal, this.Control);
        try {
          applyKeepAlive(c, this.KeepAlive);
        } catch (err) {
          c.Close();
          throw err;
        }
        return c;
      } catch (err) {
        firstErr ??= err instanceof OpError
          ? err
          : new OpError("dial", network, this.LocalAddr, ra, err as Error);
      }
    }
    throw firstErr ?? new OpError("dial", network, null, null, new Error("missing address"));
  }
}

/**
 * Connects to the address on the named network.
 *
 * @example
 * ```ts ignore
 * import { Dial } from "@netpoll/net";
 * const conn = await Dial("tcp", "127.0.0.1:8080");
 * await conn.Write(new TextEncoder().encode("hello"));
 * conn.Close();
 * ```
 */
export function Dial(network: string, address: string): Promise<Conn> {
  return new Dialer().Dial(network, address);
}

/**
 * Dial with a timeout in milliseconds; a dial that takes longer fails with
 * an OpError whose Timeout() is true.
 */
export function DialTimeout(network: string, address: string, timeoutMs: number): Promise<Conn> {
  return new Dialer({ Timeout: timeoutMs }).Dial(network, address);
}

/** Options for listening (Go's `net.ListenConfig`). */
export interface ListenConfigOptions {
  /** Called with the raw fd after socket creation, before bind. */
  Control?: ControlFunc | null;
  /** Keep-alive period for accepted conns, ms: 0 means 15 s, negative disables. */
  KeepAlive?: number;
}

/** Listener configuration (Go's `net.ListenConfig`). */
export class ListenConfig {
  /** Raw fd hook before bind. */
  Control: ControlFunc | null;
  /** Keep-alive for accepted conns, ms: 0 means 15 s, negative disables. */
  KeepAlive: number;

  /** Options not given take Go's defaults. */
  constructor(opts: ListenConfigOptions = {}) {
    this.Control = opts.Control ?? null;
    this.KeepAlive = opts.KeepAlive ?? 0;
  }

  /**
   * Announces on the local address. ":port" (or an empty host) listens on
   * all interfaces, both IPv4 and IPv6 when the host supports it.
   */
  async Listen(
    signal: AbortSignal | null,
    network: string,
    address: string,
  ): Promise<TCPListener> {
    let la: TCPAddr;
    try {
      signal?.throwIfAborted();
      checkTCPNetwork(network);
      if (typeof address !== "string") throw new TypeError("address must be a string");
      const addrs = await internetAddrList(network, address);
      la = addrs.find((a) => a.IP === null || a.IP.To4() !== null) ?? addrs[0];
    } catch (err) {
      throw new OpError("listen", network, null, null, err as Error);
    }
    try {
      const [family, ipv6only] = favoriteAddrFamily(network, la, null, "listen");
      const fd = await socket(
        network,
        family,
        SOCK_STREAM,
        0,
        ipv6only,
        la.sockaddr(family),
        null,
        {
          addrFunc: sockaddrToTCP,
          backlog: listenerBacklog(),
          control: (fd) => this.Control?.(network, la.String(), fd),
          deadline: null,
          signal: null,
        },
      );
      return new TCPListener(fd, this.KeepAlive);
    } catch (err) {
      throw new OpError("listen", network, null, la, err as Error);
    }
  }
}

/**
 * Announces on the local network address and returns a Listener.
 *
 * @example
 * ```ts ignore
 * import { Listen } from "@netpoll/net";
 * const ln = await Listen("tcp", "127.0.0.1:0");
 * console.log("listening on", ln.Addr().String());
 * for await (const conn of ln) {
 *   const buf = new Uint8Array(1024);
 *   const n = await conn.Read(buf);
 *   await conn.Write(buf.subarray(0, n));
 *   conn.Close();
 * }
 * ```
 */
export function Listen(network: string, address: string): Promise<Listener> {
  return new ListenConfig().Listen(null, network, address);
}
