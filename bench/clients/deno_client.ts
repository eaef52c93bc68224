// Load clients for bench/compare.ts on netpoll (this library) or on Deno
// native (Deno.connect); each prints one JSON line.
// Usage: deno run -A bench/clients/deno_client.ts MODE netpoll|deno ADDR ARG [LOOPS|WARMUP] ...
//   pingpong ADDR COUNT [WARMUP]  unmeasured pings for WARMUP seconds (default 0), then
//                             COUNT 32-byte pings: {"p50":µs,"p99":µs,"warm":pings}
//   bulk ADDR BYTES [WARMUP]  unmeasured BYTES/10 blocks for at least WARMUP seconds
//                             (default 0: one block), then BYTES measured, in 64 KiB
//                             writes with concurrent read-back: {"mbps","seconds"}
//   churn ADDR CONNS LOOPS [WARMUP [WARMADDRS [SEQADDR]]]
//                             loops of dial, write 1 B, read 1 B, close: unmeasured conns
//                             over LOOPS loops to the comma-separated WARMADDRS in turn
//                             (default ADDR) for WARMUP seconds (default 0), at least
//                             CONNS/10 in all and at most 12,000 to each (CONNS/10 in all
//                             to ADDR), then CONNS measured to ADDR over LOOPS loops and,
//                             with SEQADDR, CONNS measured to SEQADDR over 1 loop:
//                             {"connsPerSec","seqConnsPerSec","conns","errors","warm"}
//   idle ADDR CONNS           CONNS conns, then one 32-byte ping each (as the Go client's
//                             idle mode); holds them until stdin sends a line or closes.

/** The few operations the workloads need, over either stack. */
interface Stream {
  /** Reads into b; null at end of stream. */
  read(b: Uint8Array): Promise<number | null>;
  /** Writes all of b. */
  write(b: Uint8Array): Promise<void>;
  close(): void;
}

// arg2: the mode's second argument, LOOPS (churn) or WARMUP seconds (pingpong, bulk);
// churn's WARMUP, WARMADDRS and SEQADDR follow it.
const [mode, impl, address, arg, arg2, arg3, arg4, arg5] = Deno.args;
const num = Number(arg);

// Imported only for netpoll (the Deno-native client must not depend on the
// library), and once: a dynamic import per dial costs as much as a syscall.
const lib = impl === "netpoll" ? await import("../../mod.ts") : null;

async function connect(to = address): Promise<Stream> {
  if (lib !== null) {
    const { Dial, EOF, Is } = lib;
    const c = await Dial("tcp", to);
    return {
      read: async (b) => {
        try {
          return await c.Read(b);
        } catch (err) {
          if (Is(err, EOF)) return null;
          throw err;
        }
      },
      write: async (b) => {
        await c.Write(b);
      },
      close: () => c.Close(),
    };
  }
  const i = to.lastIndexOf(":");
  const c = await Deno.connect({ hostname: to.slice(0, i), port: Number(to.slice(i + 1)) });
  c.setNoDelay(true);
  return {
    read: (b) => c.read(b),
    write: async (b) => {
      let off = 0;
      while (off < b.length) off += await c.write(b.subarray(off));
    },
    close: () => {
      try {
        c.close();
      } catch {
        // Already closed.
      }
    },
  };
}

async function readFull(s: Stream, b: Uint8Array): Promise<void> {
  let got = 0;
  while (got < b.length) {
    const n = await s.read(b.subarray(got));
    if (n === null) throw new Error("unexpected EOF");
    got += n;
  }
}

async function pingpong(count: number, warmupSecs: number) {
  const s = await connect();
  const msg = new Uint8Array(32).fill(7);
  const buf = new Uint8Array(32);
  // Unmeasured pings first, for a time: V8 compiles the hot path with its
  // optimizing tier (TurboFan) only after tens of thousands of calls, and on
  // a pinned core each compile stalls the pings around it.
  let warm = 0;
  for (const end = performance.now() + warmupSecs * 1000; performance.now() < end; warm++) {
    await s.write(msg);
    await readFull(s, buf);
  }
  const rtts: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await s.write(msg);
    await readFull(s, buf);
    rtts.push(performance.now() - t);
  }
  s.close();
  rtts.sort((a, b) => a - b);
  const q = (p: number) => rtts[Math.min(rtts.length - 1, Math.floor(p * rtts.length))] * 1000;
  return { p50: q(0.5), p99: q(0.99), warm };
}

/** Writes total bytes in 64 KiB chunks while reading them back; resolves the seconds taken. */
async function echoBytes(s: Stream, total: number, chunk: Uint8Array, buf: Uint8Array) {
  const t = performance.now();
  const reader = (async () => {
    let got = 0;
    while (got < total) {
      const n = await s.read(buf);
      if (n === null) throw new Error("unexpected EOF");
      got += n;
    }
  })();
  for (let sent = 0; sent < total; sent += chunk.length) await s.write(chunk);
  await reader;
  return (performance.now() - t) / 1000;
}

