/**
 * TCP (Go's net/tcpsock.go, tcpsock_posix.go, tcpsockopt_unix.go):
 * TCPAddr, TCPConn, TCPListener.
 *
 * @module
 */

import {
  IPPROTO_TCP,
  SHUT_RD,
  SHUT_WR,
  SO_KEEPALIVE,
  SOL_SOCKET,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_NODELAY,
} from "../../ffi/constants.ts";
import type { RawSockaddr } from "../poll/fd.ts";
import { EOF } from "../poll/errors.ts";
import { SendFile, Splice } from "../poll/splice_linux.ts";
import { File } from "../poll/file.ts";
import { type Addr, OpError } from "./errors.ts";
import { type netFD, wrapSyscallError } from "./fd_unix.ts";
import { InetAddr, sockaddrToInet } from "./ipsock_posix.ts";
import { acceptUntilClosed, type Conn, conn, type Listener } from "./net.ts";

/** Go's default keep-alive period for accepted and dialed TCP connections: 15 s. */
export const defaultTCPKeepAlive = 15_000;

/** The address of a TCP end point (Go's `net.TCPAddr`). */
export class TCPAddr extends InetAddr {
  /** Always "tcp". */
  Network(): string {
    return "tcp";
  }
}

/** Converts a kernel address into a TCPAddr (Go's sockaddrToTCP). */
export function sockaddrToTCP(sa: RawSockaddr): Addr | null {
  return sockaddrToInet(sa, TCPAddr);
}

