/**
 * Deno-shaped adapters: `connect` and `listen` take `Deno.connect` /
 * `Deno.listen` options and return objects with the `Deno.TcpConn` /
 * `Deno.TcpListener` surface, so code written against Deno's conns and
 * their web streams runs unchanged on netpoll, with Go's deadlines on top.
 *
 * @module
 */

import { Dialer, ListenConfig } from "../net/dial.ts";
import { type Addr, OpError } from "../net/errors.ts";
import { JoinHostPort } from "../net/ipsock.ts";
import { TCPAddr, type TCPConn, type TCPListener } from "../net/tcpsock.ts";
import { EOF, ErrNetClosing } from "../poll/errors.ts";
import { readableFromConn, writableFromConn } from "./streams.ts";

/** Options for {@linkcode connect}, as `Deno.ConnectOptions`. */
export interface ConnectOptions {
  /** The port to connect to. */
  port: number;
  /** An IP literal ("::1" or "[::1]") or a host name; default "127.0.0.1". */
  hostname?: string;
  /** Only "tcp". */
  transport?: "tcp";
  /** Aborting it cancels the connect in flight. */
  signal?: AbortSignal;
}

/** Options for {@linkcode listen}, as `Deno.TcpListenOptions`. */
export interface ListenOptions {
  /** The port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** An IP literal or a host name to listen on; default "0.0.0.0" (IPv4 only, as Deno). */
  hostname?: string;
  /** Only "tcp". */
  transport?: "tcp";
}

/** A TCPAddr as `Deno.NetAddr`; the hostname is the bare IP ("::1"), as Deno gives it. */
export function netAddr(a: Addr | null): Deno.NetAddr {
  if (!(a instanceof TCPAddr)) return { transport: "tcp", hostname: "", port: 0 };
  const hostname = a.IP === null || a.IP.length === 0 ? "" : a.IP.String();
  return { transport: "tcp", hostname, port: a.Port };
}

/** "host:port" for Dial and Listen from Deno's hostname ("::1" or "[::1]") and port. */
function hostPort(hostname: string, port: number): string {
  const host = hostname.startsWith("[") && hostname.endsWith("]")
    ? hostname.slice(1, -1)
    : hostname;
  return JoinHostPort(host, String(port));
}

/** The network for a transport option: only "tcp", the default. */
function checkTransport(transport: string | undefined): "tcp" {
  if (transport === undefined || transport === "tcp") return "tcp";
  throw new TypeError(`Unsupported transport: "${transport}"`);
}

/** Whether err reports a use of a closed conn or listener. */
function isClosed(err: unknown): boolean {
  return err instanceof OpError && err.Err === ErrNetClosing;
}

/**
 * A netpoll TCP connection with the `Deno.TcpConn` surface. `read` resolves
 * null at end of stream, `write` writes every byte, `readable` and
 * `writable` are web streams with backpressure, and Go's deadlines are
 * available as `setDeadline`, `setReadDeadline` and `setWriteDeadline`.
 *
 * @example
 * ```ts
 * import { connect, listen } from "@netpoll/net/deno";
 *
 * await using ln = await listen({ hostname: "127.0.0.1", port: 0 });
 * const accepted = ln.accept();
 * await using conn = await connect({ hostname: "127.0.0.1", port: ln.addr.port });
 * await using peer = await accepted;
 * await conn.write(new TextEncoder().encode("ping"));
 * await conn.closeWrite();
 * console.log(await new Response(peer.readable).text()); // "ping"
 * ```
 */
export class TcpConn implements Deno.TcpConn {
  /** The Go-shaped connection underneath. */
  readonly conn: TCPConn;
  #readable: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;
  #readClosed = false;

  /** Wraps a connected TCPConn (from Dial, Accept or a Listener). */
  constructor(conn: TCPConn) {
    this.conn = conn;
  }

  /** The local address. */
  get localAddr(): Deno.NetAddr {
    return netAddr(this.conn.LocalAddr());
  }

  /** The remote address. */
  get remoteAddr(): Deno.NetAddr {
    return netAddr(this.conn.RemoteAddr());
  }

