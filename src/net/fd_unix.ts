/**
 * netFD (Go's net/fd_posix.go, fd_unix.go, sock_posix.go): a poll.FD with
 * its network, family and addresses; socket creation, listen, connect and
 * accept.
 *
 * @module
 */

import {
  AF_INET,
  AF_INET6,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  SO_BROADCAST,
  SO_ERROR,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
} from "../../ffi/constants.ts";
import { EALREADY, EINPROGRESS, EINTR, EISCONN, Errno, errnoErr } from "../../ffi/errno.ts";
import { type ErrorMapper, FD, Inet4Sockaddr, type RawSockaddr, sysSocket } from "../poll/fd.ts";
import { EOF, SyscallError } from "../poll/errors.ts";
import { type Addr, OpError } from "./errors.ts";
import { InetAddr } from "./ipsock_posix.ts";

/** Wraps an Errno in a SyscallError naming the call; other errors pass (Go's wrapSyscallError). */
export function wrapSyscallError(name: string, err: unknown): unknown {
  return err instanceof Errno ? new SyscallError(name, err) : err;
}

/** Turns a kernel sockaddr into the network's Addr. */
export type AddrFunc = (sa: RawSockaddr) => Addr | null;

/** A control hook run on the raw fd before bind or connect. */
export type ControlFunc = (network: string, address: string, fd: number) => void;

/** A network file descriptor. */
export class netFD implements ErrorMapper {
  /** The poll-level fd. */
  readonly pfd: FD;
  /** The address family. */
  readonly family: number;
  /** The socket type. */
  readonly sotype: number;
  /** The network name ("tcp", "tcp4"…). */
  readonly net: string;
  // The addresses, made on first use: undefined means "not yet", and then
  // the kernel sockaddr kept in #lsa/#rsa is converted (a getsockname when
  // there is no #lsa). Most conns never ask, and each Addr costs typed arrays.
  #laddr: Addr | null | undefined = null;
  #lsa: RawSockaddr | null = null;
  #raddr: Addr | null | undefined = null;
  #rsa: RawSockaddr | null = null;
  /** Whether connect succeeded. */
  isConnected = false;
  readonly #addrFunc: AddrFunc;

  constructor(sysfd: number, family: number, sotype: number, net: string, addrFunc: AddrFunc) {
    this.family = family;
    this.sotype = sotype;
    this.net = net;
    this.#addrFunc = addrFunc;
    this.pfd = new FD(sysfd, sotype === SOCK_STREAM, sotype !== SOCK_DGRAM);
    this.pfd.ShortReadDrains = sotype === SOCK_STREAM &&
      (family === AF_INET || family === AF_INET6);
  }

  /** Registers with the poller. */
  init(): void {
    this.pfd.Init();
  }

  /** Records the local and remote addresses; undefined laddr is looked up on first use. */
  setAddr(laddr: Addr | null | undefined, raddr: Addr | null): void {
    this.#laddr = laddr;
    this.#lsa = null;
    this.#raddr = raddr;
    this.#rsa = null;
  }

  /**
   * Records the addresses as kernel sockaddrs, converted on first use; a
   * null lsa means the local address is looked up then (getsockname).
   */
  setRawAddr(lsa: RawSockaddr | null, rsa: RawSockaddr | null): void {
    this.#laddr = undefined;
    this.#lsa = lsa;
    this.#raddr = rsa === null ? null : undefined;
    this.#rsa = rsa;
  }

  /**
   * The local address. For accepted conns it is looked up on first use
   * rather than with a getsockname per accept: it cannot change.
   */
  get laddr(): Addr | null {
    if (this.#laddr === undefined) {
      try {
        this.#laddr = this.addr(this.#lsa ?? this.pfd.Getsockname());
      } catch {
        this.#laddr = null;
      }
      this.#lsa = null;
    }
    return this.#laddr;
  }

  /** The remote address, once known. */
  get raddr(): Addr | null {
    if (this.#raddr === undefined) {
      this.#raddr = this.addr(this.#rsa!);
      this.#rsa = null;
    }
    return this.#raddr;
  }

  /**
   * Whether the socket is connected to itself (a loopback connect to its
   * own ephemeral port: TCP simultaneous open), compared on the kernel
   * sockaddrs when they are still at hand.
   */
  selfConnected(): boolean {
    const l = this.#lsa;
    const r = this.#rsa;
    if (l !== null && r !== null) {
      if (l.family !== r.family || l.port !== r.port) return false;
      if (l instanceof Inet4Sockaddr && r instanceof Inet4Sockaddr) return l.a32 === r.a32;
    }
    const la = this.laddr;
    const ra = this.raddr;
    if (!(la instanceof InetAddr) || !(ra instanceof InetAddr)) return false;
    if (la.Port !== ra.Port || la.IP === null || ra.IP === null) return false;
    return la.IP.Equal(ra.IP);
  }

