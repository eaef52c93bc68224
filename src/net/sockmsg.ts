/**
 * Socket control messages (Go's syscall/sockcmsg_unix.go) for 64-bit
 * Linux: struct cmsghdr is {len u64, level i32, type i32} and its data is
 * aligned to 8 bytes. Used to pass file descriptors over unix sockets with
 * SCM_RIGHTS through `UnixConn.WriteMsgUnix` / `ReadMsgUnix`.
 *
 * @module
 */

import { SCM_RIGHTS, SOL_SOCKET } from "../../ffi/constants.ts";
import { EINVAL } from "../../ffi/errno.ts";

/** sizeof(struct cmsghdr) on 64-bit Linux. */
const SIZEOF_CMSGHDR = 16;

/** Rounds n up to the cmsg alignment (sizeof(size_t), 8). */
function cmsgAlign(n: number): number {
  return (n + 7) & ~7;
}

/**
 * The value of cmsg_len for datalen bytes of data (Go's `syscall.CmsgLen`).
 *
 * @example
 * ```ts
 * import { CmsgLen } from "@netpoll/net";
 * console.log(CmsgLen(4)); // 20
 * ```
 */
export function CmsgLen(datalen: number): number {
  return SIZEOF_CMSGHDR + datalen;
}

/**
 * The bytes a control message with datalen bytes of data takes, padding
 * included (Go's `syscall.CmsgSpace`): size an oob buffer for n fds with
 * `CmsgSpace(4 * n)`.
 *
 * @example
 * ```ts
 * import { CmsgSpace } from "@netpoll/net";
 * const oob = new Uint8Array(CmsgSpace(4)); // room for one fd: 24 bytes
 * console.log(oob.length);
 * ```
 */
export function CmsgSpace(datalen: number): number {
  return SIZEOF_CMSGHDR + cmsgAlign(datalen);
}

/** The header of a socket control message (Go's `syscall.Cmsghdr`). */
export interface Cmsghdr {
  /** cmsg_len: header plus data, without trailing padding. */
  Len: number;
  /** cmsg_level, e.g. SOL_SOCKET (1). */
  Level: number;
  /** cmsg_type, e.g. SCM_RIGHTS (1). */
  Type: number;
}

/** A socket control message (Go's `syscall.SocketControlMessage`). */
export interface SocketControlMessage {
  /** The header. */
  Header: Cmsghdr;
  /** The data: a view into the parsed buffer. */
  Data: Uint8Array;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Encodes file descriptors as one SCM_RIGHTS control message, the oob
 * argument of `UnixConn.WriteMsgUnix` (Go's `syscall.UnixRights`).
 *
 * @example
 * ```ts
 * import { ParseUnixRights, UnixRights } from "@netpoll/net";
 * const oob = UnixRights(0, 1);
 * console.log(oob.length, ParseUnixRights(oob)); // 24 [ 0, 1 ]
 * ```
 */
export function UnixRights(...fds: number[]): Uint8Array {
  for (const fd of fds) {
    if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) {
      throw new RangeError(`invalid file descriptor: ${fd}`);
    }
  }
  const datalen = fds.length * 4;
  const b = new Uint8Array(CmsgSpace(datalen));
  const v = view(b);
  v.setBigUint64(0, BigInt(CmsgLen(datalen)), true);
  v.setInt32(8, SOL_SOCKET, true);
  v.setInt32(12, SCM_RIGHTS, true);
  fds.forEach((fd, i) => v.setInt32(SIZEOF_CMSGHDR + 4 * i, fd, true));
  return b;
}

/**
 * Splits control data (oob[:oobn] from `ReadMsgUnix`) into its messages
 * (Go's `syscall.ParseSocketControlMessage`). Throws the Errno EINVAL when
 * a header's length is impossible.
 */
export function ParseSocketControlMessage(b: Uint8Array): SocketControlMessage[] {
  const msgs: SocketControlMessage[] = [];
  let i = 0;
  while (i + CmsgLen(0) <= b.byteLength) {
    const v = view(b.subarray(i));
    const len = v.getBigUint64(0, true);
    if (len < BigInt(SIZEOF_CMSGHDR) || len > BigInt(b.byteLength - i)) throw EINVAL;
    const n = Number(len);
    msgs.push({
      Header: { Len: n, Level: v.getInt32(8, true), Type: v.getInt32(12, true) },
      Data: b.subarray(i + cmsgAlign(SIZEOF_CMSGHDR), i + n),
    });
    i += cmsgAlign(n);
  }
  return msgs;
}

function rightsOf(m: SocketControlMessage): number[] {
  const v = view(m.Data);
  const fds: number[] = [];
  for (let i = 0; i + 4 <= m.Data.byteLength; i += 4) fds.push(v.getInt32(i, true));
  return fds;
}

/**
 * The file descriptors in control data. Given the bytes a `ReadMsgUnix`
 * filled (oob[:oobn]), returns the fds of every SCM_RIGHTS message in them,
 * skipping other kinds; given one parsed message, returns its fds or throws
 * the Errno EINVAL when it is not SCM_RIGHTS (Go's `syscall.ParseUnixRights`).
 * The fds are the caller's to close.
 *
 * @example
 * ```ts
 * import { ParseUnixRights, UnixRights } from "@netpoll/net";
 * console.log(ParseUnixRights(UnixRights(7))); // [ 7 ]
 * ```
 */
export function ParseUnixRights(m: Uint8Array | SocketControlMessage): number[] {
  if (m instanceof Uint8Array) {
    return ParseSocketControlMessage(m)
      .filter((c) => c.Header.Level === SOL_SOCKET && c.Header.Type === SCM_RIGHTS)
      .flatMap(rightsOf);
  }
  if (m.Header.Level !== SOL_SOCKET || m.Header.Type !== SCM_RIGHTS) throw EINVAL;
  return rightsOf(m);
}
