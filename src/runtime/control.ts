/**
 * The public face of the process-wide poller: what a user may read or tune,
 * without the internals (pollDescs, timers) that stay private.
 *
 * @module
 */

import { defaultPoller, type PollerStats } from "./netpoll.ts";

export type { PollerStats };

/** The poller's tuning knobs, counters and idle signal. */
export interface PollerControl {
  /** Spin window after activity, in ms: the floor of the adaptive window (default 0.05). */
  spinMs: number;
  /** Ceiling of the adaptive spin window, in ms (default 0.25). */
  maxSpinMs: number;
  /**
   * Longest stretch of polling without yielding to Deno, in ms (default
   * 5): how late Deno's timers and native ops (its own sockets, files,
   * fetch) may run while the poller spins under load. Each yield is a turn
   * of Deno's event loop (an immediate and a hop through its thread pool)
   * that stalled the poller ~140–250 µs after 5 ms of spinning when the hop
   * slept 50 µs; the default hop alone took 46 µs at the median pinned to
   * one core and 122 µs on two, on a loaded VM host (see
   * yieldWindowUs). Those stalls make the slowest ping-pong round trips
   * and cost bulk transfers throughput. A server that uses no Deno timers
   * or native I/O can raise it.
   */
  yieldEveryMs: number;
  /** Microtask turns given to woken waiters after a batch of events (default 16). */
  settleTurns: number;
  /**
   * How many parked waiters, and descriptors with events within the last
   * ~1 ms, make the spin wait in the kernel (epoll_pwait2 on the main
   * thread, for the rest of the window) once blockAfterPolls polls in a row
   * found nothing, instead of polling on (default 16; Infinity keeps
   * polling). Many busy conns hide the wake-up in their traffic and save
   * the polls (server CPU per request under wrk -c64: 5–14% less, pipelined
   * 4–18%); one or a few keep the spin, whose round trips a wake-up would
   * lengthen. With coalesceUs at 0 the wait needs epoll_pwait2 (glibc >=
   * 2.35, kernel >= 5.11); without it, the poller keeps polling.
   */
  blockActive: number;
  /** Empty polls in a row after which such a spin waits in the kernel (default 3). */
  blockAfterPolls: number;
  /**
   * In µs (default 100; 0: off). That wait in the kernel is a fixed sleep
   * of up to this long (never past the spin window, a due yield or the next
   * deadline), then a poll, instead of a wait that the first event ends: a
   * server with many busy conns wakes once per batch of events rather than
   * once per event. Side by side under wrk -c64 (bench/compare.ts --tuned
   * coalesceUs=100): server CPU per request 3.89 against 4.27 µs, pipelined
   * 0.291 against 0.353. The cost is latency: a request that arrives during
   * the sleep waits up to this long (median 213 against 126 µs under wrk
   * -c64, 5.5% fewer requests/s, p99 418–434 against 634–746 µs). Set 0
   * where each request's latency matters more than the server's CPU. One
   * or a few conns (ping-pong, bulk) never meet the blockActive gate and
   * never sleep.
   */
  coalesceUs: number;
  /**
   * How long each yield leaves Deno's event loop to itself, in µs (default
   * 0): above 0 the hop through Deno's thread pool sleeps this long; at 0
   * the worker gives up its CPU (sched_yield), so the loop parks and polls
   * its own sockets before the hop returns. A sleep costs more on a busy
   * VM, where an idle CPU that halts can take milliseconds to resume.
   */
  yieldWindowUs: number;
  /** Counters: polls, kernel waits on the main thread, thread waits, events, yields. */
  readonly stats: PollerStats;
  /**
   * Resolves once the poller's loop has stopped and holds no pending
   * operation. Tests run with Deno's op sanitizer await it before they
   * end: the thread wait needs a moment to notice nothing is parked, and a
   * yield started by a background task needs its hop to finish.
   */
  idle(): Promise<void>;
}

/**
 * The process-wide poller every socket uses.
 *
 * @example
 * ```ts
 * import { defaultPoller, Dial, Listen } from "@netpoll/net";
 * const ln = await Listen("tcp", "127.0.0.1:0");
 * const [c, s] = await Promise.all([Dial("tcp", ln.Addr().String()), ln.Accept()]);
 * c.Close();
 * s.Close();
 * ln.Close();
 * await defaultPoller.idle(); // nothing left pending for the op sanitizer
 * ```
 */
export const pollerControl: PollerControl = defaultPoller;
