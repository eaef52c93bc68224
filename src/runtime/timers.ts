/**
 * The deadline timer heap: a binary min-heap ordered by expiry, each timer
 * knowing its index so add, modify (reset) and delete are O(log n) and
 * allocate nothing (Go's runtime timer heap, binary rather than 4-ary). The
 * poller arms one wait for the earliest entry only.
 *
 * @module
 */

import { monoNow } from "../../ffi/libc.ts";

/** A monotonic clock in milliseconds; injectable for tests. */
export interface Clock {
  /** Current time in ms. */
  now(): number;
}

/** The system monotonic clock (CLOCK_MONOTONIC, in ms). */
export const systemClock: Clock = { now: monoNow };

/** A timer: when it expires and what to call. Schedule it on a {@linkcode TimerHeap}. */
export class Timer {
  /** Expiry time in clock ms. */
  when: number = 0;
  /** Position in its heap; -1 when not scheduled. */
  index: number = -1;
  /** Called with the timer and the current time when it expires. */
  callback: (timer: Timer, now: number) => void;

  /** Creates an unscheduled timer that will call callback when it fires. */
  constructor(callback: (timer: Timer, now: number) => void) {
    this.callback = callback;
  }
}

/** A binary min-heap of timers keyed by `when`. */
export class TimerHeap {
  readonly #heap: Timer[] = [];

  /** Number of scheduled timers. */
  get size(): number {
    return this.#heap.length;
  }

  /** The earliest timer, not removed; undefined if none. */
  peek(): Timer | undefined {
    return this.#heap[0];
  }

  /** Schedules t at when; throws if t is already scheduled or when is NaN. */
  add(t: Timer, when: number): void {
    if (t.index !== -1) throw new Error("timer already scheduled");
    if (when !== when) throw new RangeError("timer expiry is NaN");
    const heap = this.#heap;
    t.when = when;
    t.index = heap.length;
    heap.push(t);
    this.#up(t.index);
  }

  /** Moves t to when, scheduling it if it is not (Go's modtimer/resettimer). */
  modify(t: Timer, when: number): void {
    const i = t.index;
    if (i === -1) {
      this.add(t, when);
      return;
    }
    if (this.#heap[i] !== t) throw new Error("timer scheduled on another heap");
    if (when !== when) throw new RangeError("timer expiry is NaN");
    const earlier = when < t.when;
    t.when = when;
    if (earlier) this.#up(i);
    else this.#down(i);
  }

  /** Unschedules t and sets its index to -1; false if it was not scheduled here. */
  delete(t: Timer): boolean {
    const i = t.index;
    const heap = this.#heap;
    if (i === -1 || heap[i] !== t) return false;
    const last = heap.pop()!;
    t.index = -1;
    if (last !== t) {
      heap[i] = last;
      last.index = i;
      if (i > 0 && heap[(i - 1) >> 1].when > last.when) this.#up(i);
      else this.#down(i);
    }
    return true;
  }

  /**
   * Removes and fires every timer due at now (`when <= now`), earliest
   * first, unscheduling each (index -1) before calling it; returns how many
   * fired. Callbacks may add, modify or delete timers, themselves included;
   * one that reschedules itself at or before now fires again in this call,
   * as in Go.
   */
  runExpired(now: number): number {
    const heap = this.#heap;
    let fired = 0;
    for (;;) {
      const t = heap[0];
      if (t === undefined || t.when > now) return fired;
      const last = heap.pop()!;
      t.index = -1;
      if (last !== t) {
        heap[0] = last;
        last.index = 0;
        this.#down(0);
      }
      fired++;
      t.callback(t, now);
    }
  }

  /** Ms until the earliest timer (0 if overdue), -1 if none. */
  nextDelay(now: number): number {
    const t = this.#heap[0];
    if (t === undefined) return -1;
    return t.when > now ? t.when - now : 0;
  }

  #up(i: number): void {
    const heap = this.#heap;
    const t = heap[i];
    const when = t.when;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p];
      if (parent.when <= when) break;
      heap[i] = parent;
      parent.index = i;
      i = p;
    }
    heap[i] = t;
    t.index = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const t = heap[i];
    const when = t.when;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let child = heap[c];
      if (c + 1 < n) {
        const right = heap[c + 1];
        if (right.when < child.when) {
          c++;
          child = right;
        }
      }
      if (when <= child.when) break;
      heap[i] = child;
      child.index = i;
      i = c;
    }
    heap[i] = t;
    t.index = i;
  }
}
