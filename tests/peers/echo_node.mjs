// An echo server for interop tests: prints "listening on ADDR", exits when stdin closes.
import net from "node:net";
const srv = net.createServer((c) => c.pipe(c));
srv.listen(0, "127.0.0.1", () => {
  const a = srv.address();
  console.log(`listening on ${a.address}:${a.port}`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