/** Rounds a duration in ms up to whole seconds, at least 1 (Go's roundDurationUp). */
function secondsUp(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** A TCP network connection (Go's `net.TCPConn`). */
export class TCPConn extends conn {
  /**
   * Wraps a connected netFD with TCP_NODELAY on, as Go does (setNoDelay
   * false: the socket already has it).
   *
   * @internal
   */
  constructor(fd: netFD, setNoDelay = true) {
    super(fd);
    if (setNoDelay) fd.pfd.SetsockoptInt(IPPROTO_TCP, TCP_NODELAY, 1);
  }

  #tcpOpt(level: number, opt: number, value: number): void {
    try {
      this.fd.pfd.SetsockoptInt(level, opt, value);
    } catch (err) {
      throw this.opError("set", wrapSyscallError("setsockopt", err));
    }
  }

  /**
   * Copies from r until EOF (Go's TCPConn.ReadFrom): from another TCPConn
   * with splice(2) through a pipe, from a {@linkcode File} with
   * sendfile(2), otherwise by reading and writing 32 KiB at a time. Accepts
   * Go-style readers (Read rejecting with EOF) and Deno-style readers (read
   * resolving null). Resolves the bytes copied.
   */
  async ReadFrom(r: Reader | DenoReader): Promise<number> {
    try {
      if (r instanceof TCPConn) {
        const [n, handled] = await Splice(this.fd.pfd, r.fd.pfd, Number.MAX_SAFE_INTEGER);
        if (handled) return n;
      } else if (r instanceof File) {
        const [n, handled] = await SendFile(this.fd.pfd, r.Fd(), Number.MAX_SAFE_INTEGER);
        if (handled) return n;
      }
      return await copyFrom(this, r);
    } catch (err) {
      if (err instanceof OpError) throw err;
      throw this.opError("readfrom", wrapSyscallError("splice", err));
    }
  }

  /** Shuts down the reading side; later Reads fail with `EOF`. */
  CloseRead(): void {
    this.shutdown(SHUT_RD);
  }

  /** Shuts down the writing side: the peer reads EOF, and can still send. */
  CloseWrite(): void {
    this.shutdown(SHUT_WR);
  }

  /** Turns Nagle's algorithm off (true, the default) or on (false). */
  SetNoDelay(noDelay: boolean): void {
    this.#tcpOpt(IPPROTO_TCP, TCP_NODELAY, noDelay ? 1 : 0);
  }

  /** Enables or disables TCP keep-alive probes. */
  SetKeepAlive(keepalive: boolean): void {
    this.#tcpOpt(SOL_SOCKET, SO_KEEPALIVE, keepalive ? 1 : 0);
  }

  /** Sets the keep-alive idle time and probe interval, in ms (rounded up to seconds). */
  SetKeepAlivePeriod(ms: number): void {
    const secs = secondsUp(ms);
    this.#tcpOpt(IPPROTO_TCP, TCP_KEEPINTVL, secs);
    this.#tcpOpt(IPPROTO_TCP, TCP_KEEPIDLE, secs);
  }

  /**
   * Sets SO_LINGER: sec < 0 lets Close return at once and the kernel send
   * the rest in the background (the default); 0 discards unsent data and
   * resets the connection; > 0 lingers up to sec seconds.
   */
  SetLinger(sec: number): void {
    try {
      this.fd.pfd.SetsockoptLinger(sec >= 0 ? 1 : 0, sec >= 0 ? sec : 0);
    } catch (err) {
      throw this.opError("set", wrapSyscallError("setsockopt", err));
    }
  }
}

/** A Go-style reader: Read rejects with EOF at the end. */
export interface Reader {
  /** Reads into b. */
  Read(b: Uint8Array): Promise<number>;
}

/** A Deno-style reader: read resolves null at the end. */
export interface DenoReader {
  /** Reads into b. */
  read(b: Uint8Array): Promise<number | null>;
}

/** io.Copy's generic path: 32 KiB reads, each written in full. */
async function copyFrom(w: TCPConn, r: Reader | DenoReader): Promise<number> {
  const buf = new Uint8Array(32 << 10);
  let total = 0;
  for (;;) {
    let n: number;
    if ("Read" in r) {
      try {
        n = await r.Read(buf);
      } catch (err) {
        if (err === EOF) return total;
        throw err;
      }
    } else {
      const m = await r.read(buf);
      if (m === null) return total;
      n = m;
    }
    if (n > 0) total += await w.Write(buf.subarray(0, n));
  }
}

/** Turns keep-alive on with a period (ms), or leaves it off when ka < 0. */
export function applyKeepAlive(c: TCPConn, ka: number): void {
  if (ka < 0) return;
  c.SetKeepAlive(true);
  c.SetKeepAlivePeriod(ka === 0 ? defaultTCPKeepAlive : ka);
}

/** A TCP listener (Go's `net.TCPListener`). */
export class TCPListener implements Listener {
  /**
   * The listening netFD.
   *
   * @internal
   */
  readonly fd: netFD;
  readonly #keepAlive: number;
  /** Whether accepted sockets inherit the listener's options; null until the first accept. */
  #inherits: boolean | null = null;

  /**
   * Wraps a listening netFD; keepAlive as ListenConfig.KeepAlive (ms, 0 = 15 s, < 0 off).
   *
   * @internal
   */
  constructor(fd: netFD, keepAlive = 0) {
    this.fd = fd;
    this.#keepAlive = keepAlive;
    // Linux copies these options to accepted sockets: setting them once here
    // saves four setsockopt calls per accept (checked on the first accept).
    try {
      fd.pfd.SetsockoptInt(IPPROTO_TCP, TCP_NODELAY, 1);
      if (keepAlive >= 0) {
        const secs = secondsUp(keepAlive === 0 ? defaultTCPKeepAlive : keepAlive);
        fd.pfd.SetsockoptInt(SOL_SOCKET, SO_KEEPALIVE, 1);
        fd.pfd.SetsockoptInt(IPPROTO_TCP, TCP_KEEPINTVL, secs);
        fd.pfd.SetsockoptInt(IPPROTO_TCP, TCP_KEEPIDLE, secs);
      }
    } catch {
      this.#inherits = false;
    }
  }

  /** Whether an accepted socket carries the options the listener was given. */
  #inherited(fd: netFD): boolean {
    const pfd = fd.pfd;
    if (pfd.GetsockoptInt(IPPROTO_TCP, TCP_NODELAY) === 0) return false;
    if (this.#keepAlive < 0) return pfd.GetsockoptInt(SOL_SOCKET, SO_KEEPALIVE) === 0;
    const secs = secondsUp(this.#keepAlive === 0 ? defaultTCPKeepAlive : this.#keepAlive);
    return pfd.GetsockoptInt(SOL_SOCKET, SO_KEEPALIVE) !== 0 &&
      pfd.GetsockoptInt(IPPROTO_TCP, TCP_KEEPIDLE) === secs &&
      pfd.GetsockoptInt(IPPROTO_TCP, TCP_KEEPINTVL) === secs;
  }

  #opError(op: string, err: unknown): OpError {
    return new OpError(op, this.fd.net, null, this.fd.laddr, err as Error);
  }

  /** Waits for the next connection: TCP_NODELAY on, keep-alive 15 s unless configured. */
  async AcceptTCP(): Promise<TCPConn> {
    let c: TCPConn;
    try {
      const fd = await this.fd.accept();
      try {
        this.#inherits ??= this.#inherited(fd);
        c = new TCPConn(fd, !this.#inherits);
        if (!this.#inherits) applyKeepAlive(c, this.#keepAlive);
      } catch (err) {
        fd.Close();
        throw err;
      }
    } catch (err) {
      throw err instanceof OpError ? err : this.#opError("accept", err);
    }
    return c;
  }

  /** Waits for the next connection. */
  Accept(): Promise<Conn> {
    return this.AcceptTCP();
  }

  /** Stops listening; a parked Accept fails with `ErrClosed`. */
  Close(): void {
    try {
      this.fd.Close();
    } catch (err) {
      throw this.#opError("close", err);
    }
  }

  /** The listener's address. */
  Addr(): Addr {
    return this.fd.laddr!;
  }

  /** Sets the deadline for Accept; null clears it. */
  SetDeadline(t: Date | null): void {
    try {
      this.fd.pfd.SetDeadline(t);
    } catch (err) {
      throw this.#opError("set", err);
    }
  }

  /** Yields accepted connections until the listener is closed. */
  [Symbol.asyncIterator](): AsyncIterator<TCPConn> {
    return acceptUntilClosed(() => this.AcceptTCP());
  }
}
