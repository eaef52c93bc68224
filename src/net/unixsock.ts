/**
 * Unix domain sockets (Go's net/unixsock.go, unixsock_posix.go,
 * unixsock_readmsg_*.go): UnixAddr, UnixConn, UnixListener, DialUnix,
 * ListenUnix, ListenUnixgram. A name starting with "@" is a Linux abstract
 * socket: it lives in no file system and disappears with its socket.
 *
 * @module
 */

import {
  AF_UNIX,
  MSG_CMSG_CLOEXEC,
  SHUT_RD,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
} from "../../ffi/constants.ts";
import { EAFNOSUPPORT, EINVAL } from "../../ffi/errno.ts";
import type { RawSockaddr } from "../poll/fd.ts";
import { EOF } from "../poll/errors.ts";
import { type Addr, AddrError, OpError, UnknownNetworkError } from "./errors.ts";
import { type ControlFunc, type netFD, socket, wrapSyscallError } from "./fd_unix.ts";
import { acceptUntilClosed, type Conn, conn, type Listener } from "./net.ts";
import { listenerBacklog } from "./sock_linux.ts";
import { errMissingAddress, ErrWriteToConnected } from "./udpsock.ts";

/** The address of a unix domain socket end point (Go's `net.UnixAddr`). */
export class UnixAddr implements Addr {
  /** The path, or "@name" for an abstract name. */
  Name: string;
  /** "unix", "unixgram" or "unixpacket". */
  Net: string;

  /** An address for name on net. */
  constructor(name = "", net = "unix") {
    this.Name = name;
    this.Net = net;
  }

  /** The network: "unix", "unixgram" or "unixpacket". */
  Network(): string {
    return this.Net;
  }

  /** The name. */
  String(): string {
    return this.Name;
  }

  /** Same as String(). */
  toString(): string {
    return this.Name;
  }

  /**
   * Whether the name is empty (the kernel picks an abstract name).
   *
   * @internal
   */
  isWildcard(): boolean {
    return this.Name === "";
  }

  /**
   * The kernel form.
   *
   * @internal
   */
  sockaddr(): RawSockaddr {
    return { family: AF_UNIX, addr: new Uint8Array(0), port: 0, scopeId: 0, path: this.Name };
  }
}

/** The socket type of a unix network, or an UnknownNetworkError. */
function unixSotype(network: string): number {
  switch (network) {
    case "unix":
      return SOCK_STREAM;
    case "unixgram":
      return SOCK_DGRAM;
    case "unixpacket":
      return SOCK_SEQPACKET;
  }
  throw new UnknownNetworkError(String(network));
}

/** The unix network of a socket type (Go's sotypeToNet). */
function sotypeToNet(sotype: number): string {
  return sotype === SOCK_DGRAM ? "unixgram" : sotype === SOCK_SEQPACKET ? "unixpacket" : "unix";
}

/**
 * Resolves address on a unix network: the address is the name as is
 * (Go's `net.ResolveUnixAddr`). Throws UnknownNetworkError for any network
 * but "unix", "unixgram" and "unixpacket".
 *
 * @example
 * ```ts
 * import { ResolveUnixAddr } from "@netpoll/net";
 * const a = ResolveUnixAddr("unixgram", "/run/app.sock");
 * console.log(a.Network(), a.String()); // unixgram /run/app.sock
 * ```
 */
export function ResolveUnixAddr(network: string, address: string): UnixAddr {
  unixSotype(network);
  if (typeof address !== "string") throw new TypeError("address must be a string");
  return new UnixAddr(address, network);
}

/**
 * The UnixAddr of a kernel address on net. Linux reports an unnamed
 * socket as the empty abstract name, which Go spells "@".
 */
function toUnixAddr(sa: RawSockaddr, net: string): UnixAddr | null {
  if (sa.family !== AF_UNIX) return null;
  return new UnixAddr(sa.path === "" ? "@" : sa.path, net);
}

/** Converts a kernel address into a "unix" UnixAddr (Go's sockaddrToUnix). */
export function sockaddrToUnix(sa: RawSockaddr): UnixAddr | null {
  return toUnixAddr(sa, "unix");
}

/** Converts a kernel address into a "unixgram" UnixAddr (Go's sockaddrToUnixgram). */
export function sockaddrToUnixgram(sa: RawSockaddr): UnixAddr | null {
  return toUnixAddr(sa, "unixgram");
}

/** Converts a kernel address into a "unixpacket" UnixAddr (Go's sockaddrToUnixpacket). */
export function sockaddrToUnixpacket(sa: RawSockaddr): UnixAddr | null {
  return toUnixAddr(sa, "unixpacket");
}

