// No fd leaks: dials, accepts, failed dials, deadlines and closes leave
// /proc/self/fd as it was.
import { assertEquals } from "@std/assert";
import { Dial, DialTimeout, Listen } from "../mod.ts";
import { assertNoNewFds, bounded, listFds, pair, sleep } from "./_util.ts";

Deno.test("a suite of dials, accepts, failed dials and closes leaks no fd", () =>
  bounded(20000, async () => {
    // Warm up: the poller's epoll fd and eventfd live for the process.
    const warm = await pair();
    warm.client.Close();
    warm.server.Close();
    warm.ln.Close();
    await sleep(10);
    const before = listFds();

    const ln = await Listen("tcp", "127.0.0.1:0");
    const addr = ln.Addr().String();
    for (let i = 0; i < 50; i++) {
      const [c, s] = await Promise.all([Dial("tcp", addr), ln.Accept()]);
      await c.Write(new Uint8Array([i]));
      await s.Read(new Uint8Array(1));
      if (i % 2 === 0) s.Close();
      c.Close();
      if (i % 2 === 1) s.Close();
    }
    // A parked Read closed under it, and a deadline that fires.
    const [c, s] = await Promise.all([Dial("tcp", addr), ln.Accept()]);
    const parked = c.Read(new Uint8Array(1)).catch(() => {});
    c.Close();
    await parked;
    s.SetReadDeadline(new Date(Date.now() + 10));
    await s.Read(new Uint8Array(1)).catch(() => {});
    s.Close();
    // A parked Accept closed under it.
    const ln2 = await Listen("tcp", "[::1]:0");
    const accept = ln2.Accept().catch(() => {});
    ln2.Close();
    await accept;
    // Listening on a port in use fails without leaking the new socket.
    await Listen("tcp", addr).then(() => {
      throw new Error("listen on a port in use succeeded");
    }, () => {});
    ln.Close();
    // Failed dials: refused, and bad input.
    for (let i = 0; i < 20; i++) {
      await Dial("tcp", addr).catch(() => {});
      await DialTimeout("tcp", addr, 100).catch(() => {});
    }
    await Dial("tcp", "127.0.0.1:70000").catch(() => {});
    await sleep(10);
    assertNoNewFds(before);
    assertEquals(listFds().length, before.length);
  }));
