// An echo server on Deno.listen, the native twin of examples/echo_server.ts.
// With "idle" as the second argument (the idle-connections workload) every
// conn gets a 30 s setTimeout that closes it (the nearest equivalent of a
// read deadline) and a 4 KiB buffer, and a conn whose first bytes are
// "STAT\n" makes the server print {"heapUsed":N} on stdout (see stat.ts).
// Usage: deno run --allow-net [--v8-flags=--expose-gc] bench/servers/deno_echo.ts [port] [idle]
import { statLine } from "./stat.ts";

const port = Number(Deno.args[0] ?? "0");
const idle = Deno.args[1] === "idle";
const STAT = new TextEncoder().encode("STAT\n");
const ln = Deno.listen({ hostname: "127.0.0.1", port });
console.log(`listening on 127.0.0.1:${ln.addr.port}`);
for await (const conn of ln) {
  (async () => {
    conn.setNoDelay(true);
    const timer = idle ? setTimeout(() => conn.close(), 30_000) : undefined;
    const buf = new Uint8Array(idle ? 4 << 10 : 64 << 10);
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
      try {
        conn.close();
      } catch {
        // Already closed by the timer.
      }
    }
  })();
}
