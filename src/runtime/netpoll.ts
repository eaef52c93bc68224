/**
 * The network poller (Go's runtime/netpoll.go): pollDesc with its rg/wg
 * state machine, the pollcache, deadlines on the timer heap, and the loop
 * that turns epoll readiness into resolved promises.
 *
 * Goroutines become async functions: gopark is `await` on a promise the
 * pollDesc owns, goready resolves it.
 *
 * @module
 */

import {
  EPOLLERR,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLLPRI,
  EPOLLRDHUP,
} from "../../ffi/constants.ts";
import { monoNow, sleepHere, threadHop } from "../../ffi/libc.ts";
import { Epoll, EventBuffer } from "./netpoll_epoll.ts";
import { type Clock, systemClock, Timer, TimerHeap } from "./timers.ts";

/** No event and nobody waiting. */
const pdNil = 0;
/** An I/O readiness notification is pending: the next wait returns at once. */
const pdReady = 1;
/** A waiter is parked (its resolver is in rwake/wwake). */
const pdWait = 2;

// PollDesc flag bits.
const pdClosing = 1;
const pdMustRecv = 2;
const pdShared = 4;
const pdRegistered = 8;

/** Wait outcome: ready, retry the I/O. */
export const pollNoError = 0;
/** Wait outcome: the descriptor is closing. */
export const pollErrClosing = 1;
/** Wait outcome: the deadline for this direction passed. */
export const pollErrTimeout = 2;
/** Wait outcome: joining epoll failed; the PollDesc's registerErrno says why. */
export const pollErrRegister = 3;
/** From parkRead: the outcome is not known yet; the wake callback will bring it. */
export const pollParked = -1;

const readEvents = EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
/** Events after which a short read no longer proves the socket drained. */
const mustRecvEvents = EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
const writeEvents = EPOLLOUT | EPOLLHUP | EPOLLERR;

type Wake = (code: number) => void;

/** One registered fd's poll state (Go's pollDesc). Obtain from {@linkcode Poller.open}. */
export class PollDesc {
  /** The file descriptor, -1 once closed. */
  fd = -1;
  /** Incremented on every reuse so stale epoll events are recognised. */
  fdseq = 0;
  // closing, mustRecv and shared, as bits of one small integer: one field
  // per descriptor instead of three (the pollcache keeps one per conn).
  #bits = 0;
  /** Read readiness state: pdNil, pdReady or pdWait. */
  rg = pdNil;
  /** Write readiness state. */
  wg = pdNil;
  /** Read deadline in clock ms: 0 none, -1 expired. */
  rd = 0;
  /** Write deadline in clock ms: 0 none, -1 expired. */
  wd = 0;
  #rwake: Wake | PollWaiter | null = null;
  #wwake: Wake | null = null;
  // Deadline timers, made when a deadline is first set: most conns never
  // set one, and the pollcache keeps a descriptor per concurrent conn.
  #rt: DeadlineTimer | null = null;
  #wt: DeadlineTimer | null = null;

  /** The poller's activity epoch in which this descriptor last had an event. */
  epoch = -1;

  constructor(readonly poller: Poller, readonly id: number) {}

