/**
 * Dialing and listening (Go's net/dial.go, tcpsock_posix.go): Dialer,
 * Dial, DialTimeout, ListenConfig, Listen.
 *
 * @module
 */

import { IP, isIPv4 } from "./ip.ts";
import { SOCK_STREAM } from "../../ffi/constants.ts";
import { ErrDeadlineExceeded } from "../poll/errors.ts";
import { type Addr, AddrError, OpError } from "./errors.ts";
import { type ControlFunc, type netFD, socket, socketNow } from "./fd_unix.ts";
import { favoriteAddrFamily, filterForLocal } from "./ipsock_posix.ts";
import {
  checkTCPNetwork,
  DefaultResolver,
  dialAddrListNow,
  internetAddrList,
  type Resolver,
} from "./lookup.ts";
import type { Conn, Listener, PacketConn } from "./net.ts";
import { checkDialPermission, checkListenPermission } from "./permission.ts";
import { listenerBacklog } from "./sock_linux.ts";
import { applyKeepAlive, sockaddrToTCP, TCPAddr, TCPConn, TCPListener } from "./tcpsock.ts";
import { dialUDPAddress, listenUDPAddress, type UDPAddr } from "./udpsock.ts";
import { dialUnixAddress, listenUnixAddress, listenUnixgramAddress } from "./unixsock.ts";

/** Options for dialing (Go's `net.Dialer`); durations in ms. */
export interface DialerOptions {
  /** Longest a dial may take, ms; 0 means no timeout (the OS's connect timeout still applies). */
  Timeout?: number;
  /** Absolute time after which dials fail; the earlier of this and Timeout wins. */
  Deadline?: Date | null;
  /** Local address to bind before connecting: a TCPAddr, UDPAddr or UnixAddr matching the network. */
  LocalAddr?: Addr | null;
  /**
   * Delay before the fallback family's race starts (Happy Eyeballs), ms:
   * 0 means 300 ms, negative disables the race (addresses are tried in turn).
   */
  FallbackDelay?: number;
  /** Keep-alive period for dialed conns, ms: 0 means 15 s, negative disables. */
  KeepAlive?: number;
  /** Called with the raw fd after socket creation, before connect. */
  Control?: ControlFunc | null;
  /** The resolver for host names; defaults to DefaultResolver. */
  Resolver?: Resolver | null;
}

/** Go's default fallback delay for the Happy Eyeballs race: 300 ms. */
const defaultFallbackDelay = 300;

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

/**
 * Splits addrs into primaries (the first address's family, in order) and
 * fallbacks (the rest), as Go's addrList.partition with isIPv4.
 */
export function partition(addrs: TCPAddr[]): [TCPAddr[], TCPAddr[]] {
  const primaries: TCPAddr[] = [];
  const fallbacks: TCPAddr[] = [];
  let primaryLabel = false;
  addrs.forEach((a, i) => {
    const label = a.IP === null || isIPv4(a.IP);
    if (i === 0 || label === primaryLabel) {
      primaryLabel = label;
      primaries.push(a);
    } else {
      fallbacks.push(a);
    }
  });
  return [primaries, fallbacks];
}

/**
 * Connects one socket to raddr (Go's doDialTCP). A connect to our own port
 * on loopback can connect to itself (simultaneous open); such a socket is
 * closed and the dial retried, as Go does. Returns the conn itself when the
 * connect completed at once, else a promise of it; throws (rather than
 * rejects) what fails before the connect waits.
 */
