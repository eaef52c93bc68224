/**
 * The generic stream-oriented connection and listener (Go's net/net.go):
 * every method adds the operation context to errors as an OpError.
 *
 * @module
 */

import { SO_RCVBUF, SO_SNDBUF, SOL_SOCKET } from "../../ffi/constants.ts";
import { ErrNetClosing } from "../poll/errors.ts";
import { type Addr, OpError } from "./errors.ts";
import { type netFD, wrapSyscallError } from "./fd_unix.ts";
import { File } from "../poll/file.ts";
import { type RawConn, rawConn } from "./rawconn.ts";

/** A generic stream-oriented network connection (Go's `net.Conn`). */
export interface Conn {
  /** Reads into b; resolves the count, rejects with `EOF` at end of stream. */
  Read(b: Uint8Array): Promise<number>;
  /** Writes all of b; resolves its length. */
  Write(b: Uint8Array): Promise<number>;
  /** Closes the connection; parked Reads and Writes fail with `ErrClosed`. */
  Close(): void;
  /** The local network address. */
  LocalAddr(): Addr | null;
  /** The remote network address. */
  RemoteAddr(): Addr | null;
  /** Sets both deadlines; null clears them. */
  SetDeadline(t: Date | null): void;
  /** Sets the read deadline; null clears it. */
  SetReadDeadline(t: Date | null): void;
  /** Sets the write deadline; null clears it. */
  SetWriteDeadline(t: Date | null): void;
}

/** A generic network listener for stream-oriented protocols (Go's `net.Listener`). */
export interface Listener extends AsyncIterable<Conn> {
  /** Waits for and returns the next connection. */
  Accept(): Promise<Conn>;
  /** Closes the listener; a parked Accept fails with `ErrClosed`. */
  Close(): void;
  /** The listener's network address. */
  Addr(): Addr;
}

/** A generic packet-oriented network connection (Go's `net.PacketConn`). */
export interface PacketConn {
  /** Reads one packet into b; resolves its length and sender. */
  ReadFrom(b: Uint8Array): Promise<[number, Addr | null]>;
  /** Writes one packet to addr. */
  WriteTo(b: Uint8Array, addr: Addr): Promise<number>;
  /** Closes the connection. */
  Close(): void;
  /** The local network address. */
  LocalAddr(): Addr | null;
  /** Sets both deadlines; null clears them. */
  SetDeadline(t: Date | null): void;
  /** Sets the read deadline; null clears it. */
  SetReadDeadline(t: Date | null): void;
  /** Sets the write deadline; null clears it. */
  SetWriteDeadline(t: Date | null): void;
}

/**
 * Yields what accept resolves until the listener is closed (an OpError
 * wrapping ErrNetClosing ends the iteration); other errors propagate.
 */
export async function* acceptUntilClosed<C>(accept: () => Promise<C>): AsyncGenerator<C> {
  for (;;) {
    try {
      yield await accept();
    } catch (err) {
      if (err instanceof OpError && err.Err === ErrNetClosing) return;
      throw err;
    }
  }
}

/** The error for a Read or Write given something other than a Uint8Array. */
function bufferError(): TypeError {
  return new TypeError("buffer must be a Uint8Array");
}

/**
 * The implementation shared by TCPConn and the other connection types
 * (Go's unexported `conn`); not constructed directly.
 */
export class conn implements Conn {
  /**
   * The network fd.
   *
   * @internal
   */
  readonly fd: netFD;

  /**
   * Wraps a connected netFD.
   *
   * @internal
   */
  constructor(fd: netFD) {
    this.fd = fd;
  }

  /** An OpError for op on this connection, with both addresses. */
  protected opError(op: string, err: unknown): OpError {
    return new OpError(op, this.fd.net, this.fd.laddr, this.fd.raddr, err as Error);
  }

  /** An OpError for a "set" operation, naming only the local address (as Go). */
  protected setError(err: unknown): OpError {
    return new OpError("set", this.fd.net, null, this.fd.laddr, err as Error);
  }

