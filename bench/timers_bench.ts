import { Timer, TimerHeap } from "../src/runtime/timers.ts";

// Pre-drawn expiries so the PRNG is not measured.
function expiries(n: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 1e6;
  }
  return out;
}

const noop = (): void => {};

{
  const N = 1000;
  const heap = new TimerHeap();
  const timers = Array.from({ length: N }, () => new Timer(noop));
  const whens = expiries(N, 1);
  Deno.bench("TimerHeap add+delete (1k timers; 2k ops/iter)", () => {
    for (let i = 0; i < N; i++) heap.add(timers[i], whens[i]);
    for (let i = 0; i < N; i++) heap.delete(timers[i]);
  });
}

{
  const N = 10_000;
  const OPS = 10_000;
  const heap = new TimerHeap();
  const timers = Array.from({ length: N }, () => new Timer(noop));
  const init = expiries(N, 2);
  for (let i = 0; i < N; i++) heap.add(timers[i], init[i]);
  const whens = expiries(1 << 16, 3);
  const picks = expiries(1 << 16, 4).map((x) => Math.floor((x / 1e6) * N));
  let k = 0;
  Deno.bench("TimerHeap modify/reset (10k timers; 10k ops/iter)", () => {
    for (let i = 0; i < OPS; i++) {
      const j = k++ & 0xffff;
      heap.modify(timers[picks[j]], whens[j]);
    }
  });
}

{
  // The deadline pattern: each reset pushes a timer a little later than now.
  const N = 10_000;
  const OPS = 10_000;
  const heap = new TimerHeap();
  const timers = Array.from({ length: N }, () => new Timer(noop));
  for (let i = 0; i < N; i++) heap.add(timers[i], i);
  let now = N;
  let j = 0;
  Deno.bench("TimerHeap modify/reset, deadline push-back (10k timers; 10k ops/iter)", () => {
    for (let i = 0; i < OPS; i++) {
      heap.modify(timers[j], now++ + 5000);
      j = j + 1 === N ? 0 : j + 1;
    }
  });
}

{
  const N = 1000;
  const heap = new TimerHeap();
  const timers = Array.from({ length: N }, () => new Timer(noop));
  const whens = expiries(N, 5);
  Deno.bench("TimerHeap add+runExpired (1k timers; 1k fired/iter)", () => {
    for (let i = 0; i < N; i++) heap.add(timers[i], whens[i]);
    heap.runExpired(Infinity);
  });
}