function dialTCP(
  network: string,
  laddr: TCPAddr | null,
  raddr: TCPAddr,
  deadline: Date | null,
  signal: AbortSignal | null,
  control: ControlFunc | null,
): TCPConn | Promise<TCPConn> {
  checkDialPermission(raddr.IP, raddr.Port);
  const [family, ipv6only] = favoriteAddrFamily(network, laddr, raddr, "dial");
  const opts = {
    addrFunc: sockaddrToTCP,
    backlog: 0,
    control: control === null ? noControl : (fd: number) => control(network, raddr.String(), fd),
    deadline,
    signal,
  };
  const lsa = laddr === null ? null : laddr.sockaddr(family);
  const rsa = raddr.sockaddr(family);
  const attempt = (i: number): TCPConn | Promise<TCPConn> => {
    const fd = socketNow(network, family, SOCK_STREAM, 0, ipv6only, lsa, rsa, opts);
    return fd instanceof Promise ? fd.then((fd) => connected(fd, i)) : connected(fd, i);
  };
  const connected = (fd: netFD, i: number): TCPConn | Promise<TCPConn> => {
    if (i < 2 && (laddr === null || laddr.Port === 0) && fd.selfConnected()) {
      fd.Close();
      return attempt(i + 1);
    }
    try {
      return new TCPConn(fd);
    } catch (err) {
      fd.Close();
      throw err;
    }
  };
  return attempt(0);
}

/** The raw-fd hook of a dial without a Control function. */
function noControl(_fd: number): void {}

/** An AbortController that also aborts when parent does; dispose() unlinks it. */
function childController(parent: AbortSignal | null): AbortController & { dispose(): void } {
  const ctl = new AbortController() as AbortController & { dispose(): void };
  if (parent === null) {
    ctl.dispose = () => {};
    return ctl;
  }
  const onAbort = () => ctl.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener("abort", onAbort, { once: true });
  ctl.dispose = () => parent.removeEventListener("abort", onAbort);
  return ctl;
}

/** Why a losing racer is stopped once another has won. */
const errRaceLost = new Error("dial race lost");

/** Dials TCP addresses with Go's semantics, including the Happy Eyeballs race. */
export class Dialer {
  /** Longest a dial may take, ms; 0 means none. */
  Timeout: number;
  /** Absolute deadline for dials, or null. */
  Deadline: Date | null;
  /** Local address to bind, or null. */
  LocalAddr: Addr | null;
  /** Fallback race delay, ms: 0 means 300 ms, negative disables. */
  FallbackDelay: number;
  /** Keep-alive period, ms: 0 means 15 s, negative disables. */
  KeepAlive: number;
  /** Raw fd hook before connect. */
  Control: ControlFunc | null;
  /** The resolver, or null for DefaultResolver. */
  Resolver: Resolver | null;