  /**
   * The error a conn's Read or Write reports for err (Go's conn.Read and
   * Write wrapping): EOF as is, anything else in an OpError with both
   * addresses and the syscall named.
   */
  ioError(op: "read" | "write", err: unknown): unknown {
    if (err === EOF) return err;
    return new OpError(op, this.net, this.laddr, this.raddr, wrapSyscallError(op, err) as Error);
  }

  /** The network's address for a sockaddr. */
  addr(sa: RawSockaddr): Addr | null {
    return this.#addrFunc(sa);
  }

  /** Closes the fd (ErrNetClosing when already closed). */
  Close(): void {
    this.pfd.Close();
  }

  /** shutdown(2), wrapped as `shutdown: …`. */
  shutdown(how: number): void {
    try {
      this.pfd.Shutdown(how);
    } catch (err) {
      throw wrapSyscallError("shutdown", err);
    }
  }

  /** Accepts a connection as a new, registered netFD with both addresses set. */
  async accept(): Promise<netFD> {
    let s: number;
    let rsa: RawSockaddr;
    try {
      [s, rsa] = await this.pfd.Accept();
    } catch (err) {
      throw wrapSyscallError("accept4", err);
    }
    const fd = new netFD(s, this.family, this.sotype, this.net, this.#addrFunc);
    try {
      fd.init();
    } catch (err) {
      fd.Close();
      throw err;
    }
    fd.setRawAddr(null, rsa);
    return fd;
  }

  /**
   * Binds, listens and registers (Go's netFD.listenStream). SO_REUSEADDR
   * lets a restarted server bind while old connections linger in TIME_WAIT.
   */
  listenStream(
    laddr: RawSockaddr,
    backlog: number,
    ctrl: (fd: number) => void,
    reusePort = false,
  ): void {
    try {
      this.pfd.SetsockoptInt(SOL_SOCKET, SO_REUSEADDR, 1);
      if (reusePort) this.pfd.SetsockoptInt(SOL_SOCKET, SO_REUSEPORT, 1);
    } catch (err) {
      throw wrapSyscallError("setsockopt", err);
    }
    this.pfd.RawControl(ctrl);
    try {
      this.pfd.Bind(laddr);
    } catch (err) {
      throw wrapSyscallError("bind", err);
    }
    try {
      this.pfd.Listen(backlog);
    } catch (err) {
      throw wrapSyscallError("listen", err);
    }
    this.init();
    this.setAddr(this.addr(this.pfd.Getsockname()), null);
  }

  /**
   * Binds a datagram socket and registers it (Go's netFD.listenDatagram).
   * IPv4/IPv6 datagram sockets may send broadcasts, as Go sets SO_BROADCAST.
   */
  listenDatagram(laddr: RawSockaddr, ctrl: (fd: number) => void): void {
    if (this.family === AF_INET || this.family === AF_INET6) {
      try {
        this.pfd.SetsockoptInt(SOL_SOCKET, SO_BROADCAST, 1);
      } catch (err) {
        throw wrapSyscallError("setsockopt", err);
      }
    }
    this.pfd.RawControl(ctrl);
    try {
      this.pfd.Bind(laddr);
    } catch (err) {
      throw wrapSyscallError("bind", err);
    }
    this.init();
    this.setAddr(this.addr(this.pfd.Getsockname()), null);
  }

  /**
   * Binds laddr if given, connects to raddr and records both addresses
   * (Go's netFD.dial). The signal aborts a connect in progress. Returns
   * undefined when the connect completed at once (loopback, mostly), and
   * otherwise a promise of its completion.
   */
  dial(
    laddr: RawSockaddr | null,
    raddr: RawSockaddr,
    ctrl: (fd: number) => void,
    deadline: Date | null,
    signal: AbortSignal | null,
  ): Promise<void> | undefined {
    this.pfd.RawControl(ctrl);
    if (laddr !== null) {
      try {
        this.pfd.Bind(laddr);
      } catch (err) {
        throw wrapSyscallError("bind", err);
      }
    }
    if (this.#connectNow(raddr, signal)) {
      this.#connected(raddr);
      // A loop of dials that never park would starve Deno's event loop.
      return this.pfd.yieldDue() ? this.pfd.yield() : undefined;
    }
    return this.#connectWait(raddr, deadline, signal).then((crsa) => this.#connected(crsa));
  }

  /** Marks the socket connected to crsa, the local address taken now. */
  #connected(crsa: RawSockaddr): void {
    this.isConnected = true;
    this.setRawAddr(this.pfd.Getsockname(), crsa);
  }