const addrFuncs: Record<number, (sa: RawSockaddr) => UnixAddr | null> = {
  [SOCK_STREAM]: sockaddrToUnix,
  [SOCK_DGRAM]: sockaddrToUnixgram,
  [SOCK_SEQPACKET]: sockaddrToUnixpacket,
};

/**
 * The courtesy guard for a socket file: Deno's own unix sockets need read
 * and write access to the path, so the library asks for the same.
 * Abstract names touch no file and need nothing.
 */
function checkUnixPermission(name: string): void {
  if (name === "" || name.startsWith("@")) return;
  for (const perm of ["read", "write"] as const) {
    let state: Deno.PermissionState;
    try {
      state = Deno.permissions.querySync({ name: perm, path: name }).state;
    } catch {
      state = "denied";
    }
    if (state !== "granted") {
      throw new Deno.errors.NotCapable(
        `Requires ${perm} access to "${name}", run again with the --allow-${perm} flag`,
      );
    }
  }
}

/** How unixSocket's socket is set up. */
interface UnixSocketOptions {
  control: ControlFunc | null;
  deadline: Date | null;
  signal: AbortSignal | null;
}

/**
 * Creates a unix socket (Go's unixSocket): "listen" binds laddr (and
 * listens, for stream and seqpacket); "dial" connects to raddr, or only
 * binds laddr for an unconnected datagram socket.
 */
function unixSocket(
  network: string,
  laddr: UnixAddr | null,
  raddr: UnixAddr | null,
  mode: "dial" | "listen",
  opts: UnixSocketOptions,
): Promise<netFD> {
  const sotype = unixSotype(network);
  if (mode === "dial") {
    if (laddr?.isWildcard()) laddr = null;
    if (raddr?.isWildcard()) raddr = null;
    if (raddr === null && (sotype !== SOCK_DGRAM || laddr === null)) throw errMissingAddress;
  }
  if (laddr !== null) checkUnixPermission(laddr.Name);
  if (raddr !== null) checkUnixPermission(raddr.Name);
  const ctrlAddr = (raddr ?? laddr)?.String() ?? "";
  return socket(
    network,
    AF_UNIX,
    sotype,
    0,
    false,
    laddr?.sockaddr() ?? null,
    raddr?.sockaddr() ?? null,
    {
      addrFunc: addrFuncs[sotype],
      backlog: listenerBacklog(),
      control: (fd) => opts.control?.(network, ctrlAddr, fd),
      deadline: opts.deadline,
      signal: opts.signal,
    },
  );
}