  /** Options not given take Go's defaults. */
  constructor(opts: DialerOptions = {}) {
    this.Timeout = opts.Timeout ?? 0;
    this.Deadline = opts.Deadline ?? null;
    this.LocalAddr = opts.LocalAddr ?? null;
    this.FallbackDelay = opts.FallbackDelay ?? 0;
    this.KeepAlive = opts.KeepAlive ?? 0;
    this.Control = opts.Control ?? null;
    this.Resolver = opts.Resolver ?? null;
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
   * Connects to address on network; aborting signal cancels every attempt
   * in flight, closes their sockets, and rejects with an OpError whose
   * cause is the abort reason. For "tcp" with both IPv4 and IPv6
   * addresses, the first address's family races the other, which starts
   * FallbackDelay later (Go's dialParallel).
   */
  DialContext(
    signal: AbortSignal | null,
    network: string,
    address: string,
  ): Promise<Conn> {
    // Not an async function: a TCP dial of an IP literal whose connect
    // completes at once (loopback) runs without a promise or async frame
    // until this one (bench/dial_cost.ts: 18.9 against 20.3 µs per dial
    // and close; churn at 4 loops 41.1k against 39.0k conns/s).
    try {
      const deadline = this.#deadline(Date.now());
      if (network.startsWith("udp") || network.startsWith("unix")) {
        return this.#dialOther(signal, network, address, deadline);
      }
      const c = this.#dialTCP(signal, network, address, deadline);
      return c instanceof Promise ? c : Promise.resolve(c);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** DialContext for the udp and unix networks. */
  async #dialOther(
    signal: AbortSignal | null,
    network: string,
    address: string,
    deadline: number,
  ): Promise<Conn> {
    if (network.startsWith("udp")) {
      return await dialUDPAddress(network, address, {
        LocalAddr: this.LocalAddr as UDPAddr | null,
        Control: this.Control,
        Resolver: this.Resolver,
        signal,
        deadline: deadline !== 0 ? new Date(deadline) : null,
      });
    }
    return await dialUnixAddress(network, address, {
      localAddr: this.LocalAddr,
      control: this.Control,
      deadline: deadline !== 0 ? new Date(deadline) : null,
      signal,
    });
  }

  /**
   * The TCP half of DialContext: resolve, then race or try the addresses in
   * turn. Returns the conn itself when no step had to wait (an IP literal,
   * a connect that completed at once); throws what fails before a wait.
   */
  #dialTCP(
    signal: AbortSignal | null,
    network: string,
    address: string,
    deadline: number,
  ): TCPConn | Promise<TCPConn> {
    let addrs: TCPAddr[] | null;
    try {
      checkTCPNetwork(network);
      if (typeof address !== "string" || address === "") throw new Error("missing address");
      if (Number.isNaN(this.Timeout) || Number.isNaN(this.FallbackDelay)) {
        throw new TypeError("invalid Dialer: NaN duration");
      }
      addrs = dialAddrListNow(this.Resolver ?? DefaultResolver, signal, network, address);
      if (addrs !== null) addrs = this.#forLocal(addrs);
    } catch (err) {
      throw new OpError("dial", network, null, null, err as Error);
    }
    if (addrs === null) return this.#resolveAndDial(signal, network, address, deadline);
    return this.#dialAddrs(signal, network, deadline, addrs);
  }

  /** #dialTCP for an address a resolver has to look up. */
  async #resolveAndDial(
    signal: AbortSignal | null,
    network: string,
    address: string,
    deadline: number,
  ): Promise<TCPConn> {
    // The deadline bounds resolution too: it aborts a slow lookup. Without
    // one, the caller's signal is used as is (no controller per dial).
    const ctl = deadline !== 0 ? childController(signal) : null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (ctl !== null) {
      timer = setTimeout(
        () => ctl.abort(new DOMException("i/o timeout", "TimeoutError")),
        Math.max(0, deadline - Date.now()),
      );
    }
    let addrs: TCPAddr[];
    try {
      addrs = this.#forLocal(
        await internetAddrList(
          this.Resolver ?? DefaultResolver,
          ctl?.signal ?? signal,
          network,
          address,
        ),
      );
    } catch (err) {
      throw new OpError("dial", network, null, null, err as Error);
    } finally {
      clearTimeout(timer);
      ctl?.dispose();
    }
    return await this.#dialAddrs(signal, network, deadline, addrs);
  }

