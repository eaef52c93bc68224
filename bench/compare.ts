// Side-by-side harness (issue 6): the same workloads against netpoll, Deno
// native, Node's node:net and Go's net (GOMAXPROCS=1), in interleaved rounds,
// median per cell. Server pinned to core 0, load on core 1 (taskset). For the
// HTTP workloads a C epoll server (bench/servers/c/http.c, built with cc when
// present) runs beside them as the floor: the kernel's share of a request.
//
// Usage: deno run -A bench/compare.ts [--rounds N] [--duration S]
//          [--only http,pipeline,syscalls,pingpong,bulk,churn,idle] [--impls netpoll,deno,node,go,c]
//          [--conns N] [--pings N] [--bulk-mib N] [--churn-conns N] [--warmup SECONDS]
//          [--client own|go] [--tuned K=V,...] [--json FILE] [--svg FILE]
//
// Workloads and metrics:
//   http      wrk -t1 -c64 -dS after --warmup seconds of it unmeasured: requests/s;
//             server CPU µs/request = (utime+stime of all the server's threads from
//             /proc/PID/stat over the run) / requests;
//             server busy = that CPU time over the run's wall time, % of one core (a
//             server at ~100% has CPU µs/request = 1e6 / requests/s, whatever it did)
//   pipeline  the same with 16 pipelined requests per write (bench/pipeline.lua)
//   syscalls  the http workload for 2 s under `perf stat` on the syscall tracepoints (when
//             perf has them): the server's syscalls per request, all and epoll waits
//   pingpong  32-byte ping-pong over one connection, each impl's own client: p50/p99 RTT µs
//             of 20,000 pings after --warmup seconds (default 3) of unmeasured ones, and
//             server CPU µs/ping (as for http, over the client's whole run, warm-up pings
//             included)
//   bulk      one connection, 1 GiB in 64 KiB writes read back concurrently, after
//             unmeasured 103 MiB blocks (a tenth) on it for at least --warmup seconds:
//             MB/s (1e6 B). Both warm-ups are by time because V8 gives a function its
//             optimizing tier (TurboFan) only after tens of thousands of calls, and
//             each compile (up to tens of ms on the pinned core) would stall what is
//             measured: a JIT-heavy client or server is then measured cold
//   churn     dial, write 1 B, read 1 B, close, N times (default 10,000): conns/s over
//             4 concurrent loops (throughput), then N more over 1 loop (sequential:
//             each conn's latency, as a client making one call at a time sees it), by
//             one client process against one fresh server per impl and round. First
//             comes an unmeasured warm-up over 4 loops for --warmup seconds (at least
//             N/10 conns): V8 tiers the per-conn functions of a JS client and server
//             up to TurboFan only after ~15,000-25,000 conns, and those compiles (up to
//             30 ms each, ~350 ms in all for netpoll's client) would land in the
//             measured conns. Every destination (IP, port) gets at most 12,000 conns,
//             under the 14,116 ports Linux's connect() takes first per destination (one
//             parity of 32768-60999; seen in TIME_WAIT): past them, every connect()
//             scans ports still in TIME_WAIT, and every impl measured the same ~14,100
//             conns/s (tw_reuse frees a port after 1 s). So the server listens on
//             0.0.0.0 and the warm-up reaches it through 127.0.0.2, .3 and .4 in turn
//             (up to 36,000 conns), the throughput cell through 127.0.0.1, the
//             sequential one through 127.0.0.5. Before each impl's pair the harness
//             waits (at most 75 s) until all its conns fit in the kernel's TIME_WAIT
//             table (net.ipv4.tcp_max_tw_buckets; past it closes skip TIME_WAIT,
//             another path)
//   idle      N concurrent conns (default 10,000), each with a 30 s read deadline on the
//             server, then one 32-byte ping each: failures, total ms (connect + ping),
//             server RSS KiB/conn (VmRSS after − before) and JS/Go heap KiB/conn (STAT)
//
// Every cell's progress line also gives the % of its wall time that the
// hypervisor stole from core 0 and from core 1 (/proc/stat); the JSON has
// them as stealPct, and the run ends with their median and maximum.
//
// --tuned adds a "tuned" column: netpoll (server and client) with the poller
// knobs given (spinMs, maxSpinMs, yieldEveryMs, settleTurns; see
// bench/servers/knobs.ts), interleaved with the rest, e.g.
// --tuned yieldEveryMs=10 --impls netpoll,tuned,deno.
//
// --base DIR adds a "base" column: netpoll (server and client) from another
// checkout of this repository, interleaved with the rest, to measure a code
// change against the code before it, e.g.
// git worktree add /tmp/base HEAD~1; ... --base /tmp/base --impls netpoll,base,deno.
// For churn the checkout's echo server must take host:port and its client
// WARMADDRS and SEQADDR (the usage in bench/clients/deno_client.ts).
//
// The table gives each cell's median over the rounds, its ratio to Deno
// native, and (netpoll against Deno native) the lowest and highest ratio of
// the interleaved rounds: on a noisy host the spread says more than the median.
//
// Missing peers (wrk, node, go, cc) are reported as "missing", never faked.
// Every child process is started here and killed by its PID, also on error.

