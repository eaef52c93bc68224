// Shared helpers for the test suites.
import { Dial, Listen, type TCPConn, type TCPListener } from "../mod.ts";
import { defaultPoller } from "../src/runtime/netpoll.ts";

// Start the poller's epoll fd and eventfd, which live for the process, so
// that fd counts taken in tests do not see them appear.
{
  const ln = await Listen("tcp", "127.0.0.1:0");
  ln.Close();
}

/**
 * Runs fn, failing if it takes longer than ms (the timer is always
 * cleared), then waits for the poller to release its thread wait, as Go's
 * net tests wait for their goroutines before checking for leaks.
 */
export async function bounded<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`test exceeded ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
    // Bounded too: a failed test may leave a waiter parked.
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      defaultPoller.idle(),
      new Promise<void>((r) => idleTimer = setTimeout(r, 1000)),
    ]);
    clearTimeout(idleTimer);
  }
}

/** A loopback listener and a connected client/server pair. */
export async function pair(
  network = "tcp",
  host = "127.0.0.1",
): Promise<{ ln: TCPListener; client: TCPConn; server: TCPConn }> {
  const ln = await Listen(network, `${host}:0`) as TCPListener;
  const [client, server] = await Promise.all([
    Dial(network, ln.Addr().String()) as Promise<TCPConn>,
    ln.Accept() as Promise<TCPConn>,
  ]);
  return { ln, client, server };
}

/** Reads exactly b.length bytes. */
export async function readFull(c: { Read(b: Uint8Array): Promise<number> }, b: Uint8Array) {
  let n = 0;
  while (n < b.length) n += await c.Read(b.subarray(n));
  return n;
}

/**
 * Number of open file descriptors of this process, read from /proc/PID/fd
 * by a child process (Deno grants /proc/self only with --allow-all).
 */
/** The open fds of this process with what they point at ("7 -> socket:[123]"). */
export function listFds(): string[] {
  // ls fails for an fd that closes while it lists; what it printed still counts.
  const out = new Deno.Command("ls", { args: ["-l", `/proc/${Deno.pid}/fd`] }).outputSync();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.includes("->"))
    .map((l) => l.split(" ").slice(-3).join(" "))
    // Only what the library opens: the ls child's pipes and /dev/null come and go.
    .filter((l) => l.includes("socket:") || l.includes("anon_inode:"));
}

/** Fails when fds (sockets, epoll, eventfd) are open now that were not in before. */
export function assertNoNewFds(before: string[]): void {
  const leaked = listFds().filter((x) => !before.includes(x));
  if (leaked.length > 0) throw new Error(`fd leak: ${leaked.join(", ")}`);
}

/** Resolves after ms. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Echoes everything server reads until it is closed or fails (EOF, reset). */
export async function echoUntilClosed(
  server: { Read(b: Uint8Array): Promise<number>; Write(b: Uint8Array): Promise<number> },
  bufSize = 32,
): Promise<number> {
  const b = new Uint8Array(bufSize);
  let echoed = 0;
  try {
    for (;;) {
      const n = await server.Read(b);
      await server.Write(b.subarray(0, n));
      echoed += n;
    }
  } catch {
    // Closed at the end.
  }
  return echoed;
}

/** REQUIRE_PEERS=1 (as CI sets it): a missing peer (node, go) fails its test instead of skipping. */
export const requirePeers = Deno.env.get("REQUIRE_PEERS") === "1";

/** Whether cmd runs here and exits 0 with args. */
export function has(cmd: string, args: string[]): boolean {
  try {
    return new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

/** A server process started by {@linkcode spawnListening}. */
export interface Listening {
  child: Deno.ChildProcess;
  /** The address from its "listening on ADDR" line. */
  addr: string;
  /** Ends it (closes its stdin when that was piped, else kills it) and releases its pipes. */
  stop(): Promise<void>;
}

/**
 * Starts a server that prints "listening on ADDR" first (the examples, the
 * bench servers, the interop peers) and resolves once it has. With stdin
 * "piped" the server is expected to exit when its stdin closes: `go run`'s
 * binary outlives a kill of `go run`.
 */
export async function spawnListening(
  cmd: string,
  args: string[],
  stdin: "null" | "piped" = "null",
): Promise<Listening> {
  const child = new Deno.Command(cmd, { args, stdin, stdout: "piped", stderr: "inherit" }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stop = async () => {
    try {
      if (stdin === "piped") await child.stdin.close();
      else child.kill();
    } catch {
      // It has exited already.
    }
    await reader.cancel();
    await child.status;
  };
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) {
      await stop();
      throw new Error(`${cmd} ${args.join(" ")} exited before listening`);
    }
    line += value;
  }
  const m = /listening on (\S+)/.exec(line);
  if (m === null) {
    await stop();
    throw new Error(`${cmd}: no address in ${JSON.stringify(line)}`);
  }
  return { child, addr: m[1], stop };
}

/** The poller knobs these tests set. */
export type Knobs = Partial<
  Pick<typeof defaultPoller, "blockActive" | "spinMs" | "maxSpinMs" | "coalesceUs">
>;

/** Runs fn with knobs set on the default poller, then restores them and waits for it to idle. */
export async function withKnobs(knobs: Knobs, fn: () => Promise<void>): Promise<void> {
  const { blockActive, spinMs, maxSpinMs, coalesceUs } = defaultPoller;
  Object.assign(defaultPoller, knobs);
  try {
    await fn();
  } finally {
    Object.assign(defaultPoller, { blockActive, spinMs, maxSpinMs, coalesceUs });
    await defaultPoller.idle();
  }
}
