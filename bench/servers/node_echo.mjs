// An echo server on node:net, the Node twin of examples/echo_server.ts.
// With "idle" as the second argument every conn gets a 30 s setTimeout that
// closes it (the nearest equivalent of a read deadline), and a conn whose
// first bytes are "STAT\n" makes the server print {"heapUsed":N} on stdout
// (after a GC when run with --expose-gc).
// Usage: node [--expose-gc] bench/servers/node_echo.mjs [port|host:port] [idle]
import net from "node:net";

const where = process.argv[2] ?? "0";
const colon = where.lastIndexOf(":");
const host = colon < 0 ? "127.0.0.1" : where.slice(0, colon);
const port = Number(where.slice(colon + 1));
const idle = process.argv[3] === "idle";

const server = net.createServer({ noDelay: true }, (sock) => {
  let timer;
  if (idle) {
    timer = setTimeout(() => sock.destroy(), 30_000);
    sock.on("close", () => clearTimeout(timer));
  }
  let first = true;
  sock.on("data", (b) => {
    if (first && idle && b.subarray(0, 5).toString() === "STAT\n") {
      globalThis.gc?.();
      const line = JSON.stringify({ heapUsed: process.memoryUsage().heapUsed }) + "\n";
      process.stdout.write(line);
      sock.end(line);
      return;
    }
    first = false;
    // Backpressure, as the awaited writes of the other servers.
    if (!sock.write(b)) {
      sock.pause();
      sock.once("drain", () => sock.resume());
    }
  });
  sock.on("error", () => sock.destroy());
});
server.listen(port, host, () => {
  console.log(`listening on ${host}:${server.address().port}`);
});
