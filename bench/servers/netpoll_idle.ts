// The netpoll echo server for the idle-connections workload: every conn gets
// a 30 s read deadline (SetReadDeadline) and echoes until it closes. A conn
// whose first bytes are "STAT\n" makes the server print {"heapUsed":N} (after
// a GC when run with --v8-flags=--expose-gc) on stdout and on that conn.
// Usage: deno run --allow-ffi --allow-read --allow-net --v8-flags=--expose-gc bench/servers/netpoll_idle.ts [port]
import { type Conn, EOF, Is, Listen } from "../../mod.ts";
import { statLine } from "./stat.ts";

const port = Deno.args[0] ?? "0";
const STAT = new TextEncoder().encode("STAT\n");

async function serve(conn: Conn): Promise<void> {
  conn.SetReadDeadline(new Date(Date.now() + 30_000));
  const buf = new Uint8Array(4 << 10);
  let first = true;
  try {
    for (;;) {
      const n = await conn.Read(buf);
      if (first && n >= 5 && STAT.every((c, i) => buf[i] === c)) {
        await conn.Write(statLine());
        return;
      }
      first = false;
      await conn.Write(buf.subarray(0, n));
    }
  } catch (err) {
    if (!Is(err, EOF)) {
      // Deadline or reset: the conn is dropped, as Go's server would.
    }
  } finally {
    conn.Close();
  }
}

const ln = await Listen("tcp", `127.0.0.1:${port}`);
console.log(`listening on ${ln.Addr().String()}`);
for await (const conn of ln) serve(conn);
