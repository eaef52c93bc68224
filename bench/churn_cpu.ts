// CPU per connection of a churn pair (client and server), netpoll or Deno
// native: the client runs in this process (pin it: taskset -c 1), the echo
// server on core 0; after 36,000 warm-up conns through 127.0.0.2-4 (past
// the JIT's tier-up, as bench/compare.ts), N conns
// (dial, write 1 B, read 1 B, close) over LOOPS loops to 127.0.0.1, with
// utime+stime of both processes from /proc/PID/stat over those conns.
// Usage: taskset -c 1 deno run -A bench/churn_cpu.ts netpoll|deno LOOPS [N]
// Prints {"impl","loops","connsPerSec","clientUsPerConn","serverUsPerConn",
// "clientUserUs","clientSysUs","serverUserUs","serverSysUs","clientBusy","serverBusy"}
// (µs per conn; user and system time apart).
const [impl, loopsArg, nArg] = Deno.args;
if (impl !== "netpoll" && impl !== "deno") {
  throw new Error("usage: churn_cpu.ts netpoll|deno LOOPS [N]");
}
const loops = Number(loopsArg ?? "4");
const total = Number(nArg ?? "10000");
const root = new URL("..", import.meta.url).pathname;
const server = impl === "netpoll"
  ? ["deno", "run", "--allow-ffi", "--allow-net", `${root}examples/echo_server.ts`, "0.0.0.0:0"]
  : ["deno", "run", "--allow-net", `${root}bench/servers/deno_echo.ts`, "0.0.0.0:0"];
// taskset execs the server, so the child's PID is the server's.
const child = new Deno.Command("taskset", { args: ["-c", "0", ...server], stdout: "piped" })
  .spawn();
const first = await child.stdout.getReader().read();
const port = new TextDecoder().decode(first.value).trim().split(":").pop();
const lib = impl === "netpoll" ? await import("../mod.ts") : null;
const one = new Uint8Array([1]);

async function conn(to: string, b: Uint8Array): Promise<void> {
  if (lib !== null) {
    const c = await lib.Dial("tcp", to);
    try {
      await c.Write(one);
      await c.Read(b);
    } finally {
      c.Close();
    }
    return;
  }
  const i = to.lastIndexOf(":");
  const c = await Deno.connect({ hostname: to.slice(0, i), port: Number(to.slice(i + 1)) });
  try {
    c.setNoDelay(true);
    await c.write(one);
    await c.read(b);
  } finally {
    c.close();
  }
}

async function run(to: string, n: number): Promise<void> {
  let started = 0;
  await Promise.all(Array.from({ length: loops }, async () => {
    const b = new Uint8Array(1);
    while (started++ < n) await conn(to, b);
  }));
}

/** [utime, stime] of a process, µs. */
function cpuMicros(pid: string | number): [number, number] {
  const f = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
  return [Number(f[11]) * 1e4, Number(f[12]) * 1e4]; // USER_HZ is 100 on Linux
}

try {
  for (const warm of ["127.0.0.2", "127.0.0.3", "127.0.0.4"]) await run(`${warm}:${port}`, 12_000);
  const c0 = cpuMicros("self");
  const s0 = cpuMicros(child.pid);
  const t0 = performance.now();
  await run(`127.0.0.1:${port}`, total);
  const secs = (performance.now() - t0) / 1000;
  const c1 = cpuMicros("self");
  const s1 = cpuMicros(child.pid);
  const per = (a: number, b: number) => Math.round((b - a) / total);
  const client = c1[0] + c1[1] - c0[0] - c0[1];
  const srv = s1[0] + s1[1] - s0[0] - s0[1];
  console.log(JSON.stringify({
    impl,
    loops,
    connsPerSec: Math.round(total / secs),
    clientUsPerConn: Math.round(client / total),
    serverUsPerConn: Math.round(srv / total),
    clientUserUs: per(c0[0], c1[0]),
    clientSysUs: per(c0[1], c1[1]),
    serverUserUs: per(s0[0], s1[0]),
    serverSysUs: per(s0[1], s1[1]),
    clientBusy: +(client / 1e6 / secs).toFixed(2),
    serverBusy: +(srv / 1e6 / secs).toFixed(2),
  }));
} finally {
  child.kill();
  await child.status;
}
