// A minimal keep-alive HTTP/1.1 "ok" responder on raw TCPConn: the wrk
// benchmark target. Pipelined requests in one read get their responses in
// one write.
// Usage: deno run --allow-ffi --allow-read --allow-net examples/http_hello.ts [port]
import { type Conn, Listen } from "../mod.ts";

const port = Deno.args[0] ?? "0";
const response = new TextEncoder().encode(
  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok",
);

/** Counts complete requests ("\r\n\r\n") in b, carrying a partial tail in state. */
function countRequests(b: Uint8Array, n: number, state: { match: number }): number {
  let count = 0;
  let m = state.match;
  let i = 0;
  while (i < n) {
    // A "\r\n\r\n" starting anywhere in [i, i+3] covers b[i+3]: with no
    // match under way, a byte there above '\r' rules all four starts out.
    // Headers are mostly such bytes, so this reads ~1 in 4 of them.
    if (m === 0) {
      while (i + 3 < n && b[i + 3] > 13) i += 4;
      if (i === n) break;
    }
    const c = b[i++];
    if (c === (m & 1 ? 10 : 13)) {
      if (++m === 4) {
        count++;
        m = 0;
      }
    } else {
      m = c === 13 ? 1 : 0;
    }
  }
  state.match = m;
  return count;
}

async function serve(conn: Conn): Promise<void> {
  const buf = new Uint8Array(16 << 10);
  const state = { match: 0 };
  let batch = response;
  try {
    for (;;) {
      const n = await conn.Read(buf);
      const k = countRequests(buf, n, state);
      if (k === 0) continue;
      if (batch.length !== k * response.length) {
        batch = new Uint8Array(k * response.length);
        for (let i = 0; i < k; i++) batch.set(response, i * response.length);
      }
      await conn.Write(batch);
    }
  } catch {
    // EOF or reset: the client went away.
  } finally {
    conn.Close();
  }
}

const ln = await Listen("tcp", `127.0.0.1:${port}`);
console.log(`listening on ${ln.Addr().String()}`);
for await (const conn of ln) serve(conn);
