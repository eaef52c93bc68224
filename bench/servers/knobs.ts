// Sets the poller's tuning knobs before the main module runs, for the
// harness's "tuned" column (bench/compare.ts --tuned K=V,...).
// Usage: NETPOLL_KNOBS="yieldEveryMs=10,maxSpinMs=0.5" deno run --allow-env=NETPOLL_KNOBS \
//          --preload bench/servers/knobs.ts ... main.ts
import { defaultPoller } from "../../mod.ts";

const KNOBS = [
  "spinMs",
  "maxSpinMs",
  "yieldEveryMs",
  "settleTurns",
  "blockActive",
  "blockAfterPolls",
  "yieldWindowUs",
  "coalesceUs",
] as const;
type Knob = typeof KNOBS[number];

const spec = Deno.env.get("NETPOLL_KNOBS") ?? "";
for (const pair of spec.split(",").filter((p) => p.trim() !== "")) {
  const [name, value] = pair.split("=").map((s) => s.trim());
  const v = Number(value);
  if (!KNOBS.includes(name as Knob) || value === undefined || !(v >= 0)) {
    throw new Error(`NETPOLL_KNOBS: bad knob ${JSON.stringify(pair)} (have ${KNOBS.join(", ")})`);
  }
  defaultPoller[name as Knob] = v;
}
