/**
 * The kernel boundary: one `Deno.dlopen` of libc and thin wrappers around
 * the calls the project makes. Every wrapper returns what the call returns
 * on success and the negated errno on failure (the raw kernel convention),
 * read from errno right after the call on the same thread.
 *
 * Lengths and results are declared 32-bit: `usize` costs more per call and
 * 64-bit results come back as bigint.
 *
 * @module
 */

import { ENOSYS } from "./errno.ts";
import { SIZEOF_SOCKADDR_STORAGE } from "./sockaddr.ts";

const symbols = {
  __errno_location: { parameters: [], result: "pointer" },
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  accept4: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  recv: { parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  send: { parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  getpeername: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  epoll_wait_blocking: {
    name: "epoll_wait",
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  sched_yield_offthread: {
    name: "sched_yield",
    parameters: [],
    result: "i32",
    nonblocking: true,
  },
  usleep_offthread: { name: "usleep", parameters: ["u32"], result: "i32", nonblocking: true },
  usleep: { parameters: ["u32"], result: "i32" },
  // glibc 2.35+; absent from older ones, where the poller spins instead.
  epoll_pwait2: {
    parameters: ["i32", "buffer", "i32", "buffer", "pointer"],
    result: "i32",
    optional: true,
  },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  recvfrom: { parameters: ["i32", "buffer", "u32", "i32", "buffer", "buffer"], result: "i32" },
  sendto: { parameters: ["i32", "buffer", "u32", "i32", "buffer", "u32"], result: "i32" },
  recvmsg: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  sendmsg: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  writev: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  splice: { parameters: ["i32", "pointer", "i32", "pointer", "u32", "u32"], result: "i32" },
  sendfile: { parameters: ["i32", "i32", "pointer", "u32"], result: "i32" },
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  open: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  getaddrinfo: {
    parameters: ["buffer", "pointer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  freeaddrinfo: { parameters: ["pointer"], result: "void" },
  getnameinfo: {
    parameters: ["buffer", "u32", "buffer", "u32", "pointer", "u32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  gai_strerror: { parameters: ["i32"], result: "pointer" },
  // The calls made by number (see rawSyscalls), one symbol per shape.
  sys_fd: { name: "syscall", parameters: ["i64", "i32"], result: "i32" },
  sys_fd_buf_n: { name: "syscall", parameters: ["i64", "i32", "buffer", "u32"], result: "i32" },
  sys_accept4: {
    name: "syscall",
    parameters: ["i64", "i32", "buffer", "buffer", "i32"],
    result: "i32",
  },
  sys_epoll_wait: {
    name: "syscall",
    parameters: ["i64", "i32", "buffer", "i32", "i32"],
    result: "i32",
  },
  sys_xfer: {
    name: "syscall",
    parameters: ["i64", "i32", "buffer", "u32", "i32", "i64", "i64"],
    result: "i32",
  },
  sys_recvfrom: {
    name: "syscall",
    parameters: ["i64", "i32", "buffer", "u32", "i32", "buffer", "buffer"],
    result: "i32",
  },
  sys_sendto: {
    name: "syscall",
    parameters: ["i64", "i32", "buffer", "u32", "i32", "buffer", "u32"],
    result: "i32",
  },
} as const;

const lib = Deno.dlopen("libc.so.6", symbols);
const sym = lib.symbols;

/** The raw symbol table, for the other ffi/ modules (netdb.ts) only. */
export const libcSymbols: typeof sym = sym;

// errno is thread-local; this view is the main thread's, valid right after
// each synchronous call.
const errnoView = new Int32Array(
  Deno.UnsafePointerView.getArrayBuffer(sym.__errno_location()!, 4),
);

/**
 * Whether the calls an operation makes (recv, send, accept4, connect,
 * close, epoll_wait and their kin) enter the kernel through syscall(3) by
 * number, as Go's syscall package does, rather than through their glibc
 * wrappers. Those are pthread cancellation points: around each call they
 * enable and then disable asynchronous cancellation, two atomic
 * read-modify-writes. Measured here (`taskset -c 0`, 9 rounds of 200k
 * calls): a recv that finds nothing 358 against 423 ns, epoll_wait(…, 0)
 * 235 against 311 ns. Nothing cancels Deno's threads. The numbers are
 * x86_64's; elsewhere the wrappers stay. syscall(3) returns a long whose
 * low 32 bits hold every result these calls give (lengths are capped at
 * 0x7ffff000), and sets errno as the wrappers do. The unused address
 * arguments of recvfrom and sendto go as 0n: a null "buffer" argument
 * takes a slower FFI path (390 against 358 ns).
 */
export const rawSyscalls: boolean = Deno.build.arch === "x86_64";

/** x86_64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
const SYS = {
  read: 0n,
  write: 1n,
  close: 3n,
  writev: 20n,
  connect: 42n,
  sendto: 44n,
  recvfrom: 45n,
  sendmsg: 46n,
  recvmsg: 47n,
  epoll_wait: 232n,
  accept4: 288n,
} as const;

function ret(r: number): number {
  return r >= 0 ? r : -errnoView[0];
}

const optBuf = new Int32Array(2);
const optBytes = new Uint8Array(optBuf.buffer);
const optLen = new Uint32Array(1);
const optLenBytes = new Uint8Array(optLen.buffer);
const nameBuf = new Uint8Array(SIZEOF_SOCKADDR_STORAGE);
const nameLen = new Uint32Array(1);
const nameLenBytes = new Uint8Array(nameLen.buffer);

/**
 * The address the last accept4, getsockname or getpeername call returned: a
 * view valid until the next of those calls.
 */
export function lastSockaddr(): Uint8Array {
  return nameBuf.subarray(0, Math.min(nameLen[0], nameBuf.byteLength));
}

/** socket(2). */
export function socket(domain: number, type: number, protocol: number): number {
  return ret(sym.socket(domain, type, protocol));
}

/** bind(2) with an encoded sockaddr. */
export function bind(fd: number, sa: Uint8Array, len: number): number {
  return ret(sym.bind(fd, sa, len));
}

/** listen(2). */
export function listen(fd: number, backlog: number): number {
  return ret(sym.listen(fd, backlog));
}

/** accept4(2); the peer's address is then {@linkcode lastSockaddr}. */
export function accept4(fd: number, flags: number): number {
  nameLen[0] = nameBuf.byteLength;
  if (rawSyscalls) return ret(sym.sys_accept4(SYS.accept4, fd, nameBuf, nameLenBytes, flags));
  return ret(sym.accept4(fd, nameBuf, nameLenBytes, flags));
}

/** connect(2) with an encoded sockaddr. */
export function connect(fd: number, sa: Uint8Array, len: number): number {
  if (rawSyscalls) return ret(sym.sys_fd_buf_n(SYS.connect, fd, sa, len));
  return ret(sym.connect(fd, sa, len));
}

/**
 * Lengths cross FFI as u32 (cheaper than u64 bigints). Linux moves at most
 * MAX_RW_COUNT (0x7ffff000) bytes per call anyway, so longer buffers are
 * capped to that rather than wrapping.
 */
const maxRWCount = 0x7ffff000;

function len32(b: Uint8Array): number {
  const n = b.byteLength;
  return n > maxRWCount ? maxRWCount : n;
}

/** recv(2) into b. */
export function recv(fd: number, b: Uint8Array, flags: number): number {
  if (rawSyscalls) return ret(sym.sys_xfer(SYS.recvfrom, fd, b, len32(b), flags, 0n, 0n));
  return ret(sym.recv(fd, b, len32(b), flags));
}

/** send(2) from b. */
export function send(fd: number, b: Uint8Array, flags: number): number {
  if (rawSyscalls) return ret(sym.sys_xfer(SYS.sendto, fd, b, len32(b), flags, 0n, 0n));
  return ret(sym.send(fd, b, len32(b), flags));
}

/** read(2) into b. */
export function read(fd: number, b: Uint8Array): number {
  if (rawSyscalls) return ret(sym.sys_fd_buf_n(SYS.read, fd, b, len32(b)));
  return ret(sym.read(fd, b, len32(b)));
}

/** write(2) from b. */
export function write(fd: number, b: Uint8Array): number {
  if (rawSyscalls) return ret(sym.sys_fd_buf_n(SYS.write, fd, b, len32(b)));
  return ret(sym.write(fd, b, len32(b)));
}

/** close(2). */
export function close(fd: number): number {
  if (rawSyscalls) return ret(sym.sys_fd(SYS.close, fd));
  return ret(sym.close(fd));
}

/** shutdown(2). */
export function shutdown(fd: number, how: number): number {
  return ret(sym.shutdown(fd, how));
}

/** setsockopt(2) with an int value. */
export function setsockoptInt(fd: number, level: number, opt: number, value: number): number {
  optBuf[0] = value;
  return ret(sym.setsockopt(fd, level, opt, optBytes, 4));
}

/** setsockopt(2) with a struct linger {onoff, linger}. */
export function setsockoptLinger(fd: number, onoff: number, seconds: number): number {
  optBuf[0] = onoff;
  optBuf[1] = seconds;
  return ret(sym.setsockopt(fd, 1, /* SOL_SOCKET */ 13, /* SO_LINGER */ optBytes, 8));
}

/**
 * getsockopt(2) for an int option: returns the value, or the negated errno
 * (all int options the project reads are non-negative).
 */
export function getsockoptInt(fd: number, level: number, opt: number): number {
  optBuf[0] = 0;
  optLen[0] = 4;
  const r = sym.getsockopt(fd, level, opt, optBytes, optLenBytes);
  return r < 0 ? -errnoView[0] : optBuf[0];
}

/** getsockname(2); the address is then {@linkcode lastSockaddr}. */
export function getsockname(fd: number): number {
  nameLen[0] = nameBuf.byteLength;
  return ret(sym.getsockname(fd, nameBuf, nameLenBytes));
}

/** getpeername(2); the address is then {@linkcode lastSockaddr}. */
export function getpeername(fd: number): number {
  nameLen[0] = nameBuf.byteLength;
  return ret(sym.getpeername(fd, nameBuf, nameLenBytes));
}

/** epoll_create1(2). */
export function epollCreate1(flags: number): number {
  return ret(sym.epoll_create1(flags));
}

/** epoll_ctl(2) with a packed 12-byte struct epoll_event. */
export function epollCtl(epfd: number, op: number, fd: number, event: Uint8Array): number {
  return ret(sym.epoll_ctl(epfd, op, fd, event));
}

/** epoll_wait(2) on this thread; use a timeout of 0 (never blocks the event loop). */
export function epollWait(epfd: number, events: Uint8Array, max: number, timeout: number): number {
  if (rawSyscalls) return ret(sym.sys_epoll_wait(SYS.epoll_wait, epfd, events, max, timeout));
  return ret(sym.epoll_wait(epfd, events, max, timeout));
}

// struct timespec as four little-endian words: seconds, then nanoseconds.
const timespec = new Int32Array(4);
const timespecBytes = new Uint8Array(timespec.buffer);

/** Whether epoll_pwait2(2) (a nanosecond timeout) is available from libc. */
export const haveEpollPwait2: boolean = sym.epoll_pwait2 !== null;

/**
 * epoll_pwait2(2) on this thread with a timeout in nanoseconds: it blocks
 * the event loop for that long at most. -ENOSYS when libc lacks it.
 */
export function epollPwait2(epfd: number, events: Uint8Array, max: number, ns: number): number {
  const f = sym.epoll_pwait2;
  if (f === null) return -ENOSYS.errno;
  const t = Math.min(Math.max(0, Math.floor(ns)), 0x7fffffff * 1e9);
  timespec[0] = Math.floor(t / 1e9);
  timespec[2] = t % 1e9;
  return ret(f(epfd, events, max, timespecBytes, null));
}

/**
 * A call on Deno's blocking thread pool that gives up the worker's CPU
 * (sched_yield), or sleeps us microseconds. While it is out Deno's event
 * loop has nothing ready, so it parks and polls its own I/O: the one kind
 * of turn after which Deno's native sockets make progress. On a core the
 * worker shares with the event loop, sched_yield hands the core back to
 * the loop until it parks.
 */
export function threadHop(us = 0): Promise<number> {
  // usleep takes less than a second; NaN and negatives mean no sleep.
  return us > 0
    ? sym.usleep_offthread(Math.min(Math.ceil(us), 999_999))
    : sym.sched_yield_offthread();
}

/** Sleeps this thread (Deno's main thread) for us microseconds, at most 999,999. */
export function sleepHere(us: number): void {
  if (us > 0) sym.usleep(Math.min(Math.ceil(us), 999_999));
}

/**
 * epoll_wait(2) on a worker thread. errno is not available (it belongs to
 * the worker); a negative result means retry. The caller must keep events
 * referenced until the promise settles.
 */
export function epollWaitBlocking(
  epfd: number,
  events: Uint8Array,
  max: number,
  timeout: number,
): Promise<number> {
  return sym.epoll_wait_blocking(epfd, events, max, timeout);
}

const CLOCK_MONOTONIC = 1;
const timespecNow = new Uint8Array(16);
const timespecNowWords = new Int32Array(timespecNow.buffer);

/**
 * CLOCK_MONOTONIC in ms, with ns digits: the poller reads it every loop
 * turn, and through FFI it costs ~80 ns against ~200–235 ns for
 * `performance.now()` (one Deno op each; same host, 10^6 calls). The low
 * word of tv_sec overflows after 68 years of uptime.
 */
export function monoNow(): number {
  sym.clock_gettime(CLOCK_MONOTONIC, timespecNow);
  return timespecNowWords[0] * 1000 + timespecNowWords[2] / 1e6;
}

/** eventfd(2). */
export function eventfd(initval: number, flags: number): number {
  return ret(sym.eventfd(initval, flags));
}

/** recvfrom(2); the sender's address is then {@linkcode lastSockaddr}. */
export function recvfrom(fd: number, b: Uint8Array, flags: number): number {
  nameLen[0] = nameBuf.byteLength;
  if (rawSyscalls) {
    return ret(sym.sys_recvfrom(SYS.recvfrom, fd, b, len32(b), flags, nameBuf, nameLenBytes));
  }
  return ret(sym.recvfrom(fd, b, len32(b), flags, nameBuf, nameLenBytes));
}

/** sendto(2) with an encoded sockaddr (len 0: none, for connected sockets). */
export function sendto(
  fd: number,
  b: Uint8Array,
  flags: number,
  sa: Uint8Array,
  len: number,
): number {
  if (rawSyscalls) return ret(sym.sys_sendto(SYS.sendto, fd, b, len32(b), flags, sa, len));
  return ret(sym.sendto(fd, b, len32(b), flags, sa, len));
}

function ptr(b: Uint8Array | null): bigint {
  if (b === null || b.byteLength === 0) return 0n;
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(b)));
}

// struct msghdr (56 bytes) and one struct iovec (16 bytes), reused.
const msg = new Uint8Array(56);
const msgView = new DataView(msg.buffer);
const iov1 = new Uint8Array(16);
const iov1View = new DataView(iov1.buffer);

function fillMsghdr(
  b: Uint8Array,
  oob: Uint8Array | null,
  name: Uint8Array | null,
  nameLength: number,
): void {
  iov1View.setBigUint64(0, ptr(b), true);
  iov1View.setBigUint64(8, BigInt(b.byteLength), true);
  msgView.setBigUint64(0, ptr(name), true);
  msgView.setUint32(8, name === null ? 0 : nameLength, true);
  msgView.setBigUint64(16, ptr(iov1), true);
  msgView.setBigUint64(24, 1n, true);
  msgView.setBigUint64(32, ptr(oob), true);
  msgView.setBigUint64(40, BigInt(oob?.byteLength ?? 0), true);
  msgView.setInt32(48, 0, true);
}

/**
 * recvmsg(2) into b with ancillary data into oob. Returns n or -errno; the
 * sender's address is then {@linkcode lastSockaddr}, and
 * {@linkcode lastMsgResult} gives the control length and flags.
 */
export function recvmsg(fd: number, b: Uint8Array, oob: Uint8Array | null, flags: number): number {
  fillMsghdr(b, oob, nameBuf, nameBuf.byteLength);
  const r = ret(
    rawSyscalls ? sym.sys_fd_buf_n(SYS.recvmsg, fd, msg, flags) : sym.recvmsg(fd, msg, flags),
  );
  nameLen[0] = msgView.getUint32(8, true);
  return r;
}

/** The control-data length and msg_flags of the last recvmsg. */
export function lastMsgResult(): [oobn: number, flags: number] {
  return [Number(msgView.getBigUint64(40, true)), msgView.getInt32(48, true)];
}

/** sendmsg(2) of b with ancillary data oob to an encoded sockaddr (len 0: none). */
export function sendmsg(
  fd: number,
  b: Uint8Array,
  oob: Uint8Array | null,
  sa: Uint8Array | null,
  len: number,
  flags: number,
): number {
  fillMsghdr(b, oob, sa, len);
  if (rawSyscalls) return ret(sym.sys_fd_buf_n(SYS.sendmsg, fd, msg, flags));
  return ret(sym.sendmsg(fd, msg, flags));
}

/** Most iovecs one writev takes (IOV_MAX). */
export const IOV_MAX = 1024;
const iovs = new Uint8Array(IOV_MAX * 16);
const iovsView = new DataView(iovs.buffer);

/** writev(2) of up to IOV_MAX buffers. */
export function writev(fd: number, bufs: Uint8Array[]): number {
  const n = Math.min(bufs.length, IOV_MAX);
  for (let i = 0; i < n; i++) {
    iovsView.setBigUint64(i * 16, ptr(bufs[i]), true);
    iovsView.setBigUint64(i * 16 + 8, BigInt(bufs[i].byteLength), true);
  }
  if (rawSyscalls) return ret(sym.sys_fd_buf_n(SYS.writev, fd, iovs, n));
  return ret(sym.writev(fd, iovs, n));
}

/** splice(2) between two fds (one a pipe), no offsets. */
export function splice(fdIn: number, fdOut: number, len: number, flags: number): number {
  return ret(sym.splice(fdIn, null, fdOut, null, len, flags));
}

/** sendfile(2) from the file's current offset. */
export function sendfile(outFd: number, inFd: number, count: number): number {
  return ret(sym.sendfile(outFd, inFd, null, count));
}

const pipeFds = new Int32Array(2);

/** pipe2(2); returns 0 and the fds in the result, or -errno. */
export function pipe2(flags: number): [number, number, number] {
  const r = ret(sym.pipe2(new Uint8Array(pipeFds.buffer), flags));
  return [r, pipeFds[0], pipeFds[1]];
}

/** fcntl(2) with an int argument (F_DUPFD_CLOEXEC, F_GETFL, F_SETFL…). */
export function fcntl(fd: number, cmd: number, arg: number): number {
  return ret(sym.fcntl(fd, cmd, arg));
}

/** open(2) of a path. */
export function open(path: string, flags: number, mode: number): number {
  return ret(sym.open(new TextEncoder().encode(path + "\0"), flags, mode));
}