  /**
   * A byte stream of the data received: one read per pull, nothing read
   * ahead. End of stream closes the stream, not the conn; cancelling it
   * shuts the read side down (CloseRead), after which `read` resolves null.
   */
  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return this.#readable ??= readableFromConn(this.conn, () => this.#readClosed = true);
  }

  /**
   * A stream for sending data. Its queue holds 64 KiB, so `writer.ready`
   * waits while the peer is not reading; close shuts the write side down
   * (CloseWrite), abort closes the conn.
   */
  get writable(): WritableStream<Uint8Array> {
    return this.#writable ??= writableFromConn(this.conn);
  }

  /**
   * Reads into p; resolves the count, or null at end of stream (also once
   * `readable` was cancelled). Rejects with an OpError, e.g. after close or
   * past a read deadline.
   */
  async read(p: Uint8Array): Promise<number | null> {
    if (this.#readClosed) return null;
    try {
      return await this.conn.Read(p);
    } catch (err) {
      if (err === EOF) return null;
      throw err;
    }
  }

  /** Writes all of p; resolves p.length. */
  write(p: Uint8Array): Promise<number> {
    return this.conn.Write(p);
  }

  /** Closes the conn; a second close throws an OpError wrapping `ErrClosed`, as Deno throws. */
  close(): void {
    this.conn.Close();
  }

  /** Shuts down the write side (the peer reads EOF); reading goes on. */
  closeWrite(): Promise<void> {
    try {
      this.conn.CloseWrite();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Does nothing: netpoll's poller keeps the process alive while any
   * operation is parked on any socket and cannot leave one conn out.
   */
  ref(): void {}

  /**
   * Does nothing: netpoll's poller keeps the process alive while any
   * operation is parked on any socket and cannot leave one conn out. An idle
   * conn never keeps the process alive.
   */
  unref(): void {}

  /** Turns Nagle's algorithm off (true, the default) or on (false). */
  setNoDelay(noDelay = true): void {
    this.conn.SetNoDelay(noDelay);
  }

  /** Enables (the default) or disables keep-alive probes. */
  setKeepAlive(keepAlive = true): void {
    this.conn.SetKeepAlive(keepAlive);
  }

  /** Sets the read and write deadlines (Go's SetDeadline); null clears them. */
  setDeadline(t: Date | null): void {
    this.conn.SetDeadline(t);
  }

  /** Sets the read deadline; a read past it rejects with `ErrDeadlineExceeded`. */
  setReadDeadline(t: Date | null): void {
    this.conn.SetReadDeadline(t);
  }

  /** Sets the write deadline; a write past it rejects with `ErrDeadlineExceeded`. */
  setWriteDeadline(t: Date | null): void {
    this.conn.SetWriteDeadline(t);
  }

  /** Closes the conn unless already closed. */
  [Symbol.dispose](): void {
    try {
      this.conn.Close();
    } catch (err) {
      if (!isClosed(err)) throw err;
    }
  }

  /** Closes the conn unless already closed (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    try {
      this[Symbol.dispose]();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

/**
 * A netpoll TCP listener with the `Deno.TcpListener` surface: `accept`,
 * `addr`, `close` and async iteration, which ends when the listener closes.
 *
 * @example
 * ```ts
 * import { connect, listen } from "@netpoll/net/deno";
 *
 * const ln = await listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await connect({ hostname: "127.0.0.1", port: ln.addr.port });
 * for await (const conn of ln) {
 *   console.log(conn.remoteAddr.port === client.localAddr.port); // true
 *   conn.close();
 *   ln.close(); // ends the loop
 * }
 * client.close();
 * ```
 */
export class TcpListener implements Deno.TcpListener {
  /** The Go-shaped listener underneath. */
  readonly listener: TCPListener;

  /** Wraps a TCPListener (from Listen). */
  constructor(listener: TCPListener) {
    this.listener = listener;
  }

  /** The address listened on. */
  get addr(): Deno.NetAddr {
    return netAddr(this.listener.Addr());
  }

  /** Waits for the next connection; rejects with an OpError wrapping `ErrClosed` after close. */
  async accept(): Promise<TcpConn> {
    return new TcpConn(await this.listener.AcceptTCP());
  }

  /** Stops listening; a pending accept rejects. A second close throws. */
  close(): void {
    this.listener.Close();
  }

  /** Does nothing: a parked accept keeps the process alive, as the poller cannot leave one out. */
  ref(): void {}

  /** Does nothing: a parked accept keeps the process alive, as the poller cannot leave one out. */
  unref(): void {}

  /** Yields accepted connections until the listener is closed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<TcpConn> {
    for (;;) {
      try {
        yield await this.accept();
      } catch (err) {
        if (isClosed(err)) return;
        throw err;
      }
    }
  }

  /** Closes the listener unless already closed. */
  [Symbol.dispose](): void {
    try {
      this.listener.Close();
    } catch (err) {
      if (!isClosed(err)) throw err;
    }
  }

  /** Closes the listener unless already closed (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    try {
      this[Symbol.dispose]();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

/**
 * Connects like `Deno.connect` (hostname defaults to "127.0.0.1"), with Go's
 * dialer underneath: Happy Eyeballs across families, TCP_NODELAY and 15 s
 * keep-alive. Failures reject with Go's OpError ("dial tcp
 * 127.0.0.1:1: connect: connection refused").
 *
 * @example
 * ```ts
 * import { connect, listen } from "@netpoll/net/deno";
 *
 * await using ln = await listen({ hostname: "127.0.0.1", port: 0 });
 * await using conn = await connect({ hostname: "127.0.0.1", port: ln.addr.port });
 * console.log(conn.remoteAddr); // { transport: "tcp", hostname: "127.0.0.1", port: … }
 * ```
 */
export async function connect(options: ConnectOptions): Promise<TcpConn> {
  const network = checkTransport(options.transport);
  const address = hostPort(options.hostname ?? "127.0.0.1", options.port);
  // Go's dialer returns a TCPConn for "tcp".
  const c = await new Dialer().DialContext(options.signal ?? null, network, address);
  return new TcpConn(c as TCPConn);
}

/**
 * Listens like `Deno.listen` (hostname defaults to "0.0.0.0", port to 0),
 * but asynchronously, as the host name may need resolving. Failures reject
 * with Go's OpError ("listen tcp 127.0.0.1:80: bind: permission denied").
 *
 * @example
 * ```ts
 * import { listen } from "@netpoll/net/deno";
 *
 * await using ln = await listen({ hostname: "127.0.0.1", port: 0 });
 * console.log(`listening on ${ln.addr.hostname}:${ln.addr.port}`);
 * ```
 */
export async function listen(options: ListenOptions = {}): Promise<TcpListener> {
  const network = checkTransport(options.transport);
  const address = hostPort(options.hostname ?? "0.0.0.0", options.port ?? 0);
  const ln = await new ListenConfig().Listen(null, network, address);
  return new TcpListener(ln as TCPListener);
}
