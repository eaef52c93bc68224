/**
 * Go's `net` package for Deno on Linux: sockets through the kernel's own
 * calls, an event poller modelled on Go's runtime netpoll, and Go's API —
 * Listen, Dial, deadlines, half-close, socket options and Go's errors.
 *
 * @example
 * ```ts
 * import { Dial, Listen } from "@netpoll/net";
 *
 * const ln = await Listen("tcp", "127.0.0.1:0");
 * const accepted = ln.Accept();
 * const c = await Dial("tcp", ln.Addr().String());
 * const s = await accepted;
 * await c.Write(new TextEncoder().encode("ping"));
 * const buf = new Uint8Array(4);
 * s.SetReadDeadline(new Date(Date.now() + 1000));
 * console.log(await s.Read(buf)); // 4
 * c.Close();
 * s.Close();
 * ln.Close();
 * ```
 *
 * @module
 */

export {
  Dial,
  Dialer,
  type DialerOptions,
  DialTimeout,
  Listen,
  ListenConfig,
  ListenPacket,
} from "./src/net/dial.ts";
export {
  DialUDP,
  ErrWriteToConnected,
  ListenUDP,
  ResolveUDPAddr,
  UDPAddr,
  UDPConn,
} from "./src/net/udpsock.ts";
export {
  DialUnix,
  ListenUnix,
  ListenUnixgram,
  ResolveUnixAddr,
  UnixAddr,
  UnixConn,
  UnixListener,
} from "./src/net/unixsock.ts";
export {
  type Cmsghdr,
  CmsgLen,
  CmsgSpace,
  ParseSocketControlMessage,
  ParseUnixRights,
  type SocketControlMessage,
  UnixRights,
} from "./src/net/sockmsg.ts";
export type { ListenConfigOptions } from "./src/net/dial.ts";
export type { ControlFunc } from "./src/net/fd_unix.ts";
export { type Conn, conn, type Listener, type PacketConn } from "./src/net/net.ts";
export { type DenoReader, type Reader, TCPAddr, TCPConn, TCPListener } from "./src/net/tcpsock.ts";
export { InetAddr } from "./src/net/ipsock_posix.ts";
export { Buffers, type BuffersWriter, type Writer } from "./src/net/writev.ts";
export { File, OpenFile } from "./src/poll/file.ts";
export {
  type PollerControl,
  pollerControl as defaultPoller,
  type PollerStats,
} from "./src/runtime/control.ts";
export { type RawConn, rawConn } from "./src/net/rawconn.ts";
export {
  DefaultResolver,
  type IPAddr,
  LookupHost,
  LookupIP,
  LookupPort,
  Resolver,
  ResolveTCPAddr,
} from "./src/net/lookup.ts";
export {
  CIDRMask,
  IP,
  IPMask,
  IPNet,
  IPv4,
  IPv4bcast,
  IPv4len,
  IPv4Mask,
  IPv4zero,
  IPv6len,
  IPv6loopback,
  IPv6unspecified,
  IPv6zero,
  ParseCIDR,
  ParseIP,
} from "./src/net/ip.ts";
export { JoinHostPort, SplitHostPort } from "./src/net/ipsock.ts";
export {
  type Addr,
  AddrError,
  As,
  DNSError,
  type DNSErrorInit,
  InvalidAddrError,
  Is,
  OpError,
  ParseError,
  SyscallError,
  UnknownNetworkError,
} from "./src/net/errors.ts";
export { Errno } from "./ffi/errno.ts";
export {
  DeadlineExceededError,
  EOF,
  EOFError,
  ErrDeadlineExceeded,
  ErrNetClosing as ErrClosed,
  NetClosingError,
} from "./src/poll/errors.ts";