const args = Deno.args;
if (args.includes("--help") || args.includes("-h")) {
  // The usage is this file's header comment, up to the first code line.
  const lines = (await Deno.readTextFile(new URL(import.meta.url))).split("\n");
  const end = lines.findIndex((l) => !l.startsWith("//"));
  console.log(lines.slice(0, end).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
  Deno.exit(0);
}
/** The flags read so far (flag() records them): anything else is an error. */
const known = new Set<string>();
function flag(name: string, def: string): string {
  known.add(name);
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
}
const root = new URL("..", import.meta.url).pathname;
const rounds = Number(flag("--rounds", "3"));
const duration = Number(flag("--duration", "5"));
const conns = Number(flag("--conns", "10000"));
const pings = Number(flag("--pings", "20000"));
const bulkBytes = Number(flag("--bulk-mib", "1024")) * (1 << 20);
const churnConns = Number(flag("--churn-conns", "10000"));
const warmupSecs = Number(flag("--warmup", "3"));
if (churnConns > 14_000) {
  console.error(
    `--churn-conns ${churnConns}: that passes the ~14,100 ports connect() takes first per ` +
      "destination; past them the churn cells measure the kernel's port search",
  );
}
const clientKind = flag("--client", "own");
const jsonOut = flag("--json", `${root}bench/results/latest.json`);
const svgOut = flag("--svg", `${root}bench/results/chart.svg`);
const ALL_WORKLOADS = [
  "http",
  "pipeline",
  "syscalls",
  "pingpong",
  "bulk",
  "churn",
  "idle",
] as const;
type Workload = typeof ALL_WORKLOADS[number];
const ALL_IMPLS = ["netpoll", "deno", "node", "go", "c", "tuned", "base"] as const;
type Impl = typeof ALL_IMPLS[number];
const tuned = flag("--tuned", "");
const baseDir = flag("--base", "").replace(/\/*$/, "");
const workloads = flag("--only", ALL_WORKLOADS.join(",")).split(",") as Workload[];
const impls = flag(
  "--impls",
  ALL_IMPLS.filter((i) => (i !== "tuned" || tuned) && (i !== "base" || baseDir)).join(","),
).split(",") as Impl[];
for (let i = 0; i < args.length; i += 2) {
  if (!known.has(args[i]) || i + 1 >= args.length) {
    console.error(`bad argument ${args[i]}${known.has(args[i]) ? " (no value)" : ""}; see --help`);
    Deno.exit(2);
  }
}
if (impls.includes("tuned") && !tuned) throw new Error("--impls tuned needs --tuned K=V,...");
if (impls.includes("base") && !baseDir) throw new Error("--impls base needs --base DIR");
// Only the tuned commands preload bench/servers/knobs.ts, which reads this.
if (tuned) Deno.env.set("NETPOLL_KNOBS", tuned);
for (const w of workloads) {
  if (!ALL_WORKLOADS.includes(w)) throw new Error(`unknown workload ${w}`);
}
for (const i of impls) if (!ALL_IMPLS.includes(i)) throw new Error(`unknown impl ${i}`);
for (const [k, v] of [["--rounds", rounds], ["--duration", duration], ["--conns", conns]]) {
  if (!(Number(v) > 0) || Number(v) > 1e6) throw new Error(`bad ${k} ${v}`);
}

// ---------------------------------------------------------------- processes

const decoder = new TextDecoder();
const ANSI = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g");
const live = new Set<Proc>();

/** A child process started by this harness, its stdout split into lines. */
class Proc {
  readonly child: Deno.ChildProcess;
  readonly pid: number;
  readonly lines: string[] = [];
  stderrTail = "";
  #wake: (() => void) | null = null;
  #done = false;
  readonly #pumps: Promise<void>;

  constructor(readonly cmd: string[], opts: { env?: Record<string, string>; stdin?: boolean }) {
    this.child = new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      cwd: root,
      env: opts.env,
      stdin: opts.stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.child.pid;
    live.add(this);
    this.#pumps = Promise.all([this.#pumpOut(), this.#pumpErr()]).then(() => {});
  }

  async #pumpOut(): Promise<void> {
    let part = "";
    try {
      for await (const chunk of this.child.stdout.pipeThrough(new TextDecoderStream())) {
        part += chunk;
        let nl;
        while ((nl = part.indexOf("\n")) >= 0) {
          this.lines.push(part.slice(0, nl));
          part = part.slice(nl + 1);
        }
        this.#wake?.();
      }
    } catch {
      // Killed.
    }
    if (part) this.lines.push(part);
    this.#done = true;
    this.#wake?.();
  }

  async #pumpErr(): Promise<void> {
    try {
      for await (const chunk of this.child.stderr.pipeThrough(new TextDecoderStream())) {
        this.stderrTail = (this.stderrTail + chunk.replace(ANSI, "")).slice(-2000);
      }
    } catch {
      // Killed.
    }
  }

  /** The next stdout line, waiting at most timeoutMs. */
  async line(timeoutMs: number): Promise<string> {
    const end = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (this.#done) throw new Error(`${this.name()} exited: ${this.stderrTail.trim()}`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`${this.name()}: no output in ${timeoutMs} ms`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.#wake = null;
    }
    return this.lines.shift()!;
  }

  /** Waits for the exit at most timeoutMs, then kills; resolves stdout. */
  async wait(timeoutMs: number): Promise<{ ok: boolean; out: string }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<null>((r) => timer = setTimeout(() => r(null), timeoutMs));
    const st = await Promise.race([this.child.status, timedOut]);
    clearTimeout(timer);
    if (st === null) {
      await this.kill();
      throw new Error(`${this.name()}: timed out after ${timeoutMs} ms`);
    }
    await this.#pumps;
    live.delete(this);
    return { ok: st.success, out: this.lines.join("\n") };
  }

  /** SIGTERM to this PID, SIGKILL after 3 s. */
  async kill(): Promise<void> {
    if (!live.has(this)) return;
    live.delete(this);
    try {
      this.child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((r) => timer = setTimeout(() => r(null), 3000));
    if (await Promise.race([this.child.status, late]) === null) {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await this.child.status;
    }
    clearTimeout(timer);
    await this.#pumps;
  }

  name(): string {
    return this.cmd.filter((a) => !a.startsWith("-")).slice(-3).join(" ");
  }
}

