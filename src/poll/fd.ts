/**
 * FD (Go's internal/poll/fd_unix.go): a socket fd with its poll state and
 * fdMutex. Every I/O path tries the syscall first and parks on the poller
 * only on EAGAIN. Errors are the poll sentinels or raw Errno values; the
 * net layer adds the operation context.
 *
 * @module
 */

import { F_DUPFD_CLOEXEC, MSG_NOSIGNAL, SOCK_CLOEXEC, SOCK_NONBLOCK } from "../../ffi/constants.ts";
import { EAGAIN, ECONNABORTED, EINTR, errnoErr } from "../../ffi/errno.ts";
import * as libc from "../../ffi/libc.ts";
import {
  decodeSockaddr,
  encodeInet4,
  encodeInet4Number,
  encodeInet6,
  encodeUnix,
  Inet4Sockaddr,
  type RawSockaddr,
  SIZEOF_SOCKADDR_STORAGE,
} from "../../ffi/sockaddr.ts";
import {
  defaultPoller,
  type PollDesc,
  type Poller,
  pollErrClosing,
  pollErrRegister,
  pollNoError,
  pollParked,
  type PollWaiter,
} from "../runtime/netpoll.ts";
import { EOF, ErrDeadlineExceeded, ErrNetClosing } from "./errors.ts";
import { FdMutex } from "./fd_mutex.ts";

export type { RawSockaddr };
export { Inet4Sockaddr };

/** Largest single read or write, as Go (1 GiB): some kernels fail larger ones. */
const maxRW = 1 << 30;

const eagain = -EAGAIN.errno;
/** From FD's recv: the FFI call threw (a detached buffer); not an errno. */
const recvThrew = -0x10000;
const eintr = -EINTR.errno;
const econnaborted = -ECONNABORTED.errno;

/**
 * Turns the errors of FD.Read and FD.Write into what the caller reports
 * (the net layer's OpError), so the net layer can hand FD's promise
 * straight to its caller.
 */
export interface ErrorMapper {
  /** The error to reject with for err from op. */
  ioError(op: "read" | "write", err: unknown): unknown;
}

function mapError(m: ErrorMapper | null, op: "read" | "write", err: unknown): unknown {
  if (m === null) return err;
  // Never throws: it runs inside Close, deadline timers and the poller's
  // dispatch, where a throw would leave a promise unsettled.
  try {
    return m.ioError(op, err);
  } catch {
    return err;
  }
}

const saBuf = new Uint8Array(SIZEOF_SOCKADDR_STORAGE);

/** Encodes sa into a shared buffer; returns its length, or -1 if it cannot be encoded. */
function encodeSockaddr(sa: RawSockaddr): number {
  switch (sa.family) {
    case 2:
      if (sa instanceof Inet4Sockaddr) return encodeInet4Number(saBuf, sa.a32, sa.port);
      return encodeInet4(saBuf, sa.addr, sa.port);
    case 10:
      return encodeInet6(saBuf, sa.addr, sa.port, sa.scopeId);
    case 1:
      return encodeUnix(saBuf, sa.path);
  }
  return -1;
}

/**
 * Creates a non-blocking, close-on-exec socket (Go's sysSocket). Throws
 * the Errno on failure.
 */