  /** The addresses LocalAddr can dial from (Go's filterAddrList on a TCPAddr laddr). */
  #forLocal(addrs: TCPAddr[]): TCPAddr[] {
    if (this.LocalAddr !== null && !(this.LocalAddr instanceof TCPAddr)) {
      throw new AddrError("mismatched local address type", this.LocalAddr.String());
    }
    return filterForLocal(addrs, this.LocalAddr as TCPAddr | null);
  }

  /** Dials resolved addresses: a race of families for "tcp", else in turn; then keep-alive. */
  #dialAddrs(
    signal: AbortSignal | null,
    network: string,
    deadline: number,
    addrs: TCPAddr[],
  ): TCPConn | Promise<TCPConn> {
    let primaries = addrs;
    let fallbacks: TCPAddr[] = [];
    // One address has nothing to race (the common literal dial).
    if (this.FallbackDelay >= 0 && network === "tcp" && addrs.length > 1) {
      [primaries, fallbacks] = partition(addrs);
    }
    const c = fallbacks.length === 0
      ? this.#dialSerial(signal, network, deadline, primaries)
      : this.#dialParallel(signal, network, deadline, primaries, fallbacks);
    return c instanceof Promise ? c.then((c) => this.#keepAlive(c)) : this.#keepAlive(c);
  }

  /** Applies the Dialer's keep-alive to a new conn, closing it if that fails. */
  #keepAlive(c: TCPConn): TCPConn {
    try {
      applyKeepAlive(c, this.KeepAlive);
    } catch (err) {
      c.Close();
      throw err;
    }
    return c;
  }

  /**
   * Races the primaries against the fallbacks started FallbackDelay later
   * (at once when the primaries fail first). The first connection wins;
   * the other racer is aborted and anything it connects is closed. When
   * both fail, the primaries' error is returned.
   */
  async #dialParallel(
    signal: AbortSignal | null,
    network: string,
    deadline: number,
    primaries: TCPAddr[],
    fallbacks: TCPAddr[],
  ): Promise<TCPConn> {
    const primaryCtl = childController(signal);
    const fallbackCtl = childController(signal);
    let settled = false;
    let fallbackTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await new Promise<TCPConn>((resolve, reject) => {
        let primaryErr: Error | null = null;
        let fallbackErr: Error | null = null;
        let fallbackStarted = false;
        const done = (primary: boolean, c: TCPConn | null, err: Error | null) => {
          if (settled) {
            c?.Close();
            return;
          }
          if (c !== null) {
            settled = true;
            resolve(c);
            return;
          }
          if (primary) primaryErr = err;
          else fallbackErr = err;
          if (primaryErr !== null && fallbackErr !== null) {
            settled = true;
            reject(primaryErr);
          } else if (primary && !fallbackStarted) {
            startFallback();
          }
        };
        const race = (primary: boolean) => {
          const ctl = primary ? primaryCtl : fallbackCtl;
          new Promise<TCPConn>((resolve) =>
            resolve(
              this.#dialSerial(ctl.signal, network, deadline, primary ? primaries : fallbacks),
            )
          ).then(
            (c) => done(primary, c, null),
            (err) => done(primary, null, err as Error),
          );
        };
        const startFallback = () => {
          clearTimeout(fallbackTimer);
          fallbackStarted = true;
          race(false);
        };
        race(true);
        const delay = this.FallbackDelay > 0 ? this.FallbackDelay : defaultFallbackDelay;
        fallbackTimer = setTimeout(() => {
          if (!fallbackStarted && !settled) startFallback();
        }, delay);
      });
    } finally {
      clearTimeout(fallbackTimer);
      // Stop the loser: its sockets close and it settles soon after.
      primaryCtl.abort(errRaceLost);
      fallbackCtl.abort(errRaceLost);
      primaryCtl.dispose();
      fallbackCtl.dispose();
    }
  }

  /**
   * Tries each address in turn within the deadline (Go's dialSerial), from
   * ras[from] on, firstErr being the error of an earlier address. Returns
   * the conn itself when its connect completed at once; throws when every
   * address failed that way.
   */
  #dialSerial(
    signal: AbortSignal | null,
    network: string,
    deadline: number,
    ras: TCPAddr[],
    from = 0,
    firstErr: Error | null = null,
  ): TCPConn | Promise<TCPConn> {
    for (let i = from; i < ras.length; i++) {
      const ra = ras[i];
      let partial: Date | null = null;
      try {
        signal?.throwIfAborted();
        if (deadline !== 0) {
          partial = new Date(partialDeadline(Date.now(), deadline, ras.length - i));
        }
      } catch (err) {
        firstErr ??= this.#dialError(network, ra, err as Error);
        break;
      }
      try {
        const c = dialTCP(
          network,
          this.LocalAddr as TCPAddr | null,
          ra,
          partial,
          signal,
          this.Control,
        );
        if (!(c instanceof Promise)) return c;
        // The connect waits: the next addresses are tried once it fails.
        return c.catch((err) =>
          this.#dialSerial(
            signal,
            network,
            deadline,
            ras,
            i + 1,
            firstErr ?? this.#dialError(network, ra, err as Error),
          )
        );
      } catch (err) {
        firstErr ??= this.#dialError(network, ra, err as Error);
      }
    }
    throw firstErr ?? new OpError("dial", network, null, null, new Error("missing address"));
  }

  /**
   * The OpError of a failed dial to ra, with a copy of ra: the address
   * lists of literal dials are shared (dialAddrListNow), so what a caller
   * does to the error's Addr must not reach the next dial.
   */
  #dialError(network: string, ra: TCPAddr, err: Error): OpError {
    const own = new TCPAddr(ra.IP === null ? null : new IP(ra.IP), ra.Port, ra.Zone);
    return new OpError("dial", network, this.LocalAddr, own, err);
  }
}