async function killAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.kill()));
}
const onInterrupt = () => {
  killAll().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", onInterrupt);

function has(cmd: string, a: string[]): boolean {
  try {
    return new Deno.Command(cmd, { args: a, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}
const taskset = has("taskset", ["-c", "0", "true"]) && navigator.hardwareConcurrency >= 2;
const pin = (core: number, cmd: string[]) =>
  taskset ? ["taskset", "-c", String(core), ...cmd] : cmd;
const haveWrk = has("wrk", ["-v"]) || has("sh", ["-c", "command -v wrk"]);
const haveNode = has("node", ["--version"]);
const haveGo = has("go", ["version"]);
const haveCc = has("cc", ["--version"]);
const havePrlimit = has("prlimit", ["--version"]);
// Syscall tracepoints (perf from Debian's linux-perf; absent in gVisor).
const SYSCALL_EVENTS = {
  all: ["raw_syscalls:sys_enter"],
  polls: ["epoll_wait", "epoll_pwait", "epoll_pwait2"].map((c) => `syscalls:sys_enter_${c}`),
};
const havePerfSyscalls = has("perf", [
  "stat",
  "-e",
  [...SYSCALL_EVENTS.all, ...SYSCALL_EVENTS.polls].join(","),
  "--",
  "true",
]);
const clkTck = Number(
  new TextDecoder().decode(new Deno.Command("getconf", { args: ["CLK_TCK"] }).outputSync().stdout)
    .trim(),
) || 100;

/** utime+stime of a process (the sum over all its threads), in µs. */
function cpuMicros(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * (1e6 / clkTck);
}

/**
 * Steal ticks of cores 0 and 1 (/proc/stat): time the hypervisor ran
 * something else while this VM's core wanted to run. Zeros where the
 * kernel does not count it.
 */
function stealTicks(): [number, number] {
  const out: [number, number] = [0, 0];
  try {
    for (const line of Deno.readTextFileSync("/proc/stat").split("\n")) {
      const m = /^cpu([01]) (.*)$/.exec(line);
      if (m) out[Number(m[1])] = Number(m[2].trim().split(/\s+/)[7] ?? 0);
    }
  } catch {
    // No /proc/stat: report no steal.
  }
  return out;
}

/** VmRSS of a process, in bytes. */
function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** RLIMIT_NOFILE of this process (inherited by the children), soft and hard. */
function nofile(): { soft: number; hard: number } {
  const m = /Max open files\s+(\S+)\s+(\S+)/.exec(Deno.readTextFileSync("/proc/self/limits"));
  const n = (s: string | undefined) => s === "unlimited" ? Infinity : Number(s ?? 1024);
  return { soft: n(m?.[1]), hard: n(m?.[2]) };
}

// ------------------------------------------------------------ Go binaries

let goDir = "";
let goError = "";
async function buildGo(): Promise<void> {
  if (!haveGo || !impls.includes("go") && clientKind !== "go" && !workloads.includes("idle")) {
    return;
  }
  goDir = await Deno.makeTempDir({ prefix: "netpoll-bench-go-" });
  for (
    const [out, src] of [
      ["http", "bench/servers/go/http.go"],
      ["echo", "bench/servers/go/echo.go"],
      ["client", "bench/clients/go/client.go"],
    ]
  ) {
    const p = new Proc(["go", "build", "-o", `${goDir}/${out}`, src], {
      env: { CGO_ENABLED: "0", GOFLAGS: "-mod=mod" },
    });
    const r = await p.wait(300_000);
    if (!r.ok) {
      goError = `go build ${src}: ${p.stderrTail.trim()}`;
      return;
    }
  }
}

// ---------------------------------------------------------------- C floor

let cDir = "";
let cError = "";
async function buildC(): Promise<void> {
  const httpWorkloads: Workload[] = ["http", "pipeline", "syscalls"];
  if (!haveCc || !impls.includes("c") || !workloads.some((w) => httpWorkloads.includes(w))) return;
  cDir = await Deno.makeTempDir({ prefix: "netpoll-bench-c-" });
  const p = new Proc(["cc", "-O2", "-o", `${cDir}/http`, "bench/servers/c/http.c"], {});
  const r = await p.wait(120_000);
  if (!r.ok) cError = `cc bench/servers/c/http.c: ${p.stderrTail.trim()}`;
}

// ---------------------------------------------------------------- impls

const denoRun = (perms: string[], script: string, rest: string[] = []) => [
  "deno",
  "run",
  ...perms,
  script,
  ...rest,
];
const NETPOLL = ["--allow-ffi", "--allow-read", "--allow-net"];
const PRELOAD_KNOBS = ["--preload", "bench/servers/knobs.ts"];
const KNOBS = ["--allow-env=NETPOLL_KNOBS", ...PRELOAD_KNOBS];
const GC = ["--v8-flags=--expose-gc"];

interface ImplDef {
  available: () => string | null; // null when available, else why not
  http: string[];
  /** The echo server (ping-pong, bulk, churn) and its client; absent for the C floor. */
  echo?: string[];
  idle?: string[];
  env?: Record<string, string>;
  client?: (mode: string, addr: string, arg: string) => string[];
}

const goClient = (mode: string, addr: string, arg: string) => [
  `${goDir}/client`,
  mode,
  addr,
  arg,
];
const goReady = () => !haveGo ? "missing" : goError ? "build failed" : null;
const ccReady = () => !haveCc ? "missing" : cError ? "build failed" : null;

const defs: Record<Impl, ImplDef> = {
  netpoll: {
    available: () => null,
    http: denoRun(NETPOLL, "examples/http_hello.ts", ["0"]),
    echo: denoRun(NETPOLL, "examples/echo_server.ts", ["0"]),
    idle: denoRun([...NETPOLL, ...GC], "bench/servers/netpoll_idle.ts", ["0"]),
    client: (mode, addr, arg) =>
      denoRun(["-A"], "bench/clients/deno_client.ts", [mode, "netpoll", addr, arg]),
  },
  deno: {
    available: () => null,
    http: denoRun(["--allow-net"], "bench/servers/deno_http.ts", ["0"]),
    echo: denoRun(["--allow-net"], "bench/servers/deno_echo.ts", ["0"]),
    idle: denoRun(["--allow-net", ...GC], "bench/servers/deno_echo.ts", ["0", "idle"]),
    client: (mode, addr, arg) =>
      denoRun(["-A"], "bench/clients/deno_client.ts", [mode, "deno", addr, arg]),
  },
  node: {
    available: () => haveNode ? null : "missing",
    http: ["node", "bench/servers/node_http.mjs", "0"],
    echo: ["node", "bench/servers/node_echo.mjs", "0"],
    idle: ["node", "--expose-gc", "bench/servers/node_echo.mjs", "0", "idle"],
    client: (mode, addr, arg) => ["node", "bench/clients/node_client.mjs", mode, addr, arg],
  },
  go: {
    available: goReady,
    // The built binaries, so that the PID measured is the server's own.
    get http() {
      return [`${goDir}/http`, "0"];
    },
    get echo() {
      return [`${goDir}/echo`, "0"];
    },
    get idle() {
      return [`${goDir}/echo`, "0", "idle"];
    },
    env: { GOMAXPROCS: "1" },
    client: goClient,
  },
  tuned: {
    available: () => tuned ? null : "no --tuned",
    http: denoRun([...NETPOLL, ...KNOBS], "examples/http_hello.ts", ["0"]),
    echo: denoRun([...NETPOLL, ...KNOBS], "examples/echo_server.ts", ["0"]),
    idle: denoRun([...NETPOLL, ...KNOBS, ...GC], "bench/servers/netpoll_idle.ts", ["0"]),
    client: (mode, addr, arg) =>
      denoRun(["-A", ...PRELOAD_KNOBS], "bench/clients/deno_client.ts", [
        mode,
        "netpoll",
        addr,
        arg,
      ]),
  },
  base: {
    available: () => baseDir ? null : "no --base",
    http: denoRun(NETPOLL, `${baseDir}/examples/http_hello.ts`, ["0"]),
    echo: denoRun(NETPOLL, `${baseDir}/examples/echo_server.ts`, ["0"]),
    idle: denoRun([...NETPOLL, ...GC], `${baseDir}/bench/servers/netpoll_idle.ts`, ["0"]),
    client: (mode, addr, arg) =>
      denoRun(["-A"], `${baseDir}/bench/clients/deno_client.ts`, [mode, "netpoll", addr, arg]),
  },
  c: {
    available: ccReady,
    get http() {
      return [`${cDir}/http`, "0"];
    },
  },
};

function clientFor(impl: Impl): (mode: string, addr: string, arg: string) => string[] {
  if (clientKind === "go") {
    if (goReady()) throw new Error(`--client go: go ${goReady()}`);
    return goClient;
  }
  const client = defs[impl].client;
  if (!client) throw new Missing("HTTP only");
  return client;
}

/** The impl's echo server, or Missing for the HTTP-only C floor. */
function echoOf(impl: Impl): string[] {
  const echo = defs[impl].echo;
  if (!echo) throw new Missing("HTTP only");
  return echo;
}

interface Server {
  proc: Proc;
  addr: string;
  pid: number;
}

async function startServer(cmd: string[], env?: Record<string, string>, wrap: string[] = []) {
  const proc = new Proc(pin(0, [...wrap, ...cmd]), { env });
  try {
    const line = await proc.line(30_000);
    const m = /listening on (\S+)/.exec(line);
    if (!m) throw new Error(`no address from ${cmd.join(" ")}: ${line}`);
    return { proc, addr: m[1], pid: proc.pid } as Server;
  } catch (err) {
    await proc.kill();
    throw err;
  }
}

async function withServer<T>(
  cmd: string[],
  env: Record<string, string> | undefined,
  fn: (s: Server) => Promise<T>,
  wrap: string[] = [],
): Promise<T> {
  const s = await startServer(cmd, env, wrap);
  try {
    return await fn(s);
  } finally {
    await s.proc.kill();
  }
}

/** Runs a load client to completion (bounded) and parses its last JSON line. */
async function runClient(cmd: string[], timeoutMs: number): Promise<Record<string, number>> {
  const p = new Proc(pin(1, cmd), {});
  try {
    const r = await p.wait(timeoutMs);
    if (!r.ok) throw new Error(`${p.name()} failed: ${p.stderrTail.trim()}`);
    const last = r.out.trim().split("\n").pop() ?? "";
    return JSON.parse(last);
  } finally {
    await p.kill();
  }
}

// -------------------------------------------------------------- workloads

type Cells = Record<string, number>;

async function wrkRun(s: Server, pipeline: boolean): Promise<Cells> {
  const url = `http://${s.addr}/`;
  const script = pipeline ? ["-s", `${root}bench/pipeline.lua`] : [];
  // Warm up the JIT and the connections: for --warmup seconds, as ping-pong
  // and bulk (a 1 s warm-up left ~19 of the netpoll server's 33 TurboFan
  // compiles, ~107 of 181 ms, to the measured seconds).
  await runWrk(["-t1", "-c64", `-d${warmupSecs}s`, ...script, url], warmupSecs * 1000 + 20_000);
  const cpu0 = cpuMicros(s.pid);
  const t0 = performance.now();
  const text = await runWrk(
    ["-t1", "-c64", `-d${duration}s`, ...script, url],
    duration * 1000 + 20_000,
  );
  const wallMicros = (performance.now() - t0) * 1000;
  const cpu1 = cpuMicros(s.pid);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const total = /(\d+) requests in/.exec(text);
  if (!rps || !total || Number(total[1]) === 0) throw new Error(`wrk output: ${text}`);
  const errs = /Socket errors: (.*)/.exec(text);
  if (errs) console.error(`wrk socket errors (${s.addr}): ${errs[1]}`);
  // busy: the server's CPU as a share of one core over the run. Near 100%,
  // CPU per request is just one over requests/s: the server used all the
  // time it had, on work or (netpoll) on spinning through the gaps.
  return {
    rps: Number(rps[1]),
    cpuPerReq: (cpu1 - cpu0) / Number(total[1]),
    busy: (cpu1 - cpu0) / wallMicros * 100,
  };
}

/**
 * Syscalls per request of the HTTP server under wrk -t1 -c64 for 2 s,
 * counted by `perf stat` on its syscall tracepoints (a run of its own: the
 * tracepoints slow every syscall, so no CPU is measured here).
 */
async function syscallsRun(s: Server): Promise<Cells> {
  const url = `http://${s.addr}/`;
  await runWrk(["-t1", "-c64", "-d1s", url], 20_000);
  const out = await Deno.makeTempFile({ prefix: "netpoll-bench-perf-" });
  const events = [...SYSCALL_EVENTS.all, ...SYSCALL_EVENTS.polls];
  const perf = new Proc(
    [
      "perf",
      "stat",
      "-x,",
      "-o",
      out,
      "-e",
      events.join(","),
      "-p",
      String(s.pid),
      "--",
      "sleep",
      "3",
    ],
    {},
  );
  try {
    const text = await runWrk(["-t1", "-c64", "-d2s", url], 20_000);
    const r = await perf.wait(20_000);
    if (!r.ok) throw new Error(`perf stat failed: ${perf.stderrTail}`);
    const total = /(\d+) requests in/.exec(text);
    if (!total || Number(total[1]) === 0) throw new Error(`wrk output: ${text}`);
    const counts = new Map<string, number>();
    for (const line of Deno.readTextFileSync(out).split("\n")) {
      const f = line.split(",");
      if (f.length > 2 && /^\d+$/.test(f[0])) counts.set(f[2], Number(f[0]));
    }
    const sum = (names: string[]) =>
      names.reduce((a, n) => {
        const c = counts.get(n);
        if (c === undefined) throw new Error(`perf stat: no count for ${n}`);
        return a + c;
      }, 0);
    const reqs = Number(total[1]);
    return {
      perReq: sum(SYSCALL_EVENTS.all) / reqs,
      pollsPerReq: sum(SYSCALL_EVENTS.polls) / reqs,
    };
  } finally {
    await perf.kill();
    await Deno.remove(out).catch(() => {});
  }
}

async function runWrk(a: string[], timeoutMs: number): Promise<string> {
  const p = new Proc(pin(1, ["wrk", ...a]), {});
  try {
    const r = await p.wait(timeoutMs);
    if (!r.ok) throw new Error(`wrk failed: ${p.stderrTail}`);
    return r.out;
  } finally {
    await p.kill();
  }
}

/** Sends "STAT\n" on a control connection; resolves the heapUsed line the server prints. */
async function stat(s: Server): Promise<number> {
  const [host, port] = [
    s.addr.slice(0, s.addr.lastIndexOf(":")),
    s.addr.slice(s.addr.lastIndexOf(":") + 1),
  ];
  const c = await Deno.connect({ hostname: host, port: Number(port) });
  try {
    await c.write(new TextEncoder().encode("STAT\n"));
    for (let i = 0; i < 10; i++) {
      const line = await s.proc.line(30_000);
      const m = /"heapUsed":(\d+)/.exec(line);
      if (m) return Number(m[1]);
    }
    throw new Error("no heapUsed line");
  } finally {
    c.close();
  }
}

async function idleRun(impl: Impl): Promise<Cells> {
  const need = conns + 256;
  const lim = nofile();
  let wrap: string[] = [];
  if (lim.soft < need) {
    if (lim.hard < need) {
      throw new Error(
        `RLIMIT_NOFILE too low: hard limit ${lim.hard} < ${need} needed for --conns ${conns}` +
          ` (raise the hard limit as root, e.g. prlimit --nofile=65536:65536 --pid ${Deno.pid},` +
          ` or pass a smaller --conns)`,
      );
    }
    wrap = havePrlimit
      ? ["prlimit", `--nofile=${need}:${lim.hard}`]
      : ["sh", "-c", `ulimit -n ${need} && exec "$@"`, "sh"];
  }
  const useGo = !goReady();
  const client = useGo
    ? [`${goDir}/client`, "idle", "", String(conns)]
    : denoRun(["-A"], "bench/clients/deno_client.ts", ["idle", "deno", "", String(conns)]);
  const d = defs[impl];
  if (!d.idle) throw new Missing("HTTP only");
  return await withServer(d.idle, d.env, async (s) => {
    const rss0 = rssBytes(s.pid);
    const heap0 = await stat(s);
    const cmd = pin(1, [...wrap, ...client]);
    cmd[cmd.indexOf("")] = s.addr;
    const p = new Proc(cmd, { stdin: true });
    try {
      const r = JSON.parse(await p.line(200_000));
      const rss1 = rssBytes(s.pid);
      const heap1 = await stat(s);
      const w = p.child.stdin.getWriter();
      await w.write(new TextEncoder().encode("\n")).catch(() => {});
      await w.close().catch(() => {});
      await p.wait(20_000);
      return {
        failures: r.failures,
        totalMs: r.totalMs,
        connectMs: r.connectMs,
        pingMs: r.pingMs,
        rssPerConnKiB: (rss1 - rss0) / 1024 / conns,
        heapPerConnKiB: (heap1 - heap0) / 1024 / conns,
      };
    } finally {
      await p.kill();
    }
  }, wrap);
}

async function runCell(w: Workload, impl: Impl): Promise<Cells> {
  const d = defs[impl];
  switch (w) {
    case "http":
    case "pipeline":
      if (!haveWrk) throw new Missing("wrk missing");
      return await withServer(d.http, d.env, (s) => wrkRun(s, w === "pipeline"));
    case "syscalls":
      if (!haveWrk) throw new Missing("wrk missing");
      if (!havePerfSyscalls) throw new Missing("no perf syscall tracepoints");
      return await withServer(d.http, d.env, syscallsRun);
    case "pingpong":
      return await withServer(echoOf(impl), d.env, async (s) => {
        const cpu0 = cpuMicros(s.pid);
        const r = await runClient(
          [...clientFor(impl)("pingpong", s.addr, String(pings)), String(warmupSecs)],
          120_000,
        );
        const all = pings + (r.warm ?? 0);
        return { p50: r.p50, p99: r.p99, cpuPerPing: (cpuMicros(s.pid) - cpu0) / all };
      });
    case "bulk":
      return await withServer(echoOf(impl), d.env, async (s) => {
        const r = await runClient(
          [...clientFor(impl)("bulk", s.addr, String(bulkBytes)), String(warmupSecs)],
          180_000,
        );
        return { mbps: r.mbps };
      });
    case "churn": {
      // One server and one client for both cells, after one warm-up (JIT
      // tiers take ~30,000 conns; see the usage above). The server listens on
      // 0.0.0.0 so that the warm-up and each cell reach it through a
      // destination of their own: a fresh server's port and 127.0.0.x.
      await twRoom(CHURN_WARM_ADDRS * CHURN_WARM_MAX + 2 * churnConns);
      const overflow0 = twOverflows();
      const r = await withServer(anyHost(echoOf(impl)), d.env, async (s) => {
        const port = s.addr.slice(s.addr.lastIndexOf(":") + 1);
        const warmAddrs = Array.from(
          { length: CHURN_WARM_ADDRS },
          (_, k) => `127.0.0.${2 + k}:${port}`,
        );
        return await runClient(
          [
            ...clientFor(impl)("churn", `127.0.0.1:${port}`, String(churnConns)),
            "4",
            String(warmupSecs),
            warmAddrs.join(","),
            `127.0.0.${2 + CHURN_WARM_ADDRS}:${port}`,
          ],
          150_000,
        );
      });
      if (r.errors) console.error(`churn ${impl}: ${r.errors} errors`);
      const overflows = twOverflows() - overflow0;
      if (overflows > 0) console.error(`churn ${impl}: ${overflows} TIME_WAIT overflows (kernel)`);
      return { connsPerSec: r.connsPerSec, seqConnsPerSec: r.seqConnsPerSec };
    }
    case "idle":
      return await idleRun(impl);
  }
}

class Missing extends Error {}

/** The most warm-up conns a churn client makes to one address (its own cap). */
const CHURN_WARM_MAX = 12_000;
/** The churn warm-up's addresses: up to 36,000 conns, past the JIT's tier-up. */
const CHURN_WARM_ADDRS = 3;

/** An echo server command listening on 0.0.0.0 instead of 127.0.0.1. */
function anyHost(cmd: string[]): string[] {
  if (cmd.at(-1) !== "0") throw new Error(`echo server without a port argument: ${cmd.join(" ")}`);
  return [...cmd.slice(0, -1), "0.0.0.0:0"];
}

/** A number from a /proc/sys file, or NaN. */
function procNumber(path: string): number {
  try {
    return Number(Deno.readTextFileSync(path).trim());
  } catch {
    return NaN;
  }
}

/** The kernel's TIME_WAIT sockets now (/proc/net/sockstat), or NaN. */
function twCount(): number {
  try {
    const m = /\btw (\d+)/.exec(Deno.readTextFileSync("/proc/net/sockstat"));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** TcpExt TCPTimeWaitOverflow from /proc/net/netstat: closes that found the table full. */
function twOverflows(): number {
  try {
    const lines = Deno.readTextFileSync("/proc/net/netstat").split("\n");
    for (let i = 0; i + 1 < lines.length; i++) {
      if (!lines[i].startsWith("TcpExt:")) continue;
      const k = lines[i].split(/\s+/).indexOf("TCPTimeWaitOverflow");
      return k < 0 ? 0 : Number(lines[i + 1].split(/\s+/)[k]);
    }
  } catch {
    // Not Linux, or no /proc.
  }
  return 0;
}

/**
 * Waits (at most 75 s) until `conns` more TIME_WAIT sockets fit under the
 * kernel's net.ipv4.tcp_max_tw_buckets. Past it a closing socket skips
 * TIME_WAIT (TCPTimeWaitOverflow), a different kernel path: without this
 * wait the early churn cells of a run measured one path and the late ones
 * the other (each cell leaves up to 22,000 TIME_WAIT sockets for 60 s).
 */
async function twRoom(conns: number): Promise<void> {
  const max = procNumber("/proc/sys/net/ipv4/tcp_max_tw_buckets");
  if (!(max > conns)) return;
  const end = performance.now() + 75_000;
  while (twCount() + conns > max && performance.now() < end) {
    await new Promise((r) => setTimeout(r, 500));
  }
}

// ---------------------------------------------------------------- metrics

interface Metric {
  key: string;
  workload: Workload;
  label: string;
  higherBetter: boolean;
  /** The SPEC bar for netpoll, if any: a check over the medians. */
  bar?: { text: string; ok: (m: (impl: Impl) => number | undefined) => boolean | undefined };
}
const ratio = (m: (i: Impl) => number | undefined, a: Impl, b: Impl) => {
  const x = m(a);
  const y = m(b);
  return x === undefined || y === undefined || y === 0 ? undefined : x / y;
};
const cmp = (x: number | undefined, f: (x: number) => boolean) =>
  x === undefined ? undefined : f(x);
const METRICS: Metric[] = [
  { key: "http.rps", workload: "http", label: "HTTP hello: req/s", higherBetter: true },
  {
    key: "http.cpuPerReq",
    workload: "http",
    label: "HTTP hello: server CPU µs/req",
    higherBetter: false,
    bar: {
      text: "≤ 0.83× deno, ≤ go",
      ok: (m) => {
        const a = cmp(ratio(m, "netpoll", "deno"), (r) => r <= 1 / 1.2);
        const b = cmp(ratio(m, "netpoll", "go"), (r) => r <= 1);
        return a === undefined ? undefined : a && b !== false;
      },
    },
  },
  {
    key: "pipeline.rps",
    workload: "pipeline",
    label: "HTTP ×16 pipelined: req/s",
    higherBetter: true,
  },
  {
    key: "pipeline.cpuPerReq",
    workload: "pipeline",
    label: "HTTP ×16 pipelined: server CPU µs/req",
    higherBetter: false,
    bar: { text: "≤ 0.8× deno", ok: (m) => cmp(ratio(m, "netpoll", "deno"), (r) => r <= 0.8) },
  },
  {
    key: "http.busy",
    workload: "http",
    label: "HTTP hello: server busy, % of a core",
    higherBetter: false,
  },
  {
    key: "pipeline.busy",
    workload: "pipeline",
    label: "HTTP ×16 pipelined: server busy, % of a core",
    higherBetter: false,
  },
  {
    key: "syscalls.perReq",
    workload: "syscalls",
    label: "HTTP hello: server syscalls/req",
    higherBetter: false,
  },
  {
    key: "syscalls.pollsPerReq",
    workload: "syscalls",
    label: "HTTP hello: server epoll waits/req",
    higherBetter: false,
  },
  {
    key: "pingpong.p50",
    workload: "pingpong",
    label: "ping-pong 32 B: p50 RTT µs",
    higherBetter: false,
    bar: { text: "≤ 0.5× deno", ok: (m) => cmp(ratio(m, "netpoll", "deno"), (r) => r <= 0.5) },
  },
  {
    key: "pingpong.p99",
    workload: "pingpong",
    label: "ping-pong 32 B: p99 RTT µs",
    higherBetter: false,
    bar: { text: "≤ 1.0× deno", ok: (m) => cmp(ratio(m, "netpoll", "deno"), (r) => r <= 1) },
  },
  {
    key: "pingpong.cpuPerPing",
    workload: "pingpong",
    label: "ping-pong 32 B: server CPU µs/ping",
    higherBetter: false,
  },
  {
    key: "bulk.mbps",
    workload: "bulk",
    label: "bulk echo: MB/s",
    higherBetter: true,
    bar: { text: "≥ 1.0× deno", ok: (m) => cmp(ratio(m, "netpoll", "deno"), (r) => r >= 1) },
  },
  {
    key: "churn.connsPerSec",
    workload: "churn",
    label: "connect/accept churn, 4 loops: conns/s",
    higherBetter: true,
    bar: { text: "≥ 1.5× deno", ok: (m) => cmp(ratio(m, "netpoll", "deno"), (r) => r >= 1.5) },
  },
  {
    key: "churn.seqConnsPerSec",
    workload: "churn",
    label: "connect/accept churn, 1 loop: conns/s",
    higherBetter: true,
    bar: { text: "≥ 1.5× deno", ok: (m) => cmp(ratio(m, "netpoll", "deno"), (r) => r >= 1.5) },
  },
  {
    key: "idle.failures",
    workload: "idle",
    label: "idle conns: failures",
    higherBetter: false,
    bar: { text: "0", ok: (m) => cmp(m("netpoll"), (x) => x === 0) },
  },
  {
    key: "idle.totalMs",
    workload: "idle",
    label: "idle conns: total ms (connect + ping)",
    higherBetter: false,
    bar: { text: "≤ 2× go", ok: (m) => cmp(ratio(m, "netpoll", "go"), (r) => r <= 2) },
  },
  { key: "idle.connectMs", workload: "idle", label: "idle conns: connect ms", higherBetter: false },
  { key: "idle.pingMs", workload: "idle", label: "idle conns: ping ms", higherBetter: false },
  {
    key: "idle.rssPerConnKiB",
    workload: "idle",
    label: "idle conns: server RSS KiB/conn",
    higherBetter: false,
    bar: { text: "≤ 10 KiB", ok: (m) => cmp(m("netpoll"), (x) => x <= 10) },
  },
  {
    key: "idle.heapPerConnKiB",
    workload: "idle",
    label: "idle conns: server heap KiB/conn",
    higherBetter: false,
  },
];

// ---------------------------------------------------------------- main

const samples: Record<Impl, Record<string, number[]>> = {} as Record<
  Impl,
  Record<string, number[]>
>;
// The same samples by round (index r - 1; absent where a cell failed), for per-round ratios.
const byRound: Record<Impl, Record<string, (number | null)[]>> = {} as Record<
  Impl,
  Record<string, (number | null)[]>
>;
const status: Record<Impl, Record<Workload, string>> = {} as Record<Impl, Record<Workload, string>>;
const errors: { round: number; workload: string; impl: string; error: string }[] = [];
// Per cell and round: the % of wall time the hypervisor stole from the
// server's core (0) and the load's core (1). Cells measured while it stole
// much are slower for a reason no implementation controls.
const steal: Record<string, [number, number][]> = {};
for (const i of impls) {
  samples[i] = {};
  byRound[i] = {};
  status[i] = {} as Record<Workload, string>;
}
const startedAt = new Date();

try {
  await buildGo();
  if (goError) console.error(goError);
  await buildC();
  if (cError) console.error(cError);
  const lim = nofile();
  console.error(
    `taskset=${taskset} wrk=${haveWrk} node=${haveNode} go=${goReady() ?? "yes"} cc=${
      ccReady() ?? "yes"
    } ` +
      `nofile=${lim.soft}/${lim.hard} clk_tck=${clkTck}`,
  );
  for (let r = 0; r < rounds; r++) {
    for (const w of workloads) {
      // Round-robin, starting one implementation later each round.
      for (let k = 0; k < impls.length; k++) {
        const impl = impls[(k + r) % impls.length];
        const why = defs[impl].available();
        if (why) {
          status[impl][w] = why;
          continue;
        }
        const t = performance.now();
        const st0 = stealTicks();
        try {
          const cells = await runCell(w, impl);
          const st1 = stealTicks();
          const wallTicks = (performance.now() - t) / 1000 * clkTck;
          const pct = (c: 0 | 1) => Math.round((st1[c] - st0[c]) / wallTicks * 1e4) / 100;
          const stolen: [number, number] = [pct(0), pct(1)];
          (steal[`${w}.${impl}`] ??= []).push(stolen);
          for (const [m, v] of Object.entries(cells)) {
            (samples[impl][`${w}.${m}`] ??= []).push(v);
            (byRound[impl][`${w}.${m}`] ??= new Array(rounds).fill(null))[r] = v;
          }
          status[impl][w] = "ok";
          console.error(
            `round ${r + 1}/${rounds} ${w} ${impl}: ${
              Object.entries(cells).map(([m, v]) => `${m}=${fmt(v)}`).join(" ")
            } (${((performance.now() - t) / 1000).toFixed(1)} s, steal ${
              stolen.map((x) => x.toFixed(1)).join("/")
            }%)`,
          );
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          if (err instanceof Missing) {
            status[impl][w] = msg;
            continue;
          }
          status[impl][w] ??= "error";
          errors.push({ round: r + 1, workload: w, impl, error: msg });
          console.error(`round ${r + 1} ${w} ${impl}: ERROR ${msg}`);
        }
      }
    }
  }
} finally {
  await killAll();
  Deno.removeSignalListener("SIGINT", onInterrupt);
  if (goDir) await Deno.remove(goDir, { recursive: true }).catch(() => {});
  if (cDir) await Deno.remove(cDir, { recursive: true }).catch(() => {});
}

/** The column and legend name of an impl. */
function implLabel(i: Impl): string {
  return i === "deno"
    ? "deno native"
    : i === "c"
    ? "C epoll floor"
    : i === "tuned"
    ? `netpoll ${tuned}`
    : i === "base"
    ? `netpoll @ ${baseDir}`
    : i;
}

function fmt(x: number): string {
  const a = Math.abs(x);
  return a >= 1000 ? x.toFixed(0) : a >= 100 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const medians: Record<Impl, Record<string, number>> = {} as Record<Impl, Record<string, number>>;
for (const i of impls) {
  medians[i] = {};
  for (const [k, xs] of Object.entries(samples[i])) if (xs.length) medians[i][k] = median(xs);
}

/**
 * netpoll / Deno native in each round where both cells succeeded: the rounds
 * are interleaved, so these show how far one run's median ratio can be
 * trusted on a noisy host.
 */
function roundRatios(key: string): number[] {
  const a = byRound.netpoll?.[key];
  const b = byRound.deno?.[key];
  if (!a || !b) return [];
  const out: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const x = a[r];
    const y = b[r];
    if (x !== null && y !== null && y !== 0) out.push(x / y);
  }
  return out;
}
const hasPair = impls.includes("netpoll") && impls.includes("deno") && rounds > 1;

// The table: one column per implementation, one ratio column vs Deno native per other impl.
const others = impls.filter((i) => i !== "deno");
const hasDeno = impls.includes("deno");
const header = [
  "metric",
  ...impls.map(implLabel),
  ...(hasDeno ? others.map((i) => `${i}/deno`) : []),
  ...(hasPair ? ["netpoll/deno by round"] : []),
  ...(impls.includes("netpoll") ? ["netpoll bar"] : []),
];
const lines = [
  `| ${header.join(" | ")} |`,
  `|${header.map(() => "---").join("|")}|`,
];
const shown = METRICS.filter((m) => workloads.includes(m.workload));
for (const m of shown) {
  const get = (i: Impl) => impls.includes(i) ? medians[i]?.[m.key] : undefined;
  const cell = (i: Impl) => {
    const v = get(i);
    if (v !== undefined) return fmt(v);
    const st = status[i][m.workload];
    return st && st !== "ok" ? st : "error";
  };
  const ratios = hasDeno
    ? others.map((i) => {
      const r = ratio(get, i, "deno");
      return r === undefined ? "" : `${r.toFixed(2)}×`;
    })
    : [];
  const row = [m.label, ...impls.map(cell), ...ratios];
  if (hasPair) {
    const rr = roundRatios(m.key);
    row.push(rr.length ? `${Math.min(...rr).toFixed(2)}–${Math.max(...rr).toFixed(2)}×` : "");
  }
  if (impls.includes("netpoll")) {
    const ok = m.bar?.ok(get);
    row.push(m.bar ? `${m.bar.text} ${ok === undefined ? "?" : ok ? "✓" : "✗"}` : "");
  }
  lines.push(`| ${row.join(" | ")} |`);
}
const lim = nofile();
const summary =
  `rounds=${rounds} duration=${duration}s conns=${conns} pings=${pings} bulk=${
    bulkBytes >> 20
  }MiB warmup=${warmupSecs}s ` +
  `churn=${churnConns} client=${clientKind} taskset=${
    taskset ? "server core 0, load core 1" : "no"
  } ` +
  `wrk=${haveWrk ? "yes" : "missing"} node=${haveNode ? "yes" : "missing"} ` +
  `go=${goReady() ?? "yes (GOMAXPROCS=1)"} cc=${ccReady() ?? "yes"}` +
  `${tuned ? ` tuned=${tuned}` : ""}${baseDir ? ` base=${baseDir}` : ""} ` +
  `nofile=${lim.soft}/${lim.hard}`;
console.log(summary);
console.log(lines.join("\n"));
{
  // The host's interference over the whole run, per core: what to read the
  // round-to-round spread against.
  const all = Object.values(steal).flat();
  if (all.length > 0) {
    const pct = (c: 0 | 1) => {
      const v = all.map((x) => x[c]).sort((a, b) => a - b);
      return `median ${v[v.length >> 1].toFixed(1)}%, max ${v[v.length - 1].toFixed(1)}%`;
    };
    console.log(
      `host steal per cell: server core ${pct(0)}; load core ${pct(1)} (/proc/stat)`,
    );
  }
}
if (errors.length) {
  console.log(`\n${errors.length} error(s):`);
  for (const e of errors) console.log(`- round ${e.round} ${e.workload} ${e.impl}: ${e.error}`);
}

// JSON results.
const versions = {
  deno: Deno.version.deno,
  v8: Deno.version.v8,
  node: haveNode ? await version(["node", "--version"]) : "missing",
  go: haveGo ? await version(["go", "version"]) : "missing",
  wrk: haveWrk ? (await version(["wrk", "-v"])).split("\n")[0] : "missing",
  cc: haveCc ? (await version(["cc", "--version"])).split("\n")[0] : "missing",
  kernel: Deno.osRelease(),
  cpus: navigator.hardwareConcurrency,
};
async function version(cmd: string[]): Promise<string> {
  try {
    const o = await new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    return (decoder.decode(o.stdout) + decoder.decode(o.stderr)).trim();
  } catch {
    return "missing";
  }
}
await Deno.mkdir(jsonOut.slice(0, jsonOut.lastIndexOf("/")) || ".", { recursive: true });
await Deno.writeTextFile(
  jsonOut,
  JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      options: {
        rounds,
        duration,
        conns,
        pings,
        bulkBytes,
        warmupSecs,
        churnConns,
        client: clientKind,
        workloads,
        impls,
        tuned,
        base: baseDir,
      },
      environment: { ...versions, taskset, nofile: lim },
      metrics: shown.map((m) => ({ key: m.key, label: m.label, higherBetter: m.higherBetter })),
      samples,
      byRound,
      roundRatios: Object.fromEntries(shown.map((m) => [m.key, roundRatios(m.key)])),
      medians,
      status,
      errors,
      stealPct: steal,
      table: lines.join("\n"),
    },
    null,
    2,
  ) + "\n",
);
console.log(`\nJSON: ${jsonOut}`);

// SVG chart: grouped bars per metric, Deno native = 1.0, log2 scale, taller = better.
// Busy shares explain the CPU cells; they are no score.
const chartMetrics = shown.filter((m) =>
  m.key !== "idle.failures" && !m.key.endsWith(".busy") && hasDeno &&
  (medians.deno?.[m.key] ?? 0) > 0
);
if (chartMetrics.length) {
  await Deno.mkdir(svgOut.slice(0, svgOut.lastIndexOf("/")) || ".", { recursive: true });
  await Deno.writeTextFile(svgOut, chart(chartMetrics));
  console.log(`SVG: ${svgOut}`);
}
// Keep the outputs in `deno fmt` style (bench/ is under `deno fmt --check`).
await new Deno.Command(Deno.execPath(), {
  args: ["fmt", "--quiet", jsonOut, ...(chartMetrics.length ? [svgOut] : [])],
  cwd: root,
  stdout: "null",
  stderr: "null",
}).output().catch(() => {});

function chart(ms: Metric[]): string {
  const colors: Record<Impl, string> = {
    netpoll: "#2a9d8f",
    deno: "#8d99ae",
    node: "#e9c46a",
    go: "#4895ef",
    c: "#6c757d",
    tuned: "#e76f51",
    base: "#a8dadc",
  };
  const score = (m: Metric, i: Impl) => {
    const v = medians[i]?.[m.key];
    const d = medians.deno[m.key];
    if (v === undefined || v <= 0) return undefined;
    return m.higherBetter ? v / d : d / v;
  };
  const all = ms.flatMap((m) => impls.map((i) => score(m, i))).filter((x) => x !== undefined);
  const lo = Math.min(-1, Math.floor(Math.log2(Math.min(...all as number[]))));
  const hi = Math.max(1, Math.ceil(Math.log2(Math.max(...all as number[]))));
  const groupW = 24 + impls.length * 22;
  const left = 60;
  const top = 70;
  const plotH = 300;
  const width = Math.max(760, left + ms.length * groupW + 190); // room for the slanted labels
  const height = top + plotH + 150;
  const y = (r: number) => top + plotH * (hi - Math.log2(r)) / (hi - lo);
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">@netpoll/net vs Deno native, ` +
      `Node, Go (GOMAXPROCS=1) and a C epoll floor: relative to Deno native = 1.0, ` +
      `higher is better</text>`,
    `<text x="${left}" y="38" fill="#555">log scale; lower-is-better metrics (CPU, RTT, ms, KiB) ` +
      `are inverted (Deno native ÷ impl). ${esc(startedAt.toISOString().slice(0, 10))}, ` +
      `${rounds} round(s), median; ${esc(Deno.osRelease())}</text>`,
  );
  // Legend.
  let lx = left;
  for (const i of impls) {
    out.push(
      `<rect x="${lx}" y="48" width="12" height="12" fill="${colors[i]}"/>`,
      `<text x="${lx + 16}" y="58">${esc(implLabel(i))}</text>`,
    );
    lx += Math.max(110, 16 + implLabel(i).length * 7 + 20);
  }
  // Grid lines at powers of two.
  for (let e = lo; e <= hi; e++) {
    const r = 2 ** e;
    const yy = y(r).toFixed(1);
    out.push(
      `<line x1="${left}" x2="${width - 190}" y1="${yy}" y2="${yy}" stroke="${
        e === 0 ? "#333" : "#ddd"
      }" stroke-width="${e === 0 ? 1.5 : 1}"/>`,
      `<text x="${left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${
        r >= 1 ? r : `1/${1 / r}`
      }×</text>`,
    );
  }
  ms.forEach((m, g) => {
    const gx = left + g * groupW + 12;
    impls.forEach((i, k) => {
      const s = score(m, i);
      const x = gx + k * 22;
      if (s === undefined) {
        out.push(`<text x="${x + 10}" y="${y(1) - 4}" text-anchor="middle" fill="#999">–</text>`);
        return;
      }
      const y0 = y(1);
      const y1 = y(s);
      const yTop = Math.min(y0, y1);
      const h = Math.max(1, Math.abs(y1 - y0));
      out.push(
        `<rect x="${x}" y="${yTop.toFixed(1)}" width="18" height="${h.toFixed(1)}" fill="${
          colors[i]
        }"><title>${esc(m.label)}: ${i} ${fmt(medians[i][m.key])} (${
          s.toFixed(2)
        }×)</title></rect>`,
        `<text x="${x + 9}" y="${(s >= 1 ? yTop - 3 : yTop + h + 10).toFixed(1)}" ` +
          `text-anchor="middle" font-size="9">${s.toFixed(s >= 10 ? 0 : s >= 1 ? 1 : 2)}</text>`,
      );
    });
    const lx = gx + (impls.length * 22) / 2;
    out.push(
      `<text transform="translate(${lx},${top + plotH + 12}) rotate(35)" font-size="10">${
        esc(m.label)
      }</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