async function bulk(total: number, warmupSecs: number) {
  const s = await connect();
  const chunk = new Uint8Array(64 << 10).fill(7);
  const buf = new Uint8Array(64 << 10);
  // Unmeasured tenths first, for at least warmupSecs: the rate of a running
  // server, not of its first seconds (JIT tiers, buffer growth).
  const end = performance.now() + warmupSecs * 1000;
  do await echoBytes(s, warmBytes(total), chunk, buf); while (performance.now() < end);
  const secs = await echoBytes(s, total, chunk, buf);
  s.close();
  return { mbps: total / 1e6 / secs, seconds: secs };
}

/** The unmeasured warm-up before a bulk run: a tenth, in whole 64 KiB chunks. */
function warmBytes(total: number): number {
  return Math.ceil(total / 10 / (64 << 10)) * (64 << 10);
}

async function churn(
  total: number,
  loops: number,
  warmupSecs: number,
  warmAddrs: string,
  seqAddr: string | undefined,
) {
  const one = new Uint8Array([1]);
  // Starts conns to `to` over `width` concurrent loops: dial, write 1 B, read
  // 1 B, close; at least `min`, then more until `secs` have passed, at most
  // `max`. Bounded by 30 s as well.
  const run = async (to: string, width: number, min: number, max: number, secs: number) => {
    let started = 0;
    let conns = 0;
    let errors = 0;
    const t = performance.now();
    const until = t + secs * 1000;
    const end = t + 30_000;
    const loop = async () => {
      const b = new Uint8Array(1);
      while (
        started < max && (started < min || performance.now() < until) && performance.now() < end
      ) {
        started++;
        let s: Stream | undefined;
        try {
          s = await connect(to);
          await s.write(one);
          await readFull(s, b);
          conns++;
        } catch {
          errors++;
        } finally {
          s?.close();
        }
      }
    };
    await Promise.all(Array.from({ length: width }, loop));
    return { conns, errors, secs: (performance.now() - t) / 1000 };
  };
  // Warm-up, unmeasured (the JIT of client and server, pools), to other
  // addresses of the same server when given: each destination has its own
  // ports, and the measured ones keep theirs.
  const min = Math.ceil(total / 10);
  const until = performance.now() + warmupSecs * 1000;
  let warm = 0;
  let errors = 0;
  for (const to of warmAddrs.split(",")) {
    const left = Math.max(0, (until - performance.now()) / 1000);
    const need = Math.max(0, min - warm);
    const w = await run(to, loops, need, to === address ? need : 12_000, left);
    warm += w.conns;
    errors += w.errors;
  }
  const r = await run(address, loops, total, total, 0);
  const seq = seqAddr === undefined ? null : await run(seqAddr, 1, total, total, 0);
  return {
    connsPerSec: r.conns / r.secs,
    ...(seq === null ? {} : { seqConnsPerSec: seq.conns / seq.secs }),
    conns: r.conns + (seq?.conns ?? 0),
    errors: errors + r.errors + (seq?.errors ?? 0),
    warm,
  };
}

async function idle(n: number) {
  const streams: (Stream | null)[] = new Array(n).fill(null);
  const t0 = performance.now();
  let next = 0;
  // At most 128 dials in flight, as the Go client.
  await Promise.all(Array.from({ length: Math.min(128, n) }, async () => {
    while (next < n) {
      const i = next++;
      try {
        streams[i] = await connect();
      } catch {
        // Counted as a failure below.
      }
    }
  }));
  const t1 = performance.now();
  let ok = 0;
  const timeout = setTimeout(() => streams.forEach((s) => s?.close()), 120_000);
  await Promise.all(streams.map(async (s) => {
    if (!s) return;
    try {
      const b = new Uint8Array(32);
      await s.write(b);
      await readFull(s, b);
      ok++;
    } catch {
      // A failure.
    }
  }));
  clearTimeout(timeout);
  const t2 = performance.now();
  console.log(JSON.stringify({
    connected: streams.filter((s) => s).length,
    ok,
    failures: n - ok,
    connectMs: t1 - t0,
    pingMs: t2 - t1,
    totalMs: t2 - t0,
  }));
  // Hold the conns until the harness has measured the server.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const r = Deno.stdin.readable.getReader();
  await Promise.race([r.read(), new Promise((res) => timer = setTimeout(res, 120_000))]);
  clearTimeout(timer);
  for (const s of streams) s?.close();
  Deno.exit(0);
}

const warmupSecs = Number(arg2 ?? "0");
const result = mode === "pingpong"
  ? await pingpong(num, warmupSecs)
  : mode === "bulk"
  ? await bulk(num, warmupSecs)
  : mode === "churn"
  ? await churn(num, Number(arg2 ?? "4"), Number(arg3 ?? "0"), arg4 ?? address, arg5)
  : mode === "idle"
  ? await idle(num)
  : null;
if (!result) throw new Error(`unknown mode ${mode}`);
console.log(JSON.stringify(result));
