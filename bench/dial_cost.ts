// Dial's cost on the dialing side, two checkouts of this library side by
// side in one process: batches of 1,000 sequential Dial + Close against a
// listener that never accepts (the kernel completes each handshake into its
// queue, so no server code runs), alternated between the two, the median µs
// per dial of each after 2 warm-up rounds. One process and alternation keep
// the host's drift out of the comparison, which a churn pair cannot.
//
// Usage: taskset -c 1 deno run -A bench/dial_cost.ts [OTHER/mod.ts] [ROUNDS]
// (OTHER: e.g. a `git worktree add /tmp/base HEAD~1` checkout; default this
// checkout against itself, which shows the noise). Each batch listens on its
// own 127.0.1.x address, so TIME_WAIT sockets of one do not slow the next.
import * as here from "../mod.ts";

const otherPath = Deno.args[0];
const rounds = Number(Deno.args[1] ?? "12");
if (!(rounds >= 3)) throw new Error("usage: dial_cost.ts [OTHER/mod.ts] [ROUNDS >= 3]");
const other: typeof here = otherPath === undefined
  ? here
  : await import(new URL(otherPath, `file://${Deno.cwd()}/`).href);
const libs = { other, here };
const batch = 1000;
const perDial: Record<keyof typeof libs, number[]> = { other: [], here: [] };
let host = 0;
for (let round = 0; round < rounds; round++) {
  const order: (keyof typeof libs)[] = round % 2 ? ["other", "here"] : ["here", "other"];
  for (const name of order) {
    const lib = libs[name];
    const ln = await lib.Listen("tcp4", `127.0.1.${(host++ % 250) + 1}:0`);
    const addr = ln.Addr().String();
    const t0 = performance.now();
    try {
      for (let i = 0; i < batch; i++) (await lib.Dial("tcp", addr)).Close();
    } finally {
      ln.Close();
    }
    if (round >= 2) perDial[name].push((performance.now() - t0) * 1000 / batch);
  }
}
const median = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1];
console.log(JSON.stringify({
  other: otherPath ?? "(this checkout)",
  otherUsPerDial: +median(perDial.other).toFixed(2),
  hereUsPerDial: +median(perDial.here).toFixed(2),
  rounds: rounds - 2,
  batch,
}));
