// Side-by-side harness: the same workloads against netpoll and Deno native
// servers in one run. Server pinned to core 0, load on core 1 (taskset).
// Usage: deno run -A bench/compare.ts [--rounds N] [--duration S] [--json FILE]
//
// Workloads: HTTP hello under wrk -t1 -c64 (req/s, server CPU µs/req) and
// 32-byte ping-pong over one connection (p50/p99 RTT, µs).

const args = Deno.args;
const flag = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const rounds = Number(flag("--rounds", "3"));
const duration = Number(flag("--duration", "5"));
const jsonOut = flag("--json", "");
const root = new URL("..", import.meta.url).pathname;

function has(cmd: string, a: string[]): boolean {
  try {
    return new Deno.Command(cmd, { args: a, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}
const taskset = has("taskset", ["-c", "0", "true"]);
const pin = (core: number, cmd: string[]) =>
  taskset ? ["taskset", "-c", String(core), ...cmd] : cmd;

interface Server {
  child: Deno.ChildProcess;
  addr: string;
  pid: number;
}

async function startServer(cmd: string[]): Promise<Server> {
  const full = pin(0, cmd);
  const child = new Deno.Command(full[0], {
    args: full.slice(1),
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server ${cmd.join(" ")} exited`);
    out += value;
  }
  reader.releaseLock();
  const m = /listening on (\S+)/.exec(out);
  if (!m) throw new Error(`no address from ${cmd.join(" ")}: ${out}`);
  return { child, addr: m[1], pid: child.pid };
}

async function stopServer(s: Server): Promise<void> {
  s.child.kill("SIGTERM");
  await s.child.status;
  await s.child.stdout.cancel().catch(() => {});
}

/** utime+stime of a process (all threads), in µs. */
function cpuMicros(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * (1e6 / 100);
}

const servers: Record<string, { http: string[]; echo: string[] }> = {
  netpoll: {
    http: ["deno", "run", "--allow-ffi", "--allow-read", "examples/http_hello.ts", "0"],
    echo: ["deno", "run", "--allow-ffi", "--allow-read", "examples/echo_server.ts", "0"],
  },
  deno: {
    http: ["deno", "run", "--allow-net", "bench/servers/deno_http.ts", "0"],
    echo: ["deno", "run", "--allow-net", "bench/servers/deno_echo.ts", "0"],
  },
};

async function httpRound(impl: string): Promise<{ rps: number; cpuPerReq: number }> {
  const s = await startServer(servers[impl].http);
  try {
    // Warm up the JIT and connections.
    new Deno.Command("wrk", { args: ["-t1", "-c64", "-d1s", `http://${s.addr}/`], stdout: "null" })
      .outputSync();
    const cpu0 = cpuMicros(s.pid);
    const cmd = pin(1, ["wrk", "-t1", "-c64", `-d${duration}s`, `http://${s.addr}/`]);
    const out = new Deno.Command(cmd[0], { args: cmd.slice(1) }).outputSync();
    const cpu1 = cpuMicros(s.pid);
    const text = new TextDecoder().decode(out.stdout);
    const m = /Requests\/sec:\s+([\d.]+)/.exec(text);
    const total = /(\d+) requests in/.exec(text);
    if (!m || !total) throw new Error(`wrk output: ${text}`);
    return { rps: Number(m[1]), cpuPerReq: (cpu1 - cpu0) / Number(total[1]) };
  } finally {
    await stopServer(s);
  }
}

async function pingRound(impl: string): Promise<{ p50: number; p99: number }> {
  const s = await startServer(servers[impl].echo);
  try {
    const cmd = pin(1, ["deno", "run", "-A", "bench/pingpong_client.ts", impl, s.addr, "20000"]);
    const out = new Deno.Command(cmd[0], { args: cmd.slice(1), cwd: root }).outputSync();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } finally {
    await stopServer(s);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const impls = ["netpoll", "deno"];
const results: Record<string, Record<string, number[]>> = {};
for (const impl of impls) results[impl] = { rps: [], cpuPerReq: [], p50: [], p99: [] };
const haveWrk = has("wrk", ["--version"]) || has("sh", ["-c", "command -v wrk"]);

for (let r = 0; r < rounds; r++) {
  for (const impl of impls) {
    if (haveWrk) {
      const h = await httpRound(impl);
      results[impl].rps.push(h.rps);
      results[impl].cpuPerReq.push(h.cpuPerReq);
    }
    const p = await pingRound(impl);
    results[impl].p50.push(p.p50);
    results[impl].p99.push(p.p99);
  }
}

const table: Record<string, Record<string, number>> = {};
for (const impl of impls) {
  table[impl] = {};
  for (const [k, xs] of Object.entries(results[impl])) if (xs.length) table[impl][k] = median(xs);
}
const fmt = (x: number) => x.toFixed(x >= 100 ? 0 : 2);
console.log(
  `rounds=${rounds} duration=${duration}s taskset=${taskset} wrk=${haveWrk ? "yes" : "missing"}`,
);
console.log("| metric | netpoll | deno native | netpoll/deno |");
console.log("|---|---|---|---|");
for (const k of ["rps", "cpuPerReq", "p50", "p99"]) {
  const a = table.netpoll[k];
  const b = table.deno[k];
  if (a === undefined || b === undefined) {
    console.log(`| ${k} | missing | missing | |`);
    continue;
  }
  console.log(`| ${k} | ${fmt(a)} | ${fmt(b)} | ${(a / b).toFixed(2)} |`);
}
if (jsonOut) {
  Deno.writeTextFileSync(jsonOut, JSON.stringify({ rounds, duration, results, table }, null, 2));
}