  /** Set by evict: pending and future waits fail with pollErrClosing. */
  get closing(): boolean {
    return (this.#bits & pdClosing) !== 0;
  }

  /**
   * An event reported the peer's FIN, a hang-up, an error or urgent data:
   * a short read no longer proves the socket drained (no further edge comes
   * after a FIN, and TCP stops a read short at the urgent mark), so reads
   * must try recv before parking. Sticky until the descriptor is reused.
   */
  get mustRecv(): boolean {
    return (this.#bits & pdMustRecv) !== 0;
  }

  /** Another fd may share this one's file (Dup, SCM_RIGHTS): unregister explicitly on close. */
  get shared(): boolean {
    return (this.#bits & pdShared) !== 0;
  }

  /** Whether the fd is in the epoll interest list (it joins at its first wait). */
  get registered(): boolean {
    return (this.#bits & pdRegistered) !== 0;
  }

  /** Why registering with epoll failed (the negated errno), once pollErrRegister was returned. */
  registerErrno = 0;

  /**
   * Registers the fd with epoll before its first wait (Go's netpollopen,
   * which Go runs when the fd is made). Deferred to here, I/O that never
   * has to wait costs no epoll_ctl: a loopback dial whose echo is already
   * there when it reads, or a conn closed before it waited, joins and
   * leaves nothing (EPOLL_CTL_ADD and close's removal, ~0.5 µs).
   * Nothing is lost by joining late: the fd is edge-triggered, and the
   * ADD reports the readiness it finds then as an edge, so data that came
   * before the wait still wakes it.
   */
  #register(): number {
    if (this.#bits & pdRegistered) return pollNoError;
    const r = this.poller.register(this);
    if (r < 0) {
      this.registerErrno = r;
      return pollErrRegister;
    }
    this.#bits |= pdRegistered;
    return pollNoError;
  }

  /** Marks the descriptor as sharing its file with another fd. */
  markShared(): void {
    this.#bits |= pdShared;
  }

  /** Records an event after which reads must recv before parking (see mustRecv). */
  markMustRecv(): void {
    this.#bits |= pdMustRecv;
  }

  /** The read timer (fires for both directions while rd == wd). */
  get rt(): Timer {
    return this.#rt ??= new DeadlineTimer(this, true);
  }

  /** The write timer. */
  get wt(): Timer {
    return this.#wt ??= new DeadlineTimer(this, false);
  }

  /** Called by a DeadlineTimer when it expires. */
  deadlineFired(read: boolean): void {
    // One timer serves both directions while the deadlines are equal (rd is
    // still the deadline that fired here).
    if (read) this.#deadlineFired(true, this.rd > 0 && this.rd === this.wd);
    else this.#deadlineFired(false, true);
  }

  /**
   * Checks for errors before I/O (Go's netpollcheckerr). A deadline that
   * passed while the poller slept is noticed here, as its timer would have.
   */
  check(read: boolean): number {
    if (this.closing) return pollErrClosing;
    const d = read ? this.rd : this.wd;
    if (d === 0) return pollNoError;
    if (d < 0) return pollErrTimeout;
    if (d <= this.poller.clock.now()) {
      this.poller.runTimers();
      return read
        ? (this.rd < 0 ? pollErrTimeout : pollNoError)
        : (this.wd < 0 ? pollErrTimeout : pollNoError);
    }
    return pollNoError;
  }

  /**
   * Waits until the fd may be readable (Go's netpollblock for 'r'). Returns
   * the outcome at once when it is known, else a promise of it.
   */
  waitRead(): number | Promise<number> {
    const now = this.#readNow();
    if (now !== pollParked) return now;
    return new Promise<number>((resolve) => this.#parkReader(resolve));
  }

  /**
   * The outcome of a read wait if known now (consuming pdReady), else
   * pollParked, registered with epoll by then.
   */
  #readNow(): number {
    const err = this.check(true);
    if (err !== pollNoError) return err;
    if (this.rg === pdReady) {
      this.rg = pdNil;
      return pollNoError;
    }
    const reg = this.#register();
    return reg !== pollNoError ? reg : pollParked;
  }

  #parkReader(wake: Wake | PollWaiter): void {
    this.rg = pdWait;
    this.#rwake = wake;
    this.poller.parked(1);
  }

  /**
   * waitRead without a promise: returns the outcome when it is known now,
   * else {@linkcode pollParked}, and wake.pollReadWake is later called once with it
   * (from the poller's dispatch, a deadline timer, or evict). The FD's
   * read path uses this so that a parked Read costs one promise, its own.
   */
  parkRead(wake: PollWaiter): number {
    const now = this.#readNow();
    if (now === pollParked) this.#parkReader(wake);
    return now;
  }

  /** Waits until the fd may be writable (Go's netpollblock for 'w'). */
  waitWrite(): number | Promise<number> {
    const err = this.check(false);
    if (err !== pollNoError) return err;
    if (this.wg === pdReady) {
      this.wg = pdNil;
      return pollNoError;
    }
    const reg = this.#register();
    if (reg !== pollNoError) return reg;
    this.wg = pdWait;
    return new Promise<number>((resolve) => {
      this.#wwake = resolve;
      this.poller.parked(1);
    });
  }

  /**
   * Delivers readiness or an error to one direction (Go's netpollunblock):
   * a parked waiter is woken with code; with no waiter, readiness is kept
   * as pdReady so it is never lost.
   */
  unblock(read: boolean, code: number): void {
    const ioready = code === pollNoError;
    if (read) {
      if (this.rg === pdWait) {
        const wake = this.#rwake!;
        this.#rwake = null;
        this.rg = pdNil;
        this.poller.parked(-1);
        if (typeof wake === "function") wake(code);
        else wake.pollReadWake(code);
      } else if (ioready) {
        this.rg = pdReady;
      }
    } else {
      if (this.wg === pdWait) {
        const wake = this.#wwake!;
        this.#wwake = null;
        this.wg = pdNil;
        this.poller.parked(-1);
        wake(code);
      } else if (ioready) {
        this.wg = pdReady;
      }
    }
  }

  /** Marks the descriptor closing and wakes its waiters (Go's poll_runtime_pollUnblock). */
  evict(): void {
    this.#bits |= pdClosing;
    this.#deleteTimers();
    this.unblock(true, pollErrClosing);
    this.unblock(false, pollErrClosing);
  }

  /**
   * Sets the deadline for reading, writing or both (Go's
   * poll_runtime_pollSetDeadline). d is in clock ms; 0 clears, a value in
   * the past (or -1) expires at once and wakes the parked I/O.
   */
  setDeadline(d: number, read: boolean, write: boolean): void {
    if (this.closing) return;
    if (d > 0 && d <= this.poller.clock.now()) d = -1;
    const rd0 = this.rd;
    const wd0 = this.wd;
    const combo0 = rd0 > 0 && rd0 === wd0;
    if (read) this.rd = d;
    if (write) this.wd = d;
    const combo = this.rd > 0 && this.rd === this.wd;
    const heap = this.poller.timers;
    if (this.rd !== rd0 || combo !== combo0) {
      if (this.rd > 0) this.poller.schedule(this.rt, this.rd);
      else heap.delete(this.rt);
    }
    if (this.wd !== wd0 || combo !== combo0) {
      if (this.wd > 0 && !combo) this.poller.schedule(this.wt, this.wd);
      else heap.delete(this.wt);
    }
    if (this.rd < 0) this.unblock(true, pollErrTimeout);
    if (this.wd < 0) this.unblock(false, pollErrTimeout);
  }

  /** Go's netpolldeadlineimpl: the timer for one or both directions fired. */
  #deadlineFired(read: boolean, write: boolean): void {
    if (read) {
      this.rd = -1;
      this.unblock(true, pollErrTimeout);
    }
    if (write) {
      this.wd = -1;
      if (read && this.#wt !== null) this.poller.timers.delete(this.#wt);
      this.unblock(false, pollErrTimeout);
    }
  }

  #deleteTimers(): void {
    if (this.#rt !== null) this.poller.timers.delete(this.#rt);
    if (this.#wt !== null) this.poller.timers.delete(this.#wt);
  }

  /** Resets the descriptor for reuse from the pollcache. */
  reset(fd: number): void {
    this.fd = fd;
    this.fdseq = (this.fdseq + 1) >>> 0;
    this.#bits = 0;
    this.registerErrno = 0;
    this.rg = pdNil;
    this.wg = pdNil;
    this.rd = 0;
    this.wd = 0;
  }

  /** Forgets the fd (after evict); timers are already gone. */
  release(): void {
    this.#deleteTimers();
    this.fd = -1;
  }
}

/** A parked read's owner, woken through a method rather than a closure per fd. */
export interface PollWaiter {
  /** Called once with the outcome of the wait (pollNoError, closing or timeout). */
  pollReadWake(code: number): void;
}

/** A deadline timer that knows its descriptor and direction (no closure per timer). */
class DeadlineTimer extends Timer {
  constructor(readonly pd: PollDesc, readonly read: boolean) {
    super(fireDeadline);
  }
}

function fireDeadline(t: Timer): void {
  const d = t as DeadlineTimer;
  d.pd.deadlineFired(d.read);
}

/** Tuning knobs of the poller loop. */
export interface PollerOptions {
  /** Clock for deadlines (injectable for tests); defaults to the system monotonic clock. */
  clock?: Clock;
  /** How long to keep polling without blocking after the last event, in ms (default 0.05). */
  spinMs?: number;
  /**
   * Longest the spin window may grow to, in ms (default 0.25). The window
   * doubles each time a thread wait is woken sooner than this (the gap was
   * short: spinning would have been cheaper than the wake-up) and halves
   * back toward spinMs each time a wait lasts longer.
   */
  maxSpinMs?: number;
  /**
   * Longest stretch without yielding to Deno's event loop, in ms (default
   * 5). Each yield is where Deno runs its timers and native ops, and it
   * costs more the longer JS ran before it (the host evicts the caches
   * meanwhile): an immediate took 5 µs at the median after 0.2 ms of
   * spinning, 34 µs after 2 ms and 136 µs after 5 ms here. At a 2 ms
   * cadence ~1% of ping-pong round trips paid for one (p99 162–261 µs
   * against 104–178 µs at 5–10 ms, calm runs). 5 ms keeps Deno's timers
   * within 5 ms under continuous load, half of Go's 10 ms preemption slice.
   */
  yieldEveryMs?: number;
  /** Microtask turns given to woken waiters after a batch of events, before the next poll (default 16). */
  settleTurns?: number;
  /**
   * How many parked waiters, and descriptors with events within the last
   * ~1 ms, make the spin wait in the kernel (epoll_pwait2, up to the rest of
   * the window) instead of polling again (default 16; Infinity: always poll).
   */
  blockActive?: number;
  /** Empty polls in a row after which such a spin waits in the kernel (default 3). */
  blockAfterPolls?: number;
  /** That wait in the kernel as a fixed sleep of up to this many µs, then a poll (default 100; 0: a wait the first event ends; see PollerControl). */
  coalesceUs?: number;
  /**
   * How long each yield leaves Deno's event loop to itself, in µs (default
   * 0): above 0 the hop through Deno's thread pool sleeps this long; at 0
   * it gives up the worker's CPU (sched_yield) and returns. A sleep lets
   * an idle CPU halt, and on a busy VM host a halted CPU took milliseconds
   * to come back: after 2 ms of JS a yield with a 50 µs sleep took 143 µs
   * at the median and 441 µs at p90 pinned to one core, 878 µs and 4.3 ms
   * unpinned, against 46/92 µs and 122/877 µs with sched_yield.
   */
  yieldWindowUs?: number;
}

/** The poller's counters, for profiling. */
export interface PollerStats {
  /** Non-blocking polls. */
  polls: number;
  /** Waits in the kernel on the main thread, up to the rest of the spin window (blockActive). */
  blocks: number;
  /** Waits on a worker thread, when nothing happened for a whole spin window. */
  waits: number;
  /** Events dispatched. */
  events: number;
  /** Turns given to Deno's event loop. */
  yields: number;
}

/**
 * The loop's microtask turn: awaiting an already settled native promise
 * skips the wrapper promise that `await undefined` makes (measured: 51 ns
 * and ~37 B per turn against 75 ns and ~45 B), and the loop takes ~25
 * turns per ping-pong round trip.
 */
const settled: Promise<void> = Promise.resolve();

const LOOP_IDLE = 0;
const LOOP_RUNNING = 1;
const LOOP_WAITING = 2;

/**
 * A turn of Deno's event loop, so its timers and native ops run while the
 * poller spins (microtask-only yields starve them): first an immediate,
 * after which Deno runs its due timers, then a hop through its blocking
 * thread pool, during which its event loop has nothing else to do, parks
 * and polls its own I/O. Measured with JS spinning 5 ms between turns:
 * with only an immediate (or a `MessageChannel` message) a native
 * `Deno.connect` round trip took 160–310 ms, with only the hop
 * `setInterval(10 ms)` ran up to 58 ms late. The two at once left a tail
 * (round trips up to 96 ms: the hop often returned while the immediate's
 * JS still ran, so the loop never parked); one after the other, 6–10 ms at
 * the median and at most 40 ms. But a hop that returns at once can still
 * beat the loop to its park, and then Deno polls its I/O only every 61st
 * turn: in a process pinned to one core a native round trip stalled
 * 606–619 ms in each 1.5 s run under ping-pong load when the worker did
 * nothing (`abs(0)`), and also when it computed for 12–50 µs instead (a
 * worker woken on the loop's core runs first, and finishes before the
 * loop parks). A worker that sleeps (usleep: `us` > 0) or calls
 * sched_yield lets the loop run on to its park first: the stalls fell to
 * 24–35 ms with a 50 µs sleep and 41–52 ms with sched_yield, which also
 * let 9,592–11,387 native round trips through in 1.5 s against 576–757
 * (on two cores: 20–23 ms against 11–20 ms, 3,632–5,033 round trips
 * against 3,648–6,421). Nothing stays open once done.
 */
function denoTurn(us: number): Promise<unknown> {
  return new Promise((resolve) => setImmediate(resolve)).then(() => threadHop(us));
}

/**
 * The poller: owns the epoll instance, the pollDesc table and the deadline
 * heap, and runs a loop only while somebody is parked, so an idle process
 * holds no pending op and can exit.
 */
export class Poller {
  /** The clock deadlines are measured in. */
  readonly clock: Clock;
  /** Deadline timers, earliest first. */
  readonly timers: TimerHeap = new TimerHeap();
  /** Spin window after activity, ms: the floor of the adaptive window. */
  spinMs: number;
  /** Ceiling of the adaptive spin window, ms. */
  maxSpinMs: number;
  /** The current spin window, ms, between spinMs and maxSpinMs. */
  #spin: number;
  /** Macrotask yield interval, ms. */
  yieldEveryMs: number;
  /** Microtask turns after a batch before polling again. */
  settleTurns: number;
  /** Parked waiters and recently active descriptors from which the spin waits in the kernel. */
  blockActive: number;
  /** Empty polls in a row after which such a spin waits in the kernel. */
  blockAfterPolls: number;
  /** Experimental: the kernel wait under load as a fixed sleep of this many µs, then a poll (0: off). */
  coalesceUs: number;
  /** How long each yield leaves Deno's event loop to itself, µs. */
  yieldWindowUs: number;
  readonly #epoll = new Epoll();
  readonly #table: (PollDesc | undefined)[] = [undefined];
  readonly #cache: PollDesc[] = [];
  readonly #spinBuf = new EventBuffer();
  readonly #waitBuf = new EventBuffer();
  #parked = 0;
  // Activity epochs of ~1 ms: descriptors with events in this one and the last.
  #epoch = 0;
  #epochStart = 0;
  #active = 0;
  #activeBefore = 0;
  #state = LOOP_IDLE;
  #waitUntil = Infinity;
  #open = 0;
  #idleWaiters: (() => void)[] = [];
  /** When Deno's event loop last got a turn (monotonic ms); kept across loop runs. */
  #lastYield = monoNow();
  /**
   * Operations that completed without parking (each calls yieldDue): paces
   * yieldDue's clock reads, and tells the loop that work ran between polls.
   */
  #opsSinceCheck = 0;
  /** The yield under way, shared by everyone who asks for one meanwhile. */
  #yielding: Promise<void> | null = null;
  /** Counters for profiling. */
  readonly stats: PollerStats = {
    polls: 0,
    blocks: 0,
    waits: 0,
    events: 0,
    yields: 0,
  };

  constructor(opts: PollerOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.spinMs = opts.spinMs ?? 0.05;
    this.maxSpinMs = Math.max(this.spinMs, opts.maxSpinMs ?? 0.25);
    this.#spin = this.spinMs;
    this.yieldEveryMs = opts.yieldEveryMs ?? 5;
    this.settleTurns = opts.settleTurns ?? 16;
    this.blockActive = opts.blockActive ?? 16;
    this.blockAfterPolls = opts.blockAfterPolls ?? 3;
    this.coalesceUs = opts.coalesceUs ?? 100;
    this.yieldWindowUs = opts.yieldWindowUs ?? 0;
  }

  /** Number of open descriptors (each joins epoll at its first wait). */
  get openCount(): number {
    return this.#open;
  }

  /** Number of parked waiters. */
  get parkedCount(): number {
    return this.#parked;
  }

  /**
   * A pollDesc for fd (Go's poll_runtime_pollOpen), or the negated errno
   * when the epoll instance cannot be made. The fd joins epoll at its first
   * wait (PollDesc's register), not here.
   */
  open(fd: number): PollDesc | number {
    const init = this.#epoll.init();
    if (init < 0) return init;
    let pd = this.#cache.pop();
    if (pd === undefined) {
      pd = new PollDesc(this, this.#table.length);
      this.#table.push(pd);
    }
    pd.reset(fd);
    this.#open++;
    return pd;
  }

  /** Adds pd's fd to epoll (Go's netpollopen); 0 or the negated errno. */
  register(pd: PollDesc): number {
    return this.#epoll.open(pd.fd, pd.id, pd.fdseq);
  }

  /**
   * Unregisters a descriptor that was evicted and has no users left (Go's
   * poll_runtime_pollClose); the caller closes the fd afterwards.
   */
  close(pd: PollDesc): void {
    // close(2) itself removes an fd from epoll unless another fd shares its
    // file (a Dup, or one passed elsewhere): only then is EPOLL_CTL_DEL
    // needed. Events a shared file may still report carry a stale fdseq tag
    // and are dropped by dispatch.
    if (pd.shared && pd.registered) this.#epoll.close(pd.fd);
    pd.release();
    this.#cache.push(pd);
    this.#open--;
  }

  /**
   * Resolves once the loop has stopped and holds no pending operation (as
   * Go's net tests wait for goroutines to exit): no thread wait, and no
   * yield's hop through Deno's thread pool, which an op started by a
   * background task (an accept loop) may still be in. Tests run with op
   * sanitizers await it before returning.
   */
  async idle(): Promise<void> {
    for (;;) {
      if (this.#yielding !== null) {
        await this.#yielding.catch(() => {});
      } else if (this.#state !== LOOP_IDLE) {
        await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
      } else {
        return;
      }
    }
  }

  /**
   * Whether I/O that completes without parking has run long enough that
   * Deno's timers and native ops are owed a turn. Cheap: it looks at the
   * clock (~80 ns) only every 8th call, so a loop that does a few ms of
   * its own work per operation still yields within ~8 of them.
   */
  yieldDue(): boolean {
    if ((++this.#opsSinceCheck & 7) !== 0) return false;
    return monoNow() - this.#lastYield >= this.yieldEveryMs;
  }

  /**
   * Gives Deno's event loop a turn (a macrotask). Callers while one is
   * under way share it: each op that found a yield due would otherwise
   * start its own immediate and its own hop through the thread pool.
   */
  yield(): Promise<void> {
    return this.#yielding ??= this.#turn();
  }

  async #turn(): Promise<void> {
    try {
      await denoTurn(this.yieldWindowUs);
      this.stats.yields++;
      this.#lastYield = monoNow();
    } finally {
      this.#yielding = null;
    }
  }

  /** Arms t for when, waking a blocking wait if t is now the earliest. */
  schedule(t: Timer, when: number): void {
    this.timers.modify(t, when);
    if (this.#state === LOOP_WAITING && when < this.#waitUntil) {
      this.#waitUntil = when;
      this.#epoll.interrupt();
    }
  }

  /** Fires the expired deadline timers. */
  runTimers(): void {
    if (this.timers.size > 0) this.timers.runExpired(this.clock.now());
  }

  /** Interrupts a blocking wait so the loop re-reads timers and the clock. */
  wake(): void {
    if (this.#state === LOOP_WAITING) this.#epoll.interrupt();
  }

  /** Counts waiters in (+1) and out (-1); starts the loop on the first. */
  parked(delta: number): void {
    this.#parked += delta;
    if (delta > 0) {
      if (this.#state === LOOP_IDLE) this.#loop();
    } else if (this.#parked === 0 && this.#state === LOOP_WAITING) {
      // Nobody waits any more: release the thread wait so the process can exit.
      this.#epoll.interrupt();
    }
  }

  /** Starts a new activity epoch at now; before: the count the last one leaves. */
  #nextEpoch(now: number, before: number): void {
    this.#activeBefore = before;
    this.#active = 0;
    this.#epoch++;
    this.#epochStart = now;
  }

  /** Delivers n events from buf; returns how many were for descriptors (not the break). */
  #dispatch(buf: EventBuffer, n: number): number {
    this.stats.events += n;
    const table = this.#table;
    let real = 0;
    for (let i = 0; i < n; i++) {
      const id = buf.id(i);
      if (this.#epoll.isBreak(id)) continue;
      real++;
      const pd = table[id];
      if (pd === undefined || pd.fd < 0 || pd.fdseq !== buf.tag(i)) continue;
      if (pd.epoch !== this.#epoch) {
        pd.epoch = this.#epoch;
        this.#active++;
      }
      const ev = buf.events(i);
      if (ev & mustRecvEvents) pd.markMustRecv();
      if (ev & readEvents) pd.unblock(true, pollNoError);
      if (ev & writeEvents) pd.unblock(false, pollNoError);
    }
    return real;
  }

  /**
   * The loop: drain events with non-blocking polls, keep polling for a short
   * spin window after activity, yield a macrotask every few ms, and wait on
   * a worker thread only when nothing happened for the whole window.
   */
  async #loop(): Promise<void> {
    this.#state = LOOP_RUNNING;
    // Spin and yield timing is the real monotonic clock; deadlines use the (injectable) clock.
    let now = monoNow();
    let lastEvent = now;
    try {
      // > 0: the next poll blocks up to this many ns (the rest of the spin window).
      let blockNs = 0;
      // Empty polls in a row: how long the current gap in the traffic has been spun through.
      let emptyPolls = 0;
      // Operations that completed without parking, as of the last poll (see below).
      let opsSeen = this.#opsSinceCheck;
      while (this.#parked > 0) {
        const parkedBefore = this.#parked;
        let n: number;
        if (blockNs > 0) {
          if (this.coalesceUs > 0) {
            sleepHere(Math.min(this.coalesceUs, blockNs / 1000));
            n = this.#epoll.poll(this.#spinBuf);
          } else {
            n = this.#epoll.block(this.#spinBuf, blockNs);
          }
          blockNs = 0;
          this.stats.blocks++;
        } else {
          n = this.#epoll.poll(this.#spinBuf);
          this.stats.polls++;
        }
        if (n > 0) this.#dispatch(this.#spinBuf, n);
        now = monoNow();
        if (now - this.#epochStart >= 1) this.#nextEpoch(now, this.#active);
        if (n > 0) lastEvent = now;
        this.runTimers();
        if (this.#parked === 0) break;
        if (now - this.#lastYield >= this.yieldEveryMs) {
          await this.yield();
          continue;
        }
        // Clamped here: spinMs and maxSpinMs may be changed at any time.
        const spin = Math.min(Math.max(this.#spin, this.spinMs), this.maxSpinMs);
        if (now - lastEvent < spin) {
          // After a batch, let the woken waiters run their chains (read,
          // handle, write, park) before polling again: a poll that finds
          // nothing is a wasted syscall. Measured under wrk -c64: 16 turns
          // cut server CPU per request ~10% against 1. Stop early once the
          // waiters parked before the batch are all parked again (Go polls
          // when its run queue is empty): each turn allocates ~40 bytes, and
          // an echo chain parks again within ~6 turns.
          const turns = n > 0 ? this.settleTurns : 1;
          let t = 0;
          do await settled; while (++t < turns && this.#parked < parkedBefore);
          // Many parked waiters, many descriptors with recent events, and
          // a gap of a few empty polls: wait in the kernel for the rest of
          // the window instead of polling on (under wrk -c64 the server's
          // CPU per request fell 5-14%, pipelined 4-18%: a thread that
          // wakes costs less than the polls it skips once the gaps are
          // long), after the stragglers of the last batch had their turns
          // (a wait before they ran would hold their responses back by
          // the window). One or a few busy conns, or a chain of short ones
          // (sequential churn), keep the spin: a wake-up would add to each
          // of their round trips.
          // A poll counts as empty only if no operation completed without
          // parking (yieldDue counts them) since the one before, and the
          // wait is skipped if one completes during the turns before it:
          // an accept loop draining its backlog is still running though
          // every waiter is parked again, and a wait in the kernel would
          // hold it up at each accept. Without these checks a server with
          // 10,000 conns and coalesceUs=100 accepted ~20k conns/s against
          // a Go client's ~35k connects/s until its backlog overflowed.
          const progressed = this.#opsSinceCheck !== opsSeen;
          opsSeen = this.#opsSinceCheck;
          emptyPolls = n > 0 || progressed ? 0 : emptyPolls + 1;
          if (
            emptyPolls >= this.blockAfterPolls &&
            this.#parked >= this.blockActive &&
            Math.max(this.#active, this.#activeBefore) >= this.blockActive &&
            // The sleep needs no epoll_pwait2; the wait for the first event does.
            (this.coalesceUs > 0 || this.#epoll.canBlock)
          ) {
            for (let k = 0; k < this.settleTurns; k++) await settled;
            // An operation completed in those turns: a loop of them is
            // still running (between its operations it may take more
            // turns than three polls give it), so poll on.
            if (this.#opsSinceCheck !== opsSeen) {
              opsSeen = this.#opsSinceCheck;
              emptyPolls = 0;
              continue;
            }
            const at = monoNow();
            // The rest of the window, but not past a yield that is due.
            let ns = (Math.min(lastEvent + spin, this.#lastYield + this.yieldEveryMs) - at) * 1e6;
            if (this.timers.size > 0) {
              const d = this.timers.nextDelay(this.clock.now());
              if (d >= 0 && d * 1e6 < ns) ns = d * 1e6;
            }
            if (ns >= 1000) blockNs = ns;
          }
          continue;
        }
        const cnow = this.clock.now();
        const delay = this.timers.size > 0 ? this.timers.nextDelay(cnow) : -1;
        const timeout = delay < 0 ? -1 : Math.min(Math.ceil(delay), 0x7fffffff);
        this.#waitUntil = timeout < 0 ? Infinity : cnow + timeout;
        this.#state = LOOP_WAITING;
        this.stats.waits++;
        const m = await this.#epoll.wait(this.#waitBuf, timeout);
        this.#state = LOOP_RUNNING;
        const waited = monoNow() - now;
        now += waited;
        // The traffic paused for a whole window: what was active is not.
        this.#nextEpoch(now, 0);
        emptyPolls = 0;
        // Adapt the spin window: a wait that an event ended sooner than the
        // ceiling cost a thread wake-up (~30 µs or more) where spinning a
        // little longer would have caught the event; a long wait means the
        // traffic has real gaps, where spinning only burns CPU.
        const real = m > 0 ? this.#dispatch(this.#waitBuf, m) : 0;
        if (real > 0 && waited < this.maxSpinMs) {
          this.#spin = Math.min(Math.max(spin * 2, this.spinMs), this.maxSpinMs);
        } else if (waited >= this.maxSpinMs) {
          this.#spin = Math.max(spin / 2, this.spinMs);
        }
        this.#lastYield = now;
        if (m > 0) lastEvent = now;
        this.runTimers();
      }
    } finally {
      this.#state = LOOP_IDLE;
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }
}

/** The process-wide poller every FD uses. */
export const defaultPoller: Poller = new Poller();
