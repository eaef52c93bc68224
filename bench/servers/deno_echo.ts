// An echo server on Deno.listen, the native twin of examples/echo_server.ts.
// With "idle" as the second argument (the idle-connections workload) every
// conn gets a 30 s setTimeout that closes it (the nearest equivalent of a
// read deadline) and a 4 KiB buffer, and a conn whose first bytes are
// "STAT\n" makes the server print {"heapUsed":N} on stdout (see stat.ts).
// Usage: deno run --allow-net [--v8-flags=--expose-gc] bench/servers/deno_echo.ts [port|host:port] [idle]
import { statLine } from "./stat.ts";

const where = Deno.args[0] ?? "0";
const colon = where.lastIndexOf(":");
const hostname = colon < 0 ? "127.0.0.1" : where.slice(0, colon);
const port = Number(where.slice(colon + 1));
const idle = Deno.args[1] === "idle";
const STAT = new TextEncoder().encode("STAT\n");
// 64 KiB buffers are reused across conns, as in examples/echo_server.ts: in
// Deno each new typed array is a zeroed allocation outside V8's heap, which
// under connect/accept churn would cost more than the socket work.
const pool: Uint8Array[] = [];
const ln = Deno.listen({ hostname, port });
console.log(`listening on ${hostname}:${ln.addr.port}`);
for await (const conn of ln) {
  (async () => {
    conn.setNoDelay(true);
    const timer = idle ? setTimeout(() => conn.close(), 30_000) : undefined;
    const buf = idle ? new Uint8Array(4 << 10) : pool.pop() ?? new Uint8Array(64 << 10);
    let first = idle;
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        if (first && n >= 5 && STAT.every((c, i) => buf[i] === c)) {
          await conn.write(statLine());
          break;
        }
        first = false;
        let off = 0;
        while (off < n) off += await conn.write(buf.subarray(off, n));
      }
    } catch {
      // Reset by the client, or closed by the timer.
    } finally {
      clearTimeout(timer);
      if (!idle && pool.length < 256) pool.push(buf);
      try {
        conn.close();
      } catch {
        // Already closed by the timer.
      }
    }
  })();
}