  /**
   * The non-blocking connect(2) (Go's netFD.connect up to its wait), and
   * the registration with the poller: true once connected, false while
   * the connect is in progress; throws its failure.
   */
  #connectNow(ra: RawSockaddr, signal: AbortSignal | null): boolean {
    if (connectDone(this.pfd.Connect(ra))) {
      signal?.throwIfAborted();
      this.init();
      return true;
    }
    this.init();
    // On loopback the handshake completes inside the first connect(2): a
    // second call reports the outcome at once (0, or the refusal), sparing
    // a poller round trip, SO_ERROR and getpeername. EALREADY: still going.
    if (connectDone(this.pfd.Connect(ra))) {
      signal?.throwIfAborted();
      return true;
    }
    return false;
  }

  /**
   * Waits for a connect in progress (Go's netFD.connect after EINPROGRESS):
   * writable → SO_ERROR → getpeername. Returns the address actually
   * connected to.
   */
  async #connectWait(
    ra: RawSockaddr,
    deadline: Date | null,
    signal: AbortSignal | null,
  ): Promise<RawSockaddr> {
    if (deadline !== null) this.pfd.SetWriteDeadline(deadline);
    // An abort interrupts the wait the way Go's context does: by a write
    // deadline in the past. As in Go, an abort that fired wins even when
    // the connect completed meanwhile.
    let interrupted = false;
    const onAbort = () => {
      interrupted = true;
      this.pfd.SetWriteDeadline(new Date(0));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      signal?.throwIfAborted();
      const sa = await this.#waitConnected(ra);
      signal?.throwIfAborted();
      return sa;
    } catch (err) {
      signal?.throwIfAborted();
      throw err;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if ((deadline !== null || interrupted) && !this.pfd.closing) this.pfd.SetWriteDeadline(null);
    }
  }

  /** Waits until the connect in progress completes; returns the peer's address. */
  async #waitConnected(ra: RawSockaddr): Promise<RawSockaddr> {
    for (;;) {
      await this.pfd.WaitWrite();
      const nerr = this.pfd.GetsockoptInt(SOL_SOCKET, SO_ERROR);
      switch (nerr) {
        case EINPROGRESS.errno:
        case EALREADY.errno:
        case EINTR.errno:
          continue;
        case EISCONN.errno:
          return ra;
        case 0:
          try {
            return this.pfd.Getpeername();
          } catch {
            // Not connected after all (spurious wakeup): wait again.
            continue;
          }
        default:
          throw new SyscallError("connect", errnoErr(nerr));
      }
    }
  }
}

/**
 * Reads a connect(2) result: true once connected, false while the connect
 * is in progress; throws the failure as a SyscallError.
 */
function connectDone(e: number): boolean {
  switch (e) {
    case EINPROGRESS.errno:
    case EALREADY.errno:
    case EINTR.errno:
      return false;
    case 0:
    case EISCONN.errno:
      return true;
    default:
      throw new SyscallError("connect", errnoErr(e));
  }
}

/**
 * Creates a socket and either listens on laddr (raddr null) or connects to
 * raddr (Go's socket in sock_posix.go). IPv6 sockets get IPV6_V6ONLY set
 * to ipv6only, so "tcp" wildcard listeners are dual-stack.
 */
export async function socket(...args: Parameters<typeof socketNow>): Promise<netFD> {
  return await socketNow(...args);
}

/** How socket sets up its socket. */
export interface SocketOptions {
  addrFunc: AddrFunc;
  backlog: number;
  control: (fd: number) => void;
  deadline: Date | null;
  signal: AbortSignal | null;
  reusePort?: boolean;
}

/**
 * socket without a promise when none is needed: the netFD itself once it
 * listens or is connected, a promise of it while a connect is in progress.
 * Throws (rather than rejects) what fails before that.
 */
export function socketNow(
  net: string,
  family: number,
  sotype: number,
  proto: number,
  ipv6only: boolean,
  laddr: RawSockaddr | null,
  raddr: RawSockaddr | null,
  opts: SocketOptions,
): netFD | Promise<netFD> {
  let s: number;
  try {
    s = sysSocket(family, sotype, proto);
  } catch (err) {
    throw wrapSyscallError("socket", err);
  }
  const fd = new netFD(s, family, sotype, net, opts.addrFunc);
  try {
    if (family === AF_INET6) {
      try {
        fd.pfd.SetsockoptInt(IPPROTO_IPV6, IPV6_V6ONLY, ipv6only ? 1 : 0);
      } catch (err) {
        throw wrapSyscallError("setsockopt", err);
      }
    }
    if (laddr !== null && raddr === null) {
      if (sotype === SOCK_DGRAM) fd.listenDatagram(laddr, opts.control);
      else fd.listenStream(laddr, opts.backlog, opts.control, opts.reusePort);
      return fd;
    }
    const pending = fd.dial(laddr, raddr!, opts.control, opts.deadline, opts.signal);
    if (pending === undefined) return fd;
    return pending.then(() => fd, (err) => {
      fd.Close();
      throw err;
    });
  } catch (err) {
    fd.Close();
    throw err;
  }
}
