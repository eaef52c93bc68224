// The same keep-alive "ok" responder as examples/http_hello.ts, on node:net.
// Usage: node bench/servers/node_http.mjs [port]
import net from "node:net";

const port = Number(process.argv[2] ?? "0");
const response = Buffer.from(
  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok",
);

/** Counts complete requests ("\r\n\r\n") in b, carrying a partial tail in state. */
function countRequests(b, state) {
  let count = 0;
  let m = state.match;
  let i = 0;
  const n = b.length;
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

const server = net.createServer({ noDelay: true }, (sock) => {
  const state = { match: 0 };
  let batch = response;
  sock.on("data", (b) => {
    const k = countRequests(b, state);
    if (k === 0) return;
    if (batch.length !== k * response.length) {
      batch = Buffer.alloc(k * response.length);
      for (let i = 0; i < k; i++) response.copy(batch, i * response.length);
    }
    sock.write(batch);
  });
  sock.on("error", () => sock.destroy());
});
server.listen(port, "127.0.0.1", () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