export function sysSocket(family: number, sotype: number, proto: number): number {
  const s = libc.socket(family, sotype | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (s < 0) throw errnoErr(-s);
  return s;
}

/** Closes a raw fd that was never wrapped in an FD. */
export function closeFunc(fd: number): void {
  libc.close(fd);
}

/**
 * The promise of an operation that completed at once, kept for the last
 * count: a settled promise can be awaited any number of times, and servers
 * mostly move same-sized messages, so most such operations allocate nothing.
 */
class SettledCount {
  #n = -1;
  #p: Promise<number> = Promise.resolve(-1);

  /** A promise resolved with n. */
  of(n: number): Promise<number> {
    if (n !== this.#n) {
      this.#p = Promise.resolve(n);
      this.#n = n;
    }
    return this.#p;
  }
}

// Reads and writes alternate sizes (a request, then its response): one each.
const readDone = new SettledCount();
const writeDone = new SettledCount();

// FD flag bits.
const fdStream = 1;
const fdZeroReadIsEOF = 2;
const fdShortReadDrains = 4;
/**
 * The last Read returned less than asked from a ShortReadDrains socket:
 * the queue was empty then, and edge-triggered epoll reports any data that
 * arrives later, so the next Read waits for that edge instead of paying for
 * a recv that says EAGAIN. Any other read path clears it (see prepare),
 * since it may consume an edge and leave data behind.
 */
const fdDrained = 8;

/**
 * The pollers of FDs made with one other than the default (tests): not a
 * field, since every conn would pay for it.
 */
const otherPollers = new WeakMap<FD, Poller>();

/** What a throwing recv threw, from #recv to #readFinish (synchronous). */
let recvThrown: unknown = null;

let capturedResolve: ((n: number | Promise<never>) => void) | null = null;

/** The executor of every parked read's promise: hands its resolve function over. */
function captureResolve(resolve: (n: number | Promise<never>) => void): void {
  capturedResolve = resolve;
}

/**
 * A file descriptor for a socket, with poller integration (Go's poll.FD).
 * The fdMutex is its base class, as Go embeds it in the struct: one object
 * per conn fewer (an idle conn's heap is most of its memory).
 */
export class FD extends FdMutex implements PollWaiter {
  /** The system file descriptor; -1 once destroyed. */
  Sysfd: number;
  // IsStream, ZeroReadIsEOF, ShortReadDrains and the drained mark, as bits
  // of one small integer: one field per idle conn instead of four.
  #flags: number;
  #pd: PollDesc | null = null;
  // The read in progress (one at a time, under the read lock): its buffer,
  // error mapper and, once parked, its promise's resolve function. Errors
  // resolve it with a rejected promise: keeping the reject function too
  // would cost every idle conn another closure.
  #rbuf: Uint8Array | null = null;
  #rmap: ErrorMapper | null = null;
  #rres: ((n: number | Promise<never>) => void) | null = null;

  constructor(sysfd: number, isStream: boolean, zeroReadIsEOF: boolean, poller?: Poller) {
    super();
    this.Sysfd = sysfd;
    this.#flags = (isStream ? fdStream : 0) | (zeroReadIsEOF ? fdZeroReadIsEOF : 0);
    if (poller !== undefined && poller !== defaultPoller) otherPollers.set(this, poller);
  }

  /** Whether this is a stream socket (reads and writes are capped at maxRW). */
  get IsStream(): boolean {
    return (this.#flags & fdStream) !== 0;
  }

  /** Whether a zero-byte read means EOF (stream sockets). */
  get ZeroReadIsEOF(): boolean {
    return (this.#flags & fdZeroReadIsEOF) !== 0;
  }

  /**
   * Whether a short read of this stream proves its receive queue was empty
   * (TCP). Unix stream reads also stop short at a segment that carries
   * passed fds, so they leave this false.
   */
  get ShortReadDrains(): boolean {
    return (this.#flags & fdShortReadDrains) !== 0;
  }

  set ShortReadDrains(v: boolean) {
    this.#flags = v ? this.#flags | fdShortReadDrains : this.#flags & ~fdShortReadDrains;
  }

  /** Registers the fd with the poller (Go's FD.Init). Throws the Errno on failure. */
  Init(): void {
    const pd = (otherPollers.get(this) ?? defaultPoller).open(this.Sysfd);
    if (typeof pd === "number") throw errnoErr(-pd);
    this.#pd = pd;
  }

  /** Whether the fd has joined the poller's epoll, which it does at its first wait. */
  get registered(): boolean {
    return this.#pd?.registered ?? false;
  }

  /** The error of a wait's outcome code (a failed registration: its errno). */
  #pollError(code: number): Error {
    if (code === pollErrRegister) return errnoErr(-this.#pd!.registerErrno);
    return code === pollErrClosing ? ErrNetClosing : ErrDeadlineExceeded;
  }

  /** Whether Close has been called. */
  get closing(): boolean {
    return this.closed;
  }

  #destroy(): void {
    if (this.#pd !== null) {
      this.#pd.poller.close(this.#pd);
      this.#pd = null;
    }
    libc.close(this.Sysfd);
    this.Sysfd = -1;
  }

  #decref(): void {
    if (this.decref()) this.#destroy();
  }

  #incref(): void {
    if (!this.incref()) throw ErrNetClosing;
  }

  /** Takes the lock: at once when uncontended (no promise), else a promise. */
  #lock(read: boolean): void | Promise<void> {
    const l = this.rwlock(read);
    if (l === true) return;
    if (l === false) throw ErrNetClosing;
    return l.then((ok) => {
      if (!ok) throw ErrNetClosing;
    });
  }

  #unlock(read: boolean): void {
    if (this.rwunlock(read)) this.#destroy();
  }

  /** Takes the read lock (Go's readLock); throws ErrNetClosing when closed. */
  async readLock(): Promise<void> {
    await this.#lock(true);
  }

  /** Releases the read lock. */
  readUnlock(): void {
    this.#unlock(true);
  }

  /** Takes the write lock (Go's writeLock); throws ErrNetClosing when closed. */
  async writeLock(): Promise<void> {
    await this.#lock(false);
  }

  /** Releases the write lock. */
  writeUnlock(): void {
    this.#unlock(false);
  }

  /**
   * Whether I/O that completes without parking has run long enough that
   * Deno's event loop is owed a turn (the poller's yieldDue; cheap). Every
   * operation that can finish without the poller checks it: an accept loop
   * whose backlog never empties, or a dial loop on loopback, never parks
   * (400 backlogged conns at 0.5 ms of work each: not one 10 ms tick of a
   * `setInterval` in 229 ms without the check).
   */
  yieldDue(): boolean {
    const pd = this.#pd;
    return pd !== null && pd.poller.yieldDue();
  }

  /** Gives Deno's event loop a turn (the poller's yield); call it when yieldDue() said so. */
  yield(): Promise<void> {
    return this.#pd!.poller.yield();
  }

  /** Fails at once when closing or past the deadline for this direction (Go's prepareRead/Write). */
  prepare(read: boolean): void {
    if (read) this.#flags &= ~fdDrained;
    const err = this.#pd!.check(read);
    if (err !== pollNoError) throw this.#pollError(err);
  }

  /** Parks until readable, or throws the closing/deadline sentinel. */
  async waitRead(): Promise<void> {
    let w = this.#pd!.waitRead();
    if (typeof w !== "number") w = await w;
    if (w !== pollNoError) throw this.#pollError(w);
  }

  /** Parks until writable, or throws the closing/deadline sentinel. */
  async waitWrite(): Promise<void> {
    let w = this.#pd!.waitWrite();
    if (typeof w !== "number") w = await w;
    if (w !== pollNoError) throw this.#pollError(w);
  }

  /**
   * Closes the fd: waiters are woken with ErrNetClosing and the fd itself
   * is closed when the last operation using it returns. Throws
   * ErrNetClosing when already closed.
   */
  Close(): void {
    if (!this.increfAndClose()) throw ErrNetClosing;
    this.#pd?.evict();
    this.#decref();
  }

  /**
   * Reads into p; resolves the byte count, rejects with EOF at end of
   * stream, a poll sentinel, or an Errno, each passed through m when given
   * (the net layer's OpError wrapping).
   *
   * Not an async function: the common cases (data is there, or the read
   * parks once and the poller's wake-up finds data) cost one promise, and
   * the recv after a wake-up runs in the poller's dispatch.
   */
  Read(p: Uint8Array, m: ErrorMapper | null = null): Promise<number> {
    let l: boolean | Promise<boolean>;
    try {
      l = this.rwlock(true);
    } catch (err) {
      return Promise.reject(err); // Go's overflow panic, as a rejection
    }
    if (l !== true) return this.#whenLocked(l, "read", m, () => this.#readLocked(p, m));
    return this.#readLocked(p, m);
  }

  /** Read's and Write's contended path: waits for the lock l, then runs locked. */
  async #whenLocked(
    l: false | Promise<boolean>,
    op: "read" | "write",
    m: ErrorMapper | null,
    locked: () => Promise<number>,
  ): Promise<number> {
    if (l === false || !(await l)) throw mapError(m, op, ErrNetClosing);
    return locked();
  }

  /** The rest of Read, with the read lock held; always releases it. */
  #readLocked(p: Uint8Array, m: ErrorMapper | null): Promise<number> {
    this.#rbuf = this.IsStream && p.byteLength > maxRW ? p.subarray(0, maxRW) : p;
    this.#rmap = m;
    const pd = this.#pd!;
    let n: number;
    try {
      if (p.byteLength === 0) return Promise.resolve(this.#readFinish(0));
      const err = pd.check(true);
      if (err !== pollNoError) return Promise.reject(this.#readFailure(this.#pollError(err)));
      // After a FIN no further edge comes (the next recv must see the EOF),
      // and urgent data stops a read short: then recv first.
      if ((this.#flags & fdDrained) && !pd.mustRecv) {
        this.#flags &= ~fdDrained;
        return this.#readPark();
      }
      n = this.#recv();
      if (n === eagain) return this.#readPark();
      n = this.#readFinish(n);
    } catch (err) {
      return Promise.reject(err);
    }
    // Reads that never park would otherwise starve Deno's timers.
    if (pd.poller.yieldDue()) return pd.poller.yield().then(() => n);
    return readDone.of(n);
  }

  /**
   * recv into the pending read's buffer, retrying EINTR: bytes, 0, -errno,
   * or recvThrew. It never throws: it runs in the poller's dispatch, and a
   * buffer the caller detached (transferred) while the read was parked
   * must fail that read, not the poller.
   */
  #recv(): number {
    for (;;) {
      let n: number;
      try {
        n = libc.recv(this.Sysfd, this.#rbuf!, 0);
      } catch (err) {
        recvThrown = err;
        return recvThrew;
      }
      if (n !== eintr) return n;
    }
  }

  /**
   * Ends the pending read with recv's result: releases the lock and
   * returns the count, or throws the (mapped) EOF or Errno.
   */
  #readFinish(n: number): number {
    if (n > 0) {
      // The drained mark: set when a ShortReadDrains socket read short.
      const f = this.#flags & ~fdDrained;
      this.#flags = (f & fdShortReadDrains) && n < this.#rbuf!.byteLength ? f | fdDrained : f;
    } else if (n === recvThrew) {
      const err = recvThrown as Error;
      recvThrown = null;
      throw this.#readFailure(err);
    } else if (n < 0) {
      throw this.#readFailure(errnoErr(-n));
    } else if (this.ZeroReadIsEOF && this.#rbuf!.byteLength > 0) {
      throw this.#readFailure(EOF);
    }
    this.#readRelease();
    return n;
  }

  /** Ends the pending read with err: releases the lock; returns the mapped error. */
  #readFailure(err: Error): unknown {
    const m = this.#rmap;
    this.#readRelease();
    return mapError(m, "read", err);
  }

  #readRelease(): void {
    // Drop the references: a finished read must not keep the buffer alive.
    this.#rbuf = null;
    this.#rmap = null;
    this.#rres = null;
    this.#unlock(true);
  }

  /** Parks the pending read on the poller; the promise settles when it ends. */
  #readPark(): Promise<number> {
    // A shared executor, not a closure over this: one allocation fewer per
    // parked read.
    const p = new Promise<number>(captureResolve);
    this.#rres = capturedResolve;
    capturedResolve = null;
    this.#readWait();
    return p;
  }

  /** Waits for readability, retrying recv while the wait reports ready. */
  #readWait(): void {
    const pd = this.#pd!;
    for (;;) {
      const code = pd.parkRead(this);
      if (code === pollParked) return;
      if (code !== pollNoError) return this.#readSettleError(code);
      const n = this.#recv();
      if (n !== eagain) return this.#readSettle(n);
    }
  }

  /**
   * The poller's wake-up for a parked read: readiness, closing or a
   * deadline (the PollWaiter interface; not for callers).
   */
  pollReadWake(code: number): void {
    if (code !== pollNoError) return this.#readSettleError(code);
    const n = this.#recv();
    if (n === eagain) this.#readWait();
    else this.#readSettle(n);
  }

  #readSettleError(code: number): void {
    const resolve = this.#rres!;
    resolve(Promise.reject(this.#readFailure(this.#pollError(code))));
  }

  #readSettle(n: number): void {
    const resolve = this.#rres!;
    let r: number;
    try {
      r = this.#readFinish(n);
    } catch (err) {
      resolve(Promise.reject(err));
      return;
    }
    resolve(r);
  }

  /**
   * Writes all of p (looping over partial writes, parking when the send
   * buffer is full); resolves p's length or rejects with a poll sentinel or
   * an Errno, passed through m when given. The common case, a send that
   * takes everything, costs one promise.
   */
  Write(p: Uint8Array, m: ErrorMapper | null = null): Promise<number> {
    let l: boolean | Promise<boolean>;
    try {
      l = this.rwlock(false);
    } catch (err) {
      return Promise.reject(err); // Go's overflow panic, as a rejection
    }
    if (l !== true) return this.#whenLocked(l, "write", m, () => this.#writeLocked(p, m));
    return this.#writeLocked(p, m);
  }

  /** The rest of Write, with the write lock held; always releases it. */
  #writeLocked(p: Uint8Array, m: ErrorMapper | null): Promise<number> {
    try {
      return this.#writeNow(p, m);
    } catch (err) {
      // The FFI call threw (a detached buffer): the lock is still held.
      this.#unlock(false);
      return Promise.reject(mapError(m, "write", err));
    }
  }

  #writeNow(p: Uint8Array, m: ErrorMapper | null): Promise<number> {
    const pd = this.#pd!;
    const code = pd.check(false);
    if (code !== pollNoError) {
      const err = mapError(m, "write", this.#pollError(code));
      this.#unlock(false);
      return Promise.reject(err);
    }
    const total = p.byteLength;
    let nn = 0;
    for (;;) {
      let max = total;
      if (this.IsStream && max - nn > maxRW) max = nn + maxRW;
      const chunk = nn === 0 && max === total ? p : p.subarray(nn, max);
      const n = libc.send(this.Sysfd, chunk, MSG_NOSIGNAL);
      if (n > 0) nn += n;
      if (nn === total) {
        this.#unlock(false);
        if (pd.poller.yieldDue()) return pd.poller.yield().then(() => nn);
        return writeDone.of(nn);
      }
      // A partial send means the send buffer filled (the kernel marks the
      // socket for a write-space edge): wait for it instead of an EAGAIN.
      // A chunk capped at maxRW may have gone out whole: then send on.
      if (n === eagain || (this.IsStream && n > 0 && n < chunk.byteLength)) {
        return this.#writeParked(p, nn, m);
      }
      if (n < 0 && n !== eintr) {
        const err = mapError(m, "write", errnoErr(-n));
        this.#unlock(false);
        return Promise.reject(err);
      }
    }
  }

  /** Write's slow path: waits for send-buffer space between sends; releases the lock. */
  async #writeParked(p: Uint8Array, nn: number, m: ErrorMapper | null): Promise<number> {
    try {
      const pd = this.#pd!;
      const total = p.byteLength;
      for (;;) {
        let w = pd.waitWrite();
        if (typeof w !== "number") w = await w;
        if (w !== pollNoError) throw this.#pollError(w);
        for (;;) {
          let max = total;
          if (this.IsStream && max - nn > maxRW) max = nn + maxRW;
          const chunk = p.subarray(nn, max);
          const n = libc.send(this.Sysfd, chunk, MSG_NOSIGNAL);
          if (n > 0) nn += n;
          if (nn === total) return nn;
          if (n === eagain || (this.IsStream && n > 0 && n < chunk.byteLength)) break;
          if (n < 0 && n !== eintr) throw errnoErr(-n);
        }
      }
    } catch (err) {
      throw mapError(m, "write", err);
    } finally {
      this.#unlock(false);
    }
  }

  /**
   * Accepts a connection (accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC);
   * ECONNABORTED means the peer reset before we accepted: retry. Resolves
   * the new fd and the peer's address.
   */
  async Accept(): Promise<[number, RawSockaddr]> {
    // The turn owed to Deno's loop is taken before accept4, not after: an
    // accepted fd must reach the caller at once, or a Close during the
    // yield would strand it in a conn no one holds any more.
    if (this.yieldDue()) await this.yield();
    const locked = this.#lock(true);
    if (locked !== undefined) await locked;
    try {
      const pd = this.#pd!;
      const err = pd.check(true);
      if (err !== pollNoError) throw this.#pollError(err);
      for (;;) {
        const s = libc.accept4(this.Sysfd, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (s >= 0) {
          const sa = libc.lastSockaddr();
          return [s, decodeSockaddr(sa, sa.byteLength)];
        }
        if (s === eagain) {
          let w = pd.waitRead();
          if (typeof w !== "number") w = await w;
          if (w === pollNoError) continue;
          throw this.#pollError(w);
        }
        if (s !== eintr && s !== econnaborted) throw errnoErr(-s);
      }
    } finally {
      this.#unlock(true);
    }
  }

  /** Waits until the fd is writable (used by connect). */
  async WaitWrite(): Promise<void> {
    this.#incref();
    try {
      await this.waitWrite();
    } finally {
      this.#decref();
    }
  }

  /**
   * Receives one datagram (recvfrom): resolves the byte count and the
   * sender's address. A datagram longer than p is truncated to it.
   */
  async ReadFrom(p: Uint8Array): Promise<[number, RawSockaddr]> {
    await this.readLock();
    try {
      this.prepare(true);
      for (;;) {
        const n = libc.recvfrom(this.Sysfd, p, 0);
        if (n >= 0) {
          const sa = libc.lastSockaddr();
          return [n, decodeSockaddr(sa, sa.byteLength)];
        }
        if (n === eagain) await this.waitRead();
        else if (n !== eintr) throw errnoErr(-n);
      }
    } finally {
      this.readUnlock();
      if (this.yieldDue()) await this.yield();
    }
  }

  /** Sends one datagram to sa (sendto). */
  async WriteTo(p: Uint8Array, sa: RawSockaddr): Promise<number> {
    await this.writeLock();
    try {
      this.prepare(false);
      for (;;) {
        const len = encodeSockaddr(sa);
        if (len < 0) throw errnoErr(22);
        const n = libc.sendto(this.Sysfd, p, MSG_NOSIGNAL, saBuf, len);
        if (n >= 0) return n;
        if (n === eagain) await this.waitWrite();
        else if (n !== eintr) throw errnoErr(-n);
      }
    } finally {
      this.writeUnlock();
      if (this.yieldDue()) await this.yield();
    }
  }

  /**
   * Receives a message with ancillary data (recvmsg): resolves the byte
   * count, the control-data length, the msg flags and the sender.
   */
  async ReadMsg(
    p: Uint8Array,
    oob: Uint8Array | null,
    flags = 0,
  ): Promise<[number, number, number, RawSockaddr]> {
    await this.readLock();
    try {
      this.prepare(true);
      for (;;) {
        const n = libc.recvmsg(this.Sysfd, p, oob, flags);
        if (n >= 0) {
          const [oobn, flags] = libc.lastMsgResult();
          const sa = libc.lastSockaddr();
          return [n, oobn, flags, decodeSockaddr(sa, sa.byteLength)];
        }
        if (n === eagain) await this.waitRead();
        else if (n !== eintr) throw errnoErr(-n);
      }
    } finally {
      this.readUnlock();
      if (this.yieldDue()) await this.yield();
    }
  }

  /** Sends a message with ancillary data (sendmsg), to sa or the connected peer (null). */
  async WriteMsg(p: Uint8Array, oob: Uint8Array | null, sa: RawSockaddr | null): Promise<number> {
    await this.writeLock();
    try {
      this.prepare(false);
      for (;;) {
        let len = 0;
        if (sa !== null) {
          len = encodeSockaddr(sa);
          if (len < 0) throw errnoErr(22);
        }
        const n = libc.sendmsg(this.Sysfd, p, oob, sa === null ? null : saBuf, len, MSG_NOSIGNAL);
        if (n >= 0) return n;
        if (n === eagain) await this.waitWrite();
        else if (n !== eintr) throw errnoErr(-n);
      }
    } finally {
      this.writeUnlock();
      if (this.yieldDue()) await this.yield();
    }
  }

  /**
   * Writes all the buffers with writev(2), IOV_MAX at a time, as Go's
   * FD.Writev; resolves the total written.
   */
  async Writev(bufs: Uint8Array[]): Promise<number> {
    await this.writeLock();
    try {
      this.prepare(false);
      let pending = bufs.filter((b) => b.byteLength > 0);
      let total = 0;
      while (pending.length > 0) {
        const n = libc.writev(this.Sysfd, pending);
        if (n === eagain) {
          await this.waitWrite();
          continue;
        }
        if (n === eintr) continue;
        if (n < 0) throw errnoErr(-n);
        total += n;
        // Drop what was written, keeping the tail of a partly written buffer.
        let left = n;
        let i = 0;
        while (i < pending.length && left >= pending[i].byteLength) left -= pending[i++].byteLength;
        pending = pending.slice(i);
        if (left > 0) pending[0] = pending[0].subarray(left);
      }
      return total;
    } finally {
      this.writeUnlock();
      if (this.yieldDue()) await this.yield();
    }
  }

  /**
   * Calls f with the raw fd until it returns true, parking until readable
   * between calls (Go's FD.RawRead).
   */
  async RawRead(f: (fd: number) => boolean): Promise<void> {
    await this.readLock();
    try {
      this.prepare(true);
      while (!f(this.Sysfd)) await this.waitRead();
    } finally {
      this.readUnlock();
      if (this.yieldDue()) await this.yield();
    }
  }

  /** Calls f with the raw fd until it returns true, parking until writable between calls. */
  async RawWrite(f: (fd: number) => boolean): Promise<void> {
    await this.writeLock();
    try {
      this.prepare(false);
      while (!f(this.Sysfd)) await this.waitWrite();
    } finally {
      this.writeUnlock();
      if (this.yieldDue()) await this.yield();
    }
  }

  /** A close-on-exec duplicate of the fd (Go's FD.Dup), owned by the caller. */
  Dup(): number {
    this.#pd?.markShared();
    return this.#call(() => libc.fcntl(this.Sysfd, F_DUPFD_CLOEXEC, 0));
  }

  #setDeadline(t: Date | null, read: boolean, write: boolean): void {
    let d = 0;
    if (t !== null) {
      const ms = t.getTime();
      if (Number.isNaN(ms)) throw new TypeError("invalid deadline: Invalid Date");
      const until = ms - Date.now();
      d = until <= 0 ? -1 : (this.#pd?.poller ?? defaultPoller).clock.now() + until;
    }
    this.#incref();
    try {
      this.#pd!.setDeadline(d, read, write);
    } finally {
      this.#decref();
    }
  }

  /** Sets the read and write deadlines; null clears them. */
  SetDeadline(t: Date | null): void {
    this.#setDeadline(t, true, true);
  }

  /** Sets the read deadline; null clears it. */
  SetReadDeadline(t: Date | null): void {
    this.#setDeadline(t, true, false);
  }

  /** Sets the write deadline; null clears it. */
  SetWriteDeadline(t: Date | null): void {
    this.#setDeadline(t, false, true);
  }

  /**
   * Runs f with the raw fd while holding a reference, so the fd cannot be
   * closed under it (Go's FD.RawControl).
   */
  RawControl(f: (fd: number) => void): void {
    this.#incref();
    try {
      f(this.Sysfd);
    } finally {
      this.#decref();
    }
  }

  #call(r: () => number): number {
    this.#incref();
    try {
      const n = r();
      if (n < 0) throw errnoErr(-n);
      return n;
    } finally {
      this.#decref();
    }
  }

  /** shutdown(2). */
  Shutdown(how: number): void {
    this.#flags &= ~fdDrained;
    this.#call(() => libc.shutdown(this.Sysfd, how));
  }

  /** setsockopt(2) with an int value. */
  SetsockoptInt(level: number, opt: number, value: number): void {
    // Without #call's closure: a dial sets four options. The call cannot
    // throw, so the reference needs no finally.
    this.#incref();
    const n = libc.setsockoptInt(this.Sysfd, level, opt, value);
    this.#decref();
    if (n < 0) throw errnoErr(-n);
  }

  /** getsockopt(2) for an int value. */
  GetsockoptInt(level: number, opt: number): number {
    return this.#call(() => libc.getsockoptInt(this.Sysfd, level, opt));
  }

  /** setsockopt(2) SO_LINGER. */
  SetsockoptLinger(onoff: number, seconds: number): void {
    this.#call(() => libc.setsockoptLinger(this.Sysfd, onoff, seconds));
  }

  /** bind(2). */
  Bind(sa: RawSockaddr): void {
    this.#call(() => {
      const len = encodeSockaddr(sa);
      return len < 0 ? -22 /* EINVAL */ : libc.bind(this.Sysfd, saBuf, len);
    });
  }

  /** listen(2). */
  Listen(backlog: number): void {
    this.#call(() => libc.listen(this.Sysfd, backlog));
  }

  /**
   * connect(2) on the non-blocking socket: returns 0 or the raw errno
   * (EINPROGRESS and friends are not failures here; the caller decides).
   */
  Connect(sa: RawSockaddr): number {
    const len = encodeSockaddr(sa);
    if (len < 0) return 22; /* EINVAL */
    const r = libc.connect(this.Sysfd, saBuf, len);
    return r < 0 ? -r : 0;
  }

  /** getsockname(2). */
  Getsockname(): RawSockaddr {
    this.#call(() => libc.getsockname(this.Sysfd));
    const sa = libc.lastSockaddr();
    return decodeSockaddr(sa, sa.byteLength);
  }

  /** getpeername(2). */
  Getpeername(): RawSockaddr {
    this.#call(() => libc.getpeername(this.Sysfd));
    const sa = libc.lastSockaddr();
    return decodeSockaddr(sa, sa.byteLength);
  }
}
