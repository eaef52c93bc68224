// A TCP proxy: every accepted conn is dialed through to the upstream and
// bytes are moved both ways with TCPConn.ReadFrom, which splices socket to
// socket in the kernel (no copy through JS). --copy moves bytes through a
// JS buffer instead, for comparison.
// Usage: deno run --allow-ffi --allow-read --allow-net examples/tcp_proxy.ts PORT UPSTREAM_HOST:PORT [--copy]
import { Dial, Listen, type TCPConn } from "../mod.ts";

const [port, upstream] = Deno.args;
const copyMode = Deno.args.includes("--copy");
if (!port || !upstream) {
  console.error("usage: tcp_proxy.ts PORT UPSTREAM_HOST:PORT [--copy]");
  Deno.exit(2);
}

/** Moves src → dst until EOF, then half-closes dst so the other side sees EOF. */
async function pipe(dst: TCPConn, src: TCPConn): Promise<void> {
  try {
    if (copyMode) {
      await dst.ReadFrom({ Read: (b: Uint8Array) => src.Read(b) });
    } else {
      await dst.ReadFrom(src);
    }
    dst.CloseWrite();
  } catch {
    // A reset on either side ends this direction.
  }
}

const ln = await Listen("tcp", `127.0.0.1:${port}`);
console.log(`listening on ${ln.Addr().String()} -> ${upstream} (${copyMode ? "copy" : "splice"})`);
for await (const client of ln) {
  (async () => {
    let up: TCPConn;
    try {
      up = await Dial("tcp", upstream) as TCPConn;
    } catch (err) {
      console.error(`dial ${upstream}: ${(err as Error).message}`);
      client.Close();
      return;
    }
    await Promise.all([pipe(up, client as TCPConn), pipe(client as TCPConn, up)]);
    client.Close();
    up.Close();
  })();
}
