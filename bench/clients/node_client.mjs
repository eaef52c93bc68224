// Load clients on node:net for bench/compare.ts; each prints one JSON line.
// Usage: node bench/clients/node_client.mjs pingpong|bulk|churn ADDR ARG [LOOPS|WARMUP] ...
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
import net from "node:net";

// arg2: the mode's second argument, LOOPS (churn) or WARMUP seconds (pingpong, bulk);
// churn's WARMUP, WARMADDRS and SEQADDR follow it.
const [mode, address, arg, arg2, arg3, arg4, arg5] = process.argv.slice(2);
const host = address.slice(0, address.lastIndexOf(":"));
const port = Number(address.slice(address.lastIndexOf(":") + 1));
const num = Number(arg);

function connect() {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, noDelay: true }, () => {
      s.off("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
}

async function pingpong(count, warmupSecs) {
  const s = await connect();
  const msg = Buffer.alloc(32, 7);
  const rtts = [];
  let got = 0;
  let t = 0;
  // Unmeasured pings first, for a time, as the other clients (JIT tiers).
  let warm = 0;
  const warmEnd = performance.now() + warmupSecs * 1000;
  await new Promise((resolve, reject) => {
    s.on("error", reject);
    s.on("data", (b) => {
      got += b.length;
      if (got < 32) return;
      got -= 32;
      if (rtts.length === 0 && performance.now() < warmEnd) warm++;
      else rtts.push(performance.now() - t);
      if (rtts.length === count) return resolve();
      t = performance.now();
      s.write(msg);
    });
    t = performance.now();
    s.write(msg);
  });
  s.destroy();
  rtts.sort((a, b) => a - b);
  const q = (p) => rtts[Math.min(rtts.length - 1, Math.floor(p * rtts.length))] * 1000;
  return { p50: q(0.5), p99: q(0.99), warm };
}

// Writes total bytes in 64 KiB chunks while reading them back; resolves the seconds taken.
async function echoBytes(s, total, chunk) {
  const t = performance.now();
  let onData, onError;
  const done = new Promise((resolve, reject) => {
    let got = 0;
    onError = reject;
    onData = (b) => {
      got += b.length;
      if (got >= total) resolve();
    };
    s.on("error", onError);
    s.on("data", onData);
  });
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!s.write(chunk)) await new Promise((r) => s.once("drain", r));
  }
  await done;
  s.off("data", onData);
  s.off("error", onError);
  return (performance.now() - t) / 1000;
}

async function bulk(total, warmupSecs) {
  const s = await connect();
  const chunk = Buffer.alloc(64 << 10, 7);
  // Unmeasured tenths (whole chunks) first, for at least warmupSecs.
  const end = performance.now() + warmupSecs * 1000;
  do await echoBytes(s, Math.ceil(total / 10 / chunk.length) * chunk.length, chunk); while (
    performance.now() < end
  );
  const secs = await echoBytes(s, total, chunk);
  s.destroy();
  return { mbps: total / 1e6 / secs, seconds: secs };
}

async function churn(total, loops, warmupSecs, warmAddrs, seqAddr) {
  const one = (to) =>
    new Promise((resolve, reject) => {
      const i = to.lastIndexOf(":");
      const s = net.connect(
        { host: to.slice(0, i), port: Number(to.slice(i + 1)), noDelay: true },
        () => s.write(Buffer.of(1)),
      );
      s.once("error", (e) => {
        s.destroy();
        reject(e);
      });
      s.once("data", () => {
        s.destroy();
        resolve();
      });
    });
  // Starts conns to `to` over `width` concurrent loops: at least `min`, then
  // more until `secs` have passed, at most `max`; bounded by 30 s too.
  const run = async (to, width, min, max, secs) => {
    let started = 0;
    let conns = 0;
    let errors = 0;
    const t = performance.now();
    const until = t + secs * 1000;
    const end = t + 30_000;
    const loop = async () => {
      while (
        started < max && (started < min || performance.now() < until) && performance.now() < end
      ) {
        started++;
        try {
          await one(to);
          conns++;
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: width }, loop));
    return { conns, errors, secs: (performance.now() - t) / 1000 };
  };
  // Warm-up, unmeasured, as the Deno clients (to other addresses of the
  // server when given: the measured destinations keep their ports).
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

const warmupSecs = Number(arg2 ?? "0");
const result = mode === "pingpong"
  ? await pingpong(num, warmupSecs)
  : mode === "bulk"
  ? await bulk(num, warmupSecs)
  : mode === "churn"
  ? await churn(num, Number(arg2 ?? "4"), Number(arg3 ?? "0"), arg4 ?? address, arg5)
  : null;
if (!result) throw new Error(`unknown mode ${mode}`);
console.log(JSON.stringify(result));