  /**
   * Reads up to b.length bytes into b. Resolves the count (0 only for an
   * empty b); rejects with `EOF` at end of stream, or an OpError.
   */
  Read(b: Uint8Array): Promise<number> {
    if (!(b instanceof Uint8Array)) return Promise.reject(this.opError("read", bufferError()));
    // The netFD maps errors to OpErrors: the FD's promise is the result.
    return this.fd.pfd.Read(b, this.fd);
  }

  /** Writes all of b; resolves b.length or rejects with an OpError. */
  Write(b: Uint8Array): Promise<number> {
    if (!(b instanceof Uint8Array)) return Promise.reject(this.opError("write", bufferError()));
    return this.fd.pfd.Write(b, this.fd);
  }

  /** Closes the connection. A second Close throws an OpError wrapping `ErrClosed`. */
  Close(): void {
    try {
      this.fd.Close();
    } catch (err) {
      throw this.opError("close", err);
    }
  }

  /** The local network address. */
  LocalAddr(): Addr | null {
    return this.fd.laddr;
  }

  /** The remote network address. */
  RemoteAddr(): Addr | null {
    return this.fd.raddr;
  }

  /**
   * Sets the read and write deadlines. A deadline in the past makes pending
   * and future I/O fail with `ErrDeadlineExceeded`; null clears it.
   */
  SetDeadline(t: Date | null): void {
    try {
      this.fd.pfd.SetDeadline(t);
    } catch (err) {
      throw this.setError(err);
    }
  }

  /** Sets the read deadline; null clears it. */
  SetReadDeadline(t: Date | null): void {
    try {
      this.fd.pfd.SetReadDeadline(t);
    } catch (err) {
      throw this.setError(err);
    }
  }

  /** Sets the write deadline; null clears it. */
  SetWriteDeadline(t: Date | null): void {
    try {
      this.fd.pfd.SetWriteDeadline(t);
    } catch (err) {
      throw this.setError(err);
    }
  }

  /** Sets the size of the kernel's receive buffer (SO_RCVBUF). */
  SetReadBuffer(bytes: number): void {
    this.setsockopt(SOL_SOCKET, SO_RCVBUF, bytes);
  }

  /** Sets the size of the kernel's send buffer (SO_SNDBUF). */
  SetWriteBuffer(bytes: number): void {
    this.setsockopt(SOL_SOCKET, SO_SNDBUF, bytes);
  }

  /** Raw access to the fd (Go's SyscallConn): Control, and Read/Write that park on the poller. */
  SyscallConn(): RawConn {
    return new rawConn(this.fd);
  }

  /**
   * A duplicate of the connection's fd as a File the caller owns and must
   * Close (Go's File); the conn stays usable.
   */
  File(): File {
    try {
      return new File(
        this.fd.pfd.Dup(),
        `${this.fd.net}:${this.fd.laddr?.String()}->${this.fd.raddr?.String()}`,
      );
    } catch (err) {
      throw this.opError("file", wrapSyscallError("dup", err));
    }
  }

  /** Writes all of bufs with writev(2), for {@linkcode Buffers}. */
  async writeBuffers(bufs: Uint8Array[]): Promise<number> {
    try {
      return await this.fd.pfd.Writev(bufs);
    } catch (err) {
      throw this.opError("writev", wrapSyscallError("writev", err));
    }
  }

  /** Shuts down one side (SHUT_RD, SHUT_WR), as a "close" OpError on failure. */
  protected shutdown(how: number): void {
    try {
      this.fd.shutdown(how);
    } catch (err) {
      throw this.opError("close", err);
    }
  }

  /** setsockopt with an int, as a "set" OpError on failure. */
  protected setsockopt(level: number, opt: number, value: number): void {
    try {
      this.fd.pfd.SetsockoptInt(level, opt, value);
    } catch (err) {
      throw this.setError(wrapSyscallError("setsockopt", err));
    }
  }
}
