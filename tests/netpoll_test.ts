// The poller: deadlines driven by an injected clock, yields, and the waits
// in the kernel (epoll_pwait2) that replace the spin under many busy conns.
import { assert, assertEquals } from "@std/assert";
import { AF_INET, EPOLL_CLOEXEC, O_CLOEXEC, O_RDONLY, SOCK_STREAM } from "../ffi/constants.ts";
import { ENOSYS } from "../ffi/errno.ts";
import * as libc from "../ffi/libc.ts";
import { FD, sysSocket } from "../src/poll/fd.ts";
import { ErrDeadlineExceeded } from "../src/poll/errors.ts";
import { Poller } from "../src/runtime/netpoll.ts";
import { type Conn, defaultPoller, Dial, Listen, OpError } from "../mod.ts";
import { bounded, echoUntilClosed, readFull, sleep, withKnobs } from "./_util.ts";

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

Deno.test("yields resolve while the loop runs and after it stops, are shared, and leave nothing pending", () =>
  bounded(5000, async () => {
    const poller = new Poller({ yieldEveryMs: 0, spinMs: 1000, maxSpinMs: 1000 });
    const fd = new FD(sysSocket(AF_INET, SOCK_STREAM, 0), true, true, poller);
    fd.Init(); // an open fd: the poller's epoll exists
    try {
      poller.parked(1); // the loop runs while anyone is parked
      while (poller.stats.yields === 0) await sleep(1);
      // Callers while a yield is under way share it: one turn, not one each.
      const before = poller.stats.yields;
      const a = poller.yield();
      assert(poller.yield() === a);
      await a;
      assert(poller.stats.yields >= before + 1);
      const b = poller.yield();
      assert(b !== a);
      await b;
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

Deno.test("epoll_pwait2 waits on this thread up to its nanosecond timeout", () => {
  const epfd = libc.epollCreate1(EPOLL_CLOEXEC);
  assert(epfd >= 0);
  try {
    const buf = new Uint8Array(12 * 4);
    const t = performance.now();
    const r = libc.epollPwait2(epfd, buf, 4, 5e6);
    const ms = performance.now() - t;
    if (!libc.haveEpollPwait2) {
      // Without it in libc the call reports ENOSYS and the poller keeps polling.
      assertEquals(r, -ENOSYS.errno);
      return;
    }
    assertEquals(r, 0);
    assert(ms >= 4.5 && ms < 200, `waited ${ms} ms for 5 ms`);
  } finally {
    libc.close(epfd);
  }
});

// An accept loop draining a backlog runs in microtask turns between polls
// while every waiter is parked again: those polls find nothing, but a wait
// in the kernel there (a 100 µs sleep with coalesceUs) held the loop up at
// each accept: a server with many conns fell behind a Go client's
// connects until the backlog overflowed and SYNs were dropped.
Deno.test("a backlog is drained without waits in the kernel between its accepts", () =>
  bounded(
    15000,
    () =>
      withKnobs({ blockActive: 4, coalesceUs: 100, spinMs: 50, maxSpinMs: 50 }, async () => {
        const ln = await Listen("tcp", "127.0.0.1:0");
        const port = Number(ln.Addr().String().split(":")[1]);
        const natives: Deno.Conn[] = [];
        const conns: Conn[] = [];
        try {
          // Deno's own sockets fill the backlog: they do not go through the poller.
          const total = 400;
          for (let i = 0; i < total; i++) {
            natives.push(await Deno.connect({ hostname: "127.0.0.1", port }));
          }
          const blocks0 = defaultPoller.stats.blocks;
          const t = performance.now();
          for (let i = 0; i < total; i++) {
            const c = await ln.Accept();
            conns.push(c);
            // Each accepted conn parks a read, as a server's handler would,
            // and the loop takes a few turns to come back to Accept (an async
            // iterator's and a handler's setup).
            c.Read(new Uint8Array(1)).catch(() => {});
            for (let k = 0; k < 8; k++) await null;
          }
          const ms = performance.now() - t;
          const blocks = defaultPoller.stats.blocks - blocks0;
          assert(
            blocks < total / 10,
            `${blocks} kernel waits while accepting ${total} conns (${ms} ms)`,
          );
        } finally {
          for (const c of conns) c.Close();
          for (const c of natives) c.close();
          ln.Close();
        }
      }),
  ));

// coalesceUs > 0: the kernel wait is a fixed sleep, then a poll.
for (const coalesceUs of [0, 100]) {
  Deno.test(`with many active conns the spin waits in the kernel (coalesceUs ${coalesceUs}), and echoes and deadlines still work`, () =>
    // A window longer than an in-process batch takes to run, so that the
    // poller is still spinning when the traffic pauses.
    bounded(
      15000,
      () =>
        withKnobs({ blockActive: 4, coalesceUs, spinMs: 5, maxSpinMs: 5 }, async () => {
          const ln = await Listen("tcp", "127.0.0.1:0");
          const conns: Conn[] = [];
          try {
            const served = (async () => {
              for (let i = 0; i < 17; i++) {
                const c = await ln.Accept();
                conns.push(c);
                echoUntilClosed(c).catch(() => {});
              }
            })();
            const clients = await Promise.all(
              Array.from({ length: 17 }, () => Dial("tcp", ln.Addr().String())),
            );
            conns.push(...clients);
            await served;
            const blocks0 = defaultPoller.stats.blocks;
            // One conn idles with a read deadline while 16 echo, pausing now and then.
            const idle = clients[16];
            idle.SetReadDeadline(new Date(Date.now() + 100));
            const t = performance.now();
            const timedOut = idle.Read(new Uint8Array(1)).then(() => -1, (e) => {
              assert(e instanceof OpError && e.Timeout(), `got ${e}`);
              return performance.now() - t;
            });
            await Promise.all(
              clients.slice(0, 16).map(async (c, k) => {
                const msg = new Uint8Array(64).fill(k);
                const got = new Uint8Array(64);
                for (let i = 0; i < 30; i++) {
                  msg[0] = i;
                  await c.Write(msg);
                  await readFull(c, got);
                  assertEquals(got, msg);
                  // A gap with every conn parked: the spin's empty polls, which
                  // the kernel waits replace.
                  if (i % 3 === 0) await sleep(1);
                }
              }),
            );
            const late = await timedOut;
            assert(late >= 95 && late < 400, `deadline fired after ${late} ms`);
            // The sleep (coalesceUs > 0) needs no epoll_pwait2.
            if (coalesceUs > 0 || libc.haveEpollPwait2) {
              assert(
                defaultPoller.stats.blocks > blocks0,
                `no kernel waits with 16 active conns: ${JSON.stringify(defaultPoller.stats)}`,
              );
            }
          } finally {
            for (const c of conns) c.Close();
            ln.Close();
          }
        }),
    ));
}

// An fd joins epoll at its first wait: an fd epoll refuses (a regular file:
// EPERM) fails that wait with the errno, and closes as any other.
Deno.test("a wait on an fd that epoll refuses fails with the errno of EPOLL_CTL_ADD", () =>
  bounded(5000, async () => {
    const path = await Deno.makeTempFile();
    const poller = new Poller();
    try {
      const sysfd = libc.open(path, O_RDONLY | O_CLOEXEC, 0);
      assert(sysfd >= 0, `open: ${sysfd}`);
      const fd = new FD(sysfd, true, true, poller);
      fd.Init();
      try {
        const err = await fd.waitRead().then(() => null, (e) => e);
        assertEquals(err?.message, "operation not permitted");
        assertEquals(fd.registered, false);
      } finally {
        fd.Close();
      }
      await poller.idle();
    } finally {
      await Deno.remove(path);
    }
  }));
