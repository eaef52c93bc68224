// The seed's echo server: every conn gets its bytes back until it closes.
// Usage: deno run --allow-ffi --allow-read --allow-net examples/echo_server.ts [port|host:port]
import { EOF, Is, Listen } from "../mod.ts";

const port = Deno.args[0] ?? "0";
// "tcp4": as in Go, "tcp" on 0.0.0.0 would listen on a dual-stack IPv6 socket.
const ln = await Listen("tcp4", port.includes(":") ? port : `127.0.0.1:${port}`);
console.log(`listening on ${ln.Addr().String()}`);

// Buffers are reused across connections: in Deno every new typed array is
// a zeroed allocation outside V8's heap (microseconds for 64 KiB), which
// under connection churn costs more than the socket work itself.
const pool: Uint8Array[] = [];

for await (const conn of ln) {
  (async () => {
    const buf = pool.pop() ?? new Uint8Array(64 << 10);
    try {
      for (;;) {
        const n = await conn.Read(buf);
        await conn.Write(buf.subarray(0, n));
      }
    } catch (err) {
      if (!Is(err, EOF)) console.error(`${conn.RemoteAddr()?.String()}: ${err}`);
    } finally {
      conn.Close();
      if (pool.length < 256) pool.push(buf);
    }
  })();
}