/** Rejects anything but a Uint8Array where the kernel will read or write bytes. */
function checkBytes(name: string, b: unknown): void {
  if (!(b instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
}

/** A unix domain socket connection (Go's `net.UnixConn`). */
export class UnixConn extends conn {
  /**
   * Wraps a unix netFD.
   *
   * @internal
   */
  constructor(fd: netFD) {
    super(fd);
  }

  /** An OpError for a write to addr (Go names the destination, not the peer). */
  #writeError(addr: Addr | null, err: unknown): OpError {
    return new OpError("write", this.fd.net, this.fd.laddr, addr, err as Error);
  }

  /** The sender of a datagram; unnamed senders have no address. */
  #peer(sa: RawSockaddr): UnixAddr | null {
    return toUnixAddr(sa, sotypeToNet(this.fd.sotype));
  }

  /** Shuts down the reading side. */
  CloseRead(): void {
    this.shutdown(SHUT_RD);
  }

  /** Shuts down the writing side: the peer reads EOF. */
  CloseWrite(): void {
    this.shutdown(SHUT_WR);
  }

  /**
   * Reads one datagram (or, on a stream, what is there) into b; resolves
   * the count and the sender, null for an unnamed or connected peer. A
   * datagram longer than b is truncated. On a stream or seqpacket socket
   * rejects with `EOF` at the end.
   */
  async ReadFromUnix(b: Uint8Array): Promise<[number, UnixAddr | null]> {
    try {
      checkBytes("buffer", b);
      const [n, sa] = await this.fd.pfd.ReadFrom(b);
      if (n === 0 && this.fd.pfd.ZeroReadIsEOF) throw EOF;
      return [n, this.#peer(sa)];
    } catch (err) {
      throw err === EOF ? err : this.opError("read", wrapSyscallError("recvfrom", err));
    }
  }

  /** ReadFromUnix for the generic packet API. */
  ReadFrom(b: Uint8Array): Promise<[number, Addr | null]> {
    return this.ReadFromUnix(b);
  }

  /**
   * Reads a message and its control data (fds passed with SCM_RIGHTS:
   * decode oob[:oobn] with `ParseUnixRights`; received fds are
   * close-on-exec and the caller's to close). Resolves the byte count, the
   * control-data length, the msg flags (MSG_TRUNC, MSG_CTRUNC) and the
   * sender. With an empty b on a stream, one byte is read: the one
   * `WriteMsgUnix` sends to carry control data alone.
   */
  async ReadMsgUnix(
    b: Uint8Array,
    oob: Uint8Array | null,
  ): Promise<[number, number, number, UnixAddr | null]> {
    try {
      checkBytes("buffer", b);
      if (oob !== null) checkBytes("oob", oob);
      const p = this.#carrier(b, oob);
      // Received fds are close-on-exec at once: a child must not inherit them.
      const [n, oobn, kflags, sa] = await this.fd.pfd.ReadMsg(p, oob, MSG_CMSG_CLOEXEC);
      const flags = kflags & ~MSG_CMSG_CLOEXEC;
      if (n === 0 && this.fd.pfd.ZeroReadIsEOF) throw EOF;
      return [n, oobn, flags, this.#peer(sa)];
    } catch (err) {
      throw err === EOF ? err : this.opError("read", wrapSyscallError("recvmsg", err));
    }
  }

  /**
   * A stream carries control data only with at least one byte of data, so
   * control data alone goes with one dummy byte (as Go's syscall.Sendmsg).
   */
  #carrier(b: Uint8Array, oob: Uint8Array | null): Uint8Array {
    const alone = oob !== null && oob.byteLength > 0 && b.byteLength === 0;
    return alone && this.fd.sotype !== SOCK_DGRAM ? new Uint8Array(1) : b;
  }

  /** Checks a destination for WriteTo/WriteMsg (Go's writeTo/writeMsg checks). */
  #destination(addr: UnixAddr): RawSockaddr {
    if (addr.Net !== sotypeToNet(this.fd.sotype)) throw EAFNOSUPPORT;
    return addr.sockaddr();
  }

  /**
   * Sends b as one datagram to addr on an unconnected socket; resolves its
   * length. Fails with `ErrWriteToConnected` on a connected socket.
   */
  async WriteToUnix(b: Uint8Array, addr: UnixAddr | null): Promise<number> {
    try {
      checkBytes("buffer", b);
      if (this.fd.isConnected) throw ErrWriteToConnected;
      if (addr === null || addr === undefined) throw errMissingAddress;
      const sa = this.#destination(addr);
      return await this.fd.pfd.WriteTo(b, sa).catch((err) => {
        throw wrapSyscallError("sendto", err);
      });
    } catch (err) {
      throw this.#writeError(addr ?? null, err);
    }
  }

  /** WriteToUnix for the generic packet API: addr must be a UnixAddr. */
  WriteTo(b: Uint8Array, addr: Addr): Promise<number> {
    if (!(addr instanceof UnixAddr)) {
      return Promise.reject(this.#writeError(addr ?? null, EINVAL));
    }
    return this.WriteToUnix(b, addr);
  }

  /**
   * Sends b with control data oob (e.g. `UnixRights(fd)`) to addr, or to
   * the connected peer when addr is null; resolves [bytes, control bytes]
   * sent. The fds stay open here: the receiver gets duplicates. As in Go,
   * a connected "unixgram" socket fails with `ErrWriteToConnected`.
   */
  async WriteMsgUnix(
    b: Uint8Array,
    oob: Uint8Array | null,
    addr: UnixAddr | null,
  ): Promise<[number, number]> {
    const to = addr ?? null;
    try {
      checkBytes("buffer", b);
      if (oob !== null) checkBytes("oob", oob);
      if (this.fd.sotype === SOCK_DGRAM && this.fd.isConnected) throw ErrWriteToConnected;
      const sa = to === null ? null : this.#destination(to);
      const p = this.#carrier(b, oob);
      const n = await this.fd.pfd.WriteMsg(p, oob, sa).catch((err) => {
        throw wrapSyscallError("sendmsg", err);
      });
      return [p === b ? n : 0, oob?.byteLength ?? 0];
    } catch (err) {
      throw this.#writeError(to, err);
    }
  }
}

/** A unix domain socket listener (Go's `net.UnixListener`). */
export class UnixListener implements Listener {
  /**
   * The listening netFD.
   *
   * @internal
   */
  readonly fd: netFD;
  /** The socket file's path, as bound. */
  readonly #path: string;
  #unlink: boolean;
  /** Only the first Close unlinks: a later one may find someone else's file. */
  #unlinkDone = false;

  /**
   * Wraps a listening netFD whose socket file this process created.
   *
   * @internal
   */
  constructor(fd: netFD) {
    this.fd = fd;
    this.#path = fd.laddr?.String() ?? "";
    this.#unlink = true;
  }

  #opError(op: string, err: unknown): OpError {
    return new OpError(op, this.fd.net, null, this.fd.laddr, err as Error);
  }

  /** Waits for the next connection. */
  async AcceptUnix(): Promise<UnixConn> {
    try {
      return new UnixConn(await this.fd.accept());
    } catch (err) {
      throw this.#opError("accept", err);
    }
  }

  /** Waits for the next connection. */
  Accept(): Promise<Conn> {
    return this.AcceptUnix();
  }

  /**
   * Stops listening (a parked Accept fails with `ErrClosed`) and, the first
   * time, removes the socket file, as Go: the kernel leaves it behind.
   * Removal errors are ignored, as Go ignores unlink's.
   */
  Close(): void {
    if (!this.#unlinkDone) {
      this.#unlinkDone = true;
      if (this.#unlink && this.#path !== "" && this.#path[0] !== "@") {
        try {
          Deno.removeSync(this.#path);
        } catch {
          // Already gone, or not ours to remove.
        }
      }
    }
    try {
      this.fd.Close();
    } catch (err) {
      throw this.#opError("close", err);
    }
  }

  /**
   * Whether Close removes the socket file (default true: this listener
   * created it). Abstract names have no file.
   */
  SetUnlinkOnClose(unlink: boolean): void {
    this.#unlink = unlink;
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
  [Symbol.asyncIterator](): AsyncIterator<UnixConn> {
    return acceptUntilClosed(() => this.AcceptUnix());
  }
}

/** Options for the string-address helpers behind Dial, Listen and ListenPacket. */
export interface UnixSocketConfig {
  /** Local address to bind before connecting (Dial only); must be a UnixAddr on the same network. */
  localAddr?: Addr | null;
  /** Called with the raw fd before bind or connect. */
  control?: ControlFunc | null;
  /** Absolute time after which the connect fails. */
  deadline?: Date | null;
  /** Aborts the connect. */
  signal?: AbortSignal | null;
}

function socketOptions(cfg: UnixSocketConfig): UnixSocketOptions {
  return {
    control: cfg.control ?? null,
    deadline: cfg.deadline ?? null,
    signal: cfg.signal ?? null,
  };
}

async function dialUnix(
  network: string,
  laddr: UnixAddr | null,
  raddr: UnixAddr | null,
  cfg: UnixSocketConfig,
): Promise<UnixConn> {
  try {
    cfg.signal?.throwIfAborted();
    return new UnixConn(await unixSocket(network, laddr, raddr, "dial", socketOptions(cfg)));
  } catch (err) {
    throw new OpError("dial", network, laddr, raddr, err as Error);
  }
}

async function listenUnix(
  network: string,
  laddr: UnixAddr,
  cfg: UnixSocketConfig,
): Promise<UnixListener> {
  try {
    cfg.signal?.throwIfAborted();
    return new UnixListener(await unixSocket(network, laddr, null, "listen", socketOptions(cfg)));
  } catch (err) {
    throw new OpError("listen", network, null, laddr, err as Error);
  }
}

async function listenUnixgram(
  laddr: UnixAddr,
  cfg: UnixSocketConfig,
): Promise<UnixConn> {
  try {
    cfg.signal?.throwIfAborted();
    return new UnixConn(await unixSocket("unixgram", laddr, null, "listen", socketOptions(cfg)));
  } catch (err) {
    throw new OpError("listen", "unixgram", null, laddr, err as Error);
  }
}

/**
 * Connects to raddr on "unix", "unixgram" or "unixpacket" (Go's
 * `net.DialUnix`), binding laddr first when given. A "unixgram" socket
 * with laddr and no raddr is bound but unconnected.
 *
 * @example
 * ```ts ignore
 * import { DialUnix, UnixAddr } from "@netpoll/net";
 * const c = await DialUnix("unix", null, new UnixAddr("/run/app.sock", "unix"));
 * await c.Write(new TextEncoder().encode("hello"));
 * c.Close();
 * ```
 */
export function DialUnix(
  network: string,
  laddr: UnixAddr | null,
  raddr: UnixAddr | null,
): Promise<UnixConn> {
  try {
    unixSotype(network);
  } catch (err) {
    return Promise.reject(new OpError("dial", network, laddr, raddr, err as Error));
  }
  return dialUnix(network, laddr, raddr, {});
}

/**
 * Listens on laddr, "unix" or "unixpacket" (Go's `net.ListenUnix`). Close
 * removes the socket file unless SetUnlinkOnClose(false); "@name" listens
 * on an abstract name, which needs no file.
 *
 * @example
 * ```ts
 * import { ListenUnix, UnixAddr } from "@netpoll/net";
 * const name = `@example-${crypto.randomUUID()}`;
 * const ln = await ListenUnix("unix", new UnixAddr(name, "unix"));
 * console.log(ln.Addr().String() === name); // true
 * ln.Close();
 * ```
 */
export function ListenUnix(network: string, laddr: UnixAddr | null): Promise<UnixListener> {
  if (network !== "unix" && network !== "unixpacket") {
    return Promise.reject(
      new OpError("listen", network, null, laddr, new UnknownNetworkError(String(network))),
    );
  }
  if (laddr === null || laddr === undefined) {
    return Promise.reject(new OpError("listen", network, null, null, errMissingAddress));
  }
  return listenUnix(network, laddr, {});
}

/**
 * Binds a "unixgram" socket to laddr for ReadFromUnix/WriteToUnix (Go's
 * `net.ListenUnixgram`). Unlike a listener's, its socket file is not
 * removed on Close.
 *
 * @example
 * ```ts
 * import { ListenUnixgram, UnixAddr } from "@netpoll/net";
 * const c = await ListenUnixgram("unixgram", new UnixAddr(`@example-${Date.now()}`, "unixgram"));
 * console.log(c.LocalAddr()?.Network()); // unixgram
 * c.Close();
 * ```
 */
export function ListenUnixgram(network: string, laddr: UnixAddr | null): Promise<UnixConn> {
  if (network !== "unixgram") {
    return Promise.reject(
      new OpError("listen", network, null, laddr, new UnknownNetworkError(String(network))),
    );
  }
  if (laddr === null || laddr === undefined) {
    return Promise.reject(new OpError("listen", network, null, null, errMissingAddress));
  }
  return listenUnixgram(laddr, {});
}

/**
 * Dial's unix path (Go's resolveAddrList then dialUnix): connects to the
 * name address on network ("unix", "unixgram", "unixpacket").
 */
export function dialUnixAddress(
  network: string,
  address: string,
  cfg: UnixSocketConfig = {},
): Promise<UnixConn> {
  let raddr: UnixAddr;
  let laddr: UnixAddr | null = null;
  try {
    if (address === "") throw errMissingAddress;
    raddr = ResolveUnixAddr(network, address);
    const hint = cfg.localAddr ?? null;
    if (hint !== null) {
      if (!(hint instanceof UnixAddr) || hint.Network() !== network) {
        throw new AddrError("mismatched local address type", hint.String());
      }
      laddr = hint;
    }
  } catch (err) {
    return Promise.reject(new OpError("dial", network, null, null, err as Error));
  }
  return dialUnix(network, laddr, raddr, cfg);
}

/**
 * Listen's unix path: a listener on the name address, "unix" or
 * "unixpacket".
 */
export function listenUnixAddress(
  network: string,
  address: string,
  cfg: UnixSocketConfig = {},
): Promise<UnixListener> {
  if (network !== "unix" && network !== "unixpacket") {
    return Promise.reject(
      new OpError("listen", network, null, null, new UnknownNetworkError(String(network))),
    );
  }
  let laddr: UnixAddr;
  try {
    laddr = ResolveUnixAddr(network, address);
  } catch (err) {
    return Promise.reject(new OpError("listen", network, null, null, err as Error));
  }
  return listenUnix(network, laddr, cfg);
}

/** ListenPacket's unix path: a "unixgram" socket bound to the name address. */
export function listenUnixgramAddress(
  network: string,
  address: string,
  cfg: UnixSocketConfig = {},
): Promise<UnixConn> {
  if (network !== "unixgram") {
    return Promise.reject(
      new OpError("listen", network, null, null, new UnknownNetworkError(String(network))),
    );
  }
  let laddr: UnixAddr;
  try {
    laddr = ResolveUnixAddr(network, address);
  } catch (err) {
    return Promise.reject(new OpError("listen", network, null, null, err as Error));
  }
  return listenUnixgram(laddr, cfg);
}
