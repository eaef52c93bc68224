// Interop with real peers: Deno's own sockets always; Node and Go when
// present (REQUIRE_PEERS=1 makes a missing peer a failure, as CI sets it).
import { assert, assertEquals } from "@std/assert";
import { DialTimeout, EOF, Is, Listen } from "../mod.ts";
import { bounded, has, readFull, requirePeers, spawnListening } from "./_util.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

Deno.test("a netpoll server talks to a Deno.connect client", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp", "127.0.0.1:0");
    const port = Number(ln.Addr().String().split(":").pop());
    const server = (async () => {
      const c = await ln.Accept();
      const buf = new Uint8Array(1024);
      try {
        for (;;) {
          const n = await c.Read(buf);
          await c.Write(buf.subarray(0, n));
        }
      } catch (err) {
        assert(Is(err, EOF), String(err));
      } finally {
        c.Close();
      }
    })();
    const dc = await Deno.connect({ hostname: "127.0.0.1", port });
    for (const msg of ["from deno", "x".repeat(1000)]) {
      await dc.write(enc.encode(msg));
      const got = new Uint8Array(msg.length);
      let n = 0;
      while (n < got.length) n += (await dc.read(got.subarray(n)))!;
      assertEquals(dec.decode(got), msg);
    }
    await dc.closeWrite();
    await server;
    assertEquals(await dc.read(new Uint8Array(1)), null);
    dc.close();
    ln.Close();
  }));

Deno.test("a netpoll client talks to a Deno.listen server", () =>
  bounded(5000, async () => {
    const dl = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const server = (async () => {
      const c = await dl.accept();
      const buf = new Uint8Array(1024);
      for (;;) {
        const n = await c.read(buf);
        if (n === null) break;
        await c.write(buf.subarray(0, n));
      }
      c.close();
    })();
    const c = await DialTimeout("tcp", `127.0.0.1:${dl.addr.port}`, 1000);
    for (const msg of ["from netpoll", "y".repeat(5000)]) {
      await c.Write(enc.encode(msg));
      const got = new Uint8Array(msg.length);
      await readFull(c, got);
      assertEquals(dec.decode(got), msg);
    }
    (c as unknown as { CloseWrite(): void }).CloseWrite();
    await server;
    let eof: unknown = null;
    try {
      await c.Read(new Uint8Array(1));
    } catch (err) {
      eof = err;
    }
    assert(eof === EOF);
    c.Close();
    dl.close();
  }));

const peers: { name: string; cmd: string; args: string[]; check: string[] }[] = [
  { name: "Node node:net", cmd: "node", args: ["tests/peers/echo_node.mjs"], check: ["--version"] },
  { name: "Go net", cmd: "go", args: ["run", "tests/peers/echo.go"], check: ["version"] },
];

for (const peer of peers) {
  const present = has(peer.cmd, peer.check);
  Deno.test({
    name: `a netpoll client talks to a ${peer.name} echo server`,
    ignore: !present && !requirePeers,
    fn: () =>
      bounded(120000, async () => {
        assert(present, `${peer.cmd} is required (REQUIRE_PEERS=1) but missing`);
        const srv = await spawnListening(peer.cmd, peer.args, "piped");
        try {
          const c = await DialTimeout("tcp", srv.addr, 2000);
          const msg = enc.encode(`hello ${peer.name} `.repeat(1000));
          await c.Write(msg);
          const got = new Uint8Array(msg.length);
          await readFull(c, got);
          assertEquals(got, msg);
          c.Close();
        } finally {
          await srv.stop();
        }
      }),
  });
}
