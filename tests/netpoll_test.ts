// The poller with an injected clock: deadlines expire when the clock says
// so, not when wall time passes.
import { assert, assertEquals } from "@std/assert";
import { AF_INET, SOCK_STREAM } from "../ffi/constants.ts";
import { FD, sysSocket } from "../src/poll/fd.ts";
import { ErrDeadlineExceeded } from "../src/poll/errors.ts";
import { Poller } from "../src/runtime/netpoll.ts";
import { Listen } from "../mod.ts";
import { bounded, sleep } from "./_util.ts";

class FakeClock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
}

Deno.test("an injected clock drives deadline expiry deterministically", () =>
  bounded(5000, async () => {
    const clock = new FakeClock();
    const poller = new Poller({ clock });
    const ln = await Listen("tcp", "127.0.0.1:0");
    const port = Number(ln.Addr().String().split(":").pop());
    const fd = new FD(sysSocket(AF_INET, SOCK_STREAM, 0), true, true, poller);
    const accepted = ln.Accept();
    try {
      fd.Connect({
        family: AF_INET,
        addr: new Uint8Array([127, 0, 0, 1]),
        port,
        scopeId: 0,
        path: "",
      });
      fd.Init();
      await fd.WaitWrite();
      // 100 ms ahead on the fake clock: wall time alone cannot expire it.
      fd.SetReadDeadline(new Date(Date.now() + 100));
      let outcome: unknown = "pending";
      const read = fd.Read(new Uint8Array(1)).then((n) => outcome = n, (e) => outcome = e);
      await sleep(250);
      assertEquals(outcome, "pending", "wall time must not fire a fake-clock deadline");
      assertEquals(poller.timers.size, 1);
      clock.t += 100;
      poller.wake();
      await read;
      assert(outcome === ErrDeadlineExceeded, `got ${outcome}`);
      assertEquals(poller.timers.size, 0);
      // Expired stays expired until cleared.
      assertEquals(await fd.Read(new Uint8Array(1)).catch((e) => e), ErrDeadlineExceeded);
    } finally {
      fd.Close();
      (await accepted).Close();
      ln.Close();
    }
  }));

Deno.test("yields resolve while the loop runs and after it stops, and leave nothing pending", () =>
  bounded(5000, async () => {
    const poller = new Poller({ yieldEveryMs: 0, spinMs: 1000, maxSpinMs: 1000 });
    const fd = new FD(sysSocket(AF_INET, SOCK_STREAM, 0), true, true, poller);
    fd.Init(); // a registered fd: the poller's epoll exists
    try {
      poller.parked(1); // the loop runs while anyone is parked
      while (poller.stats.yields === 0) await sleep(1);
      const before = poller.stats.yields;
      await Promise.all([poller.yield(), poller.yield()]);
      assert(poller.stats.yields >= before + 2);
      // A yield still out when the loop stops resolves all the same, and
      // the op sanitizer sees no thread-pool hop left behind.
      const y = poller.yield();
      poller.parked(-1);
      await y;
      await poller.idle();
    } finally {
      fd.Close();
    }
  }));