/**
 * Connects to the address on the named network.
 *
 * @example
 * ```ts
 * import { Dial, Listen } from "@netpoll/net";
 * const ln = await Listen("tcp", "127.0.0.1:0");
 * const conn = await Dial("tcp", ln.Addr().String());
 * await conn.Write(new TextEncoder().encode("hello"));
 * conn.Close();
 * ln.Close();
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
  /**
   * Sets SO_REUSEPORT before bind, so several sockets (one per Worker) can
   * listen on one port and the kernel spreads connections among them.
   */
  ReusePort?: boolean;
}

/** Listener configuration (Go's `net.ListenConfig`). */
export class ListenConfig {
  /** Raw fd hook before bind. */
  Control: ControlFunc | null;
  /** Keep-alive for accepted conns, ms: 0 means 15 s, negative disables. */
  KeepAlive: number;
  /** SO_REUSEPORT before bind. */
  ReusePort: boolean;

  /** Options not given take Go's defaults. */
  constructor(opts: ListenConfigOptions = {}) {
    this.Control = opts.Control ?? null;
    this.KeepAlive = opts.KeepAlive ?? 0;
    this.ReusePort = opts.ReusePort ?? false;
  }

  /**
   * Announces on the local address. ":port" (or an empty host) listens on
   * all interfaces, both IPv4 and IPv6 when the host supports it.
   */
  async Listen(
    signal: AbortSignal | null,
    network: string,
    address: string,
  ): Promise<Listener> {
    if (network === "unix" || network === "unixpacket") {
      signal?.throwIfAborted();
      return await listenUnixAddress(network, address, { control: this.Control });
    }
    return await this.#listenTCP(signal, network, address);
  }

  /**
   * Opens a packet-oriented socket (Go's ListenConfig.ListenPacket):
   * "udp", "udp4", "udp6" or "unixgram".
   */
  async ListenPacket(
    signal: AbortSignal | null,
    network: string,
    address: string,
  ): Promise<PacketConn> {
    if (network === "unixgram") {
      signal?.throwIfAborted();
      return await listenUnixgramAddress(network, address, { control: this.Control });
    }
    return await listenUDPAddress(network, address, { Control: this.Control, signal });
  }

  /** The TCP half of Listen. */
  async #listenTCP(
    signal: AbortSignal | null,
    network: string,
    address: string,
  ): Promise<TCPListener> {
    let la: TCPAddr;
    try {
      signal?.throwIfAborted();
      checkTCPNetwork(network);
      if (typeof address !== "string") throw new TypeError("address must be a string");
      const addrs = await internetAddrList(DefaultResolver, signal, network, address);
      la = addrs.find((a) => a.IP === null || isIPv4(a.IP)) ?? addrs[0];
    } catch (err) {
      throw new OpError("listen", network, null, null, err as Error);
    }
    try {
      checkListenPermission(address, la.Port);
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
          reusePort: this.ReusePort,
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
 * ```ts
 * import { Dial, Listen } from "@netpoll/net";
 * const ln = await Listen("tcp", "127.0.0.1:0");
 * console.log("listening on", ln.Addr().String());
 * const client = await Dial("tcp", ln.Addr().String());
 * for await (const conn of ln) {
 *   conn.Close(); // serve it here
 *   break;
 * }
 * client.Close();
 * ln.Close();
 * ```
 */
export function Listen(network: string, address: string): Promise<Listener> {
  return new ListenConfig().Listen(null, network, address);
}

/**
 * Opens a packet-oriented socket on the local address: "udp", "udp4",
 * "udp6" or "unixgram" (Go's ListenPacket).
 *
 * @example
 * ```ts
 * import { ListenPacket } from "@netpoll/net";
 * const pc = await ListenPacket("udp", "127.0.0.1:0");
 * await pc.WriteTo(new TextEncoder().encode("hi"), pc.LocalAddr()!);
 * const buf = new Uint8Array(16);
 * const [n] = await pc.ReadFrom(buf);
 * console.log(n); // 2
 * pc.Close();
 * ```
 */
export function ListenPacket(network: string, address: string): Promise<PacketConn> {
  return new ListenConfig().ListenPacket(null, network, address);
}
