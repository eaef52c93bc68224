import { assert, assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { type Clock, systemClock, Timer, TimerHeap } from "../src/runtime/timers.ts";

/** Seeded PRNG (mulberry32) so failures reproduce. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A clock the test advances by hand. */
class FakeClock implements Clock {
  t = 0;
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Checks parent.when <= child.when and heap[i].index === i via peek/size and a walk. */
function checkInvariant(heap: TimerHeap, all: Timer[]): void {
  const scheduled = all.filter((t) => t.index !== -1);
  assertEquals(scheduled.length, heap.size, "size matches scheduled timers");
  const byIndex: Timer[] = [];
  for (const t of scheduled) {
    assert(t.index >= 0 && t.index < heap.size, `index ${t.index} in range`);
    assertStrictEquals(byIndex[t.index], undefined, `index ${t.index} unique`);
    byIndex[t.index] = t;
  }
  for (let i = 1; i < byIndex.length; i++) {
    const parent = byIndex[(i - 1) >> 1];
    assert(parent.when <= byIndex[i].when, `heap order at ${i}`);
  }
  assertStrictEquals(heap.peek(), byIndex[0]);
}

Deno.test("random add, modify and delete keep the heap invariant", () => {
  for (const seed of [1, 2, 3]) {
    const rand = mulberry32(seed);
    const heap = new TimerHeap();
    const timers = Array.from({ length: 1000 }, () => new Timer(() => {}));
    for (let step = 0; step < 5000; step++) {
      const t = timers[Math.floor(rand() * timers.length)];
      const when = Math.floor(rand() * 1000);
      const op = rand();
      if (op < 0.4) {
        if (t.index === -1) heap.add(t, when);
        else assertThrows(() => heap.add(t, when));
      } else if (op < 0.8) {
        heap.modify(t, when);
        assertEquals(t.when, when);
        assert(t.index !== -1);
      } else {
        const was = t.index !== -1;
        assertEquals(heap.delete(t), was);
        assertEquals(t.index, -1);
      }
      checkInvariant(heap, timers);
    }
    checkInvariant(heap, timers);
  }
});

Deno.test("runExpired fires exactly the due timers in non-decreasing order", () => {
  const rand = mulberry32(42);
  for (let round = 0; round < 20; round++) {
    const heap = new TimerHeap();
    const fired: Timer[] = [];
    const timers = Array.from({ length: 1000 }, () => new Timer((t) => fired.push(t)));
    for (const t of timers) {
      if (rand() < 0.9) heap.add(t, Math.floor(rand() * 500));
    }
    // Shuffle some expiries around and drop a few, as deadlines do.
    for (let i = 0; i < 500; i++) {
      const t = timers[Math.floor(rand() * timers.length)];
      if (rand() < 0.2) heap.delete(t);
      else heap.modify(t, Math.floor(rand() * 500));
    }
    const now = Math.floor(rand() * 600);
    const due = new Set(timers.filter((t) => t.index !== -1 && t.when <= now));
    const remaining = heap.size - due.size;
    assertEquals(heap.runExpired(now), due.size);
    assertEquals(fired.length, due.size);
    for (let i = 0; i < fired.length; i++) {
      assert(due.has(fired[i]), "only due timers fire");
      assertEquals(fired[i].index, -1);
      if (i > 0) assert(fired[i - 1].when <= fired[i].when, "fired in order of when");
    }
    assertEquals(heap.size, remaining);
    checkInvariant(heap, timers);
    const next = heap.peek();
    if (next !== undefined) assert(next.when > now);
  }
});

Deno.test("a fake clock drives expiry deterministically", () => {
  const clock = new FakeClock();
  const heap = new TimerHeap();
  const log: string[] = [];
  const mk = (name: string): Timer =>
    new Timer((_t, now) => {
      log.push(`${name}@${now}`);
    });
  const a = mk("a"), b = mk("b"), c = mk("c");
  heap.add(a, clock.now() + 10);
  heap.add(b, clock.now() + 30);
  heap.add(c, clock.now() + 20);
  assertEquals(heap.nextDelay(clock.now()), 10);

  clock.advance(5);
  assertEquals(heap.runExpired(clock.now()), 0);
  assertEquals(heap.nextDelay(clock.now()), 5);

  clock.advance(5);
  assertEquals(heap.runExpired(clock.now()), 1);
  assertEquals(log, ["a@10"]);

  heap.modify(b, clock.now() + 5); // pulled earlier than c
  assertStrictEquals(heap.peek(), b);
  clock.advance(100);
  assertEquals(heap.nextDelay(clock.now()), 0);
  assertEquals(heap.runExpired(clock.now()), 2);
  assertEquals(log, ["a@10", "b@110", "c@110"]);
  assertEquals(heap.size, 0);
  assertEquals(heap.nextDelay(clock.now()), -1);
  assertStrictEquals(heap.peek(), undefined);
});

Deno.test("a callback that re-adds itself fires once per period", () => {
  const clock = new FakeClock();
  const heap = new TimerHeap();
  const ticks: number[] = [];
  const ticker = new Timer((t, now) => {
    assertEquals(t.index, -1, "unscheduled before its callback runs");
    ticks.push(now);
    heap.add(t, t.when + 10);
  });
  heap.add(ticker, 10);
  for (let i = 0; i < 10; i++) {
    clock.advance(10);
    assertEquals(heap.runExpired(clock.now()), 1);
  }
  assertEquals(ticks, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  // Catching up after a stall fires every missed period in one call, as in Go.
  clock.advance(30);
  assertEquals(heap.runExpired(clock.now()), 3);
  assertEquals(ticker.when, 140);
  assertEquals(heap.size, 1);
});

Deno.test("callbacks may modify and delete other timers while firing", () => {
  const heap = new TimerHeap();
  const fired: string[] = [];
  const later = new Timer(() => fired.push("later"));
  const doomed = new Timer(() => fired.push("doomed"));
  const pulled = new Timer(() => fired.push("pulled"));
  const first = new Timer(() => {
    fired.push("first");
    heap.delete(doomed);
    heap.modify(pulled, 3);
    heap.modify(later, 100);
  });
  heap.add(first, 1);
  heap.add(doomed, 2);
  heap.add(later, 4);
  heap.add(pulled, 50);
  assertEquals(heap.runExpired(10), 2);
  assertEquals(fired, ["first", "pulled"]);
  assertEquals(doomed.index, -1);
  assertStrictEquals(heap.peek(), later);
  assertEquals(heap.size, 1);
});

Deno.test("delete of an unscheduled timer returns false", () => {
  const heap = new TimerHeap();
  const t = new Timer(() => {});
  assertEquals(heap.delete(t), false);
  heap.add(t, 5);
  assertEquals(heap.delete(t), true);
  assertEquals(t.index, -1);
  assertEquals(heap.delete(t), false);
  const other = new TimerHeap();
  other.add(t, 1);
  assertEquals(heap.delete(t), false, "a timer on another heap is not deleted");
  assertEquals(other.size, 1);
});

Deno.test("adding a scheduled timer twice throws", () => {
  const heap = new TimerHeap();
  const t = new Timer(() => {});
  heap.add(t, 5);
  assertThrows(() => heap.add(t, 6), Error, "already scheduled");
  assertEquals(t.when, 5);
  assertEquals(heap.size, 1);
});

Deno.test("modify schedules an unscheduled timer and rejects NaN", () => {
  const heap = new TimerHeap();
  const t = new Timer(() => {});
  heap.modify(t, 7);
  assertEquals(t.index, 0);
  assertEquals(heap.nextDelay(2), 5);
  assertThrows(() => heap.modify(t, NaN), RangeError);
  assertThrows(() => heap.add(new Timer(() => {}), NaN), RangeError);
  assertEquals(t.when, 7);
});

Deno.test("timers with equal expiry all fire", () => {
  const heap = new TimerHeap();
  let n = 0;
  for (let i = 0; i < 100; i++) heap.add(new Timer(() => n++), 5);
  assertEquals(heap.runExpired(4), 0);
  assertEquals(heap.runExpired(5), 100);
  assertEquals(n, 100);
});

Deno.test("the system clock is monotonic", () => {
  const a = systemClock.now();
  const b = systemClock.now();
  assert(b >= a);
});
