// The same keep-alive "ok" responder as examples/http_hello.ts, on Deno.listen.
// Usage: deno run --allow-net bench/servers/deno_http.ts [port]
const port = Number(Deno.args[0] ?? "0");
const response = new TextEncoder().encode(
  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok",
);

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

async function serve(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(16 << 10);
  const state = { match: 0 };
  let batch = response;
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      const k = countRequests(buf, n, state);
      if (k === 0) continue;
      if (batch.length !== k * response.length) {
        batch = new Uint8Array(k * response.length);
        for (let i = 0; i < k; i++) batch.set(response, i * response.length);
      }
      let off = 0;
      while (off < batch.length) off += await conn.write(batch.subarray(off));
    }
  } catch {
    // Reset by the client.
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}

const ln = Deno.listen({ hostname: "127.0.0.1", port });
console.log(`listening on 127.0.0.1:${ln.addr.port}`);
for await (const conn of ln) serve(conn);
