// Dialer behaviour, ported from Go's net/dial_test.go. Dual-stack answers
// come from an injected Resolver, since localhost here is IPv4 only; a slow
// family is a real listener whose backlog-0 accept queue is full.
import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import {
  Dial,
  Dialer,
  DialTimeout,
  ErrDeadlineExceeded,
  type IPAddr,
  Is,
  Listen,
  ListenConfig,
  OpError,
  ParseIP,
  Resolver,
  TCPAddr,
  type TCPConn,
  type TCPListener,
} from "../mod.ts";
import { assertNoNewFds, bounded, listFds, sleep } from "./_util.ts";
import { slowListener } from "./_slow.ts";

/** A resolver that answers every name with fixed addresses, in order. */
class FakeResolver extends Resolver {
  constructor(readonly answers: string[]) {
    super();
  }
  override LookupIPAddr(_signal: AbortSignal | null, _host: string): Promise<IPAddr[]> {
    return Promise.resolve(this.answers.map((s) => ({ IP: ParseIP(s)!, Zone: "" })));
  }
}

type Behaviour = "fast" | "slow" | "refused";

/** A port with the given behaviour on [::1] and on 127.0.0.1; close() tears it down. */
async function dualStackPort(
  v6: Behaviour,
  v4: Behaviour,
): Promise<{ port: number; close: () => void }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const closers: (() => void)[] = [];
    try {
      const probe = await Listen("tcp6", "[::1]:0");
      const port = (probe.Addr() as TCPAddr).Port;
      probe.Close();
      for (const [host, b] of [["[::1]", v6], ["127.0.0.1", v4]] as const) {
        if (b === "fast") {
          const ln = await Listen(host === "[::1]" ? "tcp6" : "tcp4", `${host}:${port}`);
          // Accept and hold connections so the test can count them.
          const held: TCPConn[] = [];
          let closed = false;
          (async () => {
            try {
              for (;;) {
                const c = await ln.Accept() as TCPConn;
                // An Accept that finished as close() ran hands its conn
                // over a few microtasks later: close it here.
                if (closed) c.Close();
                else held.push(c);
              }
            } catch {
              // Closed.
            }
          })();
          closers.push(() => {
            closed = true;
            ln.Close();
            for (const c of held) c.Close();
          });
        } else if (b === "slow") {
          closers.push(await slowListener(host === "[::1]" ? "tcp6" : "tcp4", host, port));
        }
      }
      return { port, close: () => closers.forEach((c) => c()) };
    } catch {
      closers.forEach((c) => c());
    }
  }
  throw new Error("no free dual-stack port");
}

const fallbackDelay = 200;

// Go's TestDialParallel, over real sockets: which family wins, and when.
const dialParallelTests: {
  primary: Behaviour;
  fallback: Behaviour;
  primaryFamily: 4 | 6;
  win: 4 | 6 | null;
  elapsed: number;
}[] = [
  { primary: "fast", fallback: "fast", primaryFamily: 6, win: 6, elapsed: 0 },
  { primary: "fast", fallback: "slow", primaryFamily: 4, win: 4, elapsed: 0 },
  { primary: "slow", fallback: "fast", primaryFamily: 6, win: 4, elapsed: fallbackDelay },
  { primary: "slow", fallback: "fast", primaryFamily: 4, win: 6, elapsed: fallbackDelay },
  { primary: "refused", fallback: "fast", primaryFamily: 4, win: 6, elapsed: 0 },
  { primary: "refused", fallback: "fast", primaryFamily: 6, win: 4, elapsed: 0 },
  { primary: "fast", fallback: "refused", primaryFamily: 6, win: 6, elapsed: 0 },
  { primary: "refused", fallback: "refused", primaryFamily: 4, win: null, elapsed: 0 },
  { primary: "slow", fallback: "refused", primaryFamily: 6, win: null, elapsed: 1000 },
  { primary: "refused", fallback: "slow", primaryFamily: 4, win: null, elapsed: 1000 },
  { primary: "slow", fallback: "slow", primaryFamily: 6, win: null, elapsed: 1000 },
];

for (const tt of dialParallelTests) {
  const v6 = tt.primaryFamily === 6 ? tt.primary : tt.fallback;
  const v4 = tt.primaryFamily === 4 ? tt.primary : tt.fallback;
  Deno.test(
    `dialParallel: primary IPv${tt.primaryFamily} ${tt.primary}, fallback ${tt.fallback} → ${
      tt.win ? "IPv" + tt.win : "failure"
    } after ~${tt.elapsed} ms`,
    () =>
      bounded(10000, async () => {
        const before = listFds();
        const { port, close } = await dualStackPort(v6, v4);
        const answers = tt.primaryFamily === 6 ? ["::1", "127.0.0.1"] : ["127.0.0.1", "::1"];
        const d = new Dialer({
          Timeout: 1000,
          FallbackDelay: fallbackDelay,
          Resolver: new FakeResolver(answers),
        });
        const start = performance.now();
        try {
          if (tt.win === null) {
            const err = await assertRejects(() => d.Dial("tcp", `example.test:${port}`), OpError);
            // The primary's error is reported.
            const addr = err.Addr as TCPAddr;
            assertEquals(addr.IP!.To4() !== null ? 4 : 6, tt.primaryFamily, err.message);
            if (tt.primary === "refused") {
              assert(err.message.endsWith("connection refused"), err.message);
            } else assert(Is(err, ErrDeadlineExceeded), err.message);
          } else {
            const c = await d.Dial("tcp", `example.test:${port}`);
            const family = (c.RemoteAddr() as TCPAddr).IP!.To4() !== null ? 4 : 6;
            c.Close();
            assertEquals(family, tt.win);
          }
          const took = performance.now() - start;
          assert(
            took >= tt.elapsed - 20 && took < tt.elapsed + 150,
            `took ${took.toFixed(1)} ms, want ~${tt.elapsed} ms`,
          );
        } finally {
          close();
        }
        await sleep(20);
        assertNoNewFds(before);
      }),
  );
}

// Go's TestDialerFallbackDelay.
for (const delay of [-1, 0, 100]) {
  Deno.test(
    `FallbackDelay ${delay}: the fallback starts ${
      delay < 0 ? "never (serial)" : `after ${delay || 300} ms`
    } when the primary hangs`,
    () =>
      bounded(10000, async () => {
        const { port, close } = await dualStackPort("slow", "fast");
        const d = new Dialer({
          Timeout: 800,
          FallbackDelay: delay,
          Resolver: new FakeResolver(["::1", "127.0.0.1"]),
        });
        const start = performance.now();
        try {
          if (delay < 0) {
            // Serial: the first address takes the whole 800 ms (less than Go's
            // 2 s minimum per attempt), so the second never gets a turn.
            const err = await assertRejects(() => d.Dial("tcp", `x.test:${port}`), OpError);
            assert(Is(err, ErrDeadlineExceeded), err.message);
            const took = performance.now() - start;
            assert(took >= 780 && took < 1000, `took ${took}`);
          } else {
            const c = await d.Dial("tcp", `x.test:${port}`);
            const took = performance.now() - start;
            c.Close();
            const want = delay || 300;
            assert(took >= want - 20 && took < want + 150, `took ${took}, want ~${want}`);
          }
        } finally {
          close();
        }
      }),
  );
}

Deno.test("a refused primary starts the fallback at once", () =>
  bounded(5000, async () => {
    const { port, close } = await dualStackPort("refused", "fast");
    const d = new Dialer({ FallbackDelay: 1000, Resolver: new FakeResolver(["::1", "127.0.0.1"]) });
    const start = performance.now();
    try {
      const c = await d.Dial("tcp", `x.test:${port}`);
      c.Close();
      assert(performance.now() - start < 200);
    } finally {
      close();
    }
  }));

// Go's TestDialTimeout with a blackholed address.
Deno.test("DialTimeout to a blackholed address fails with i/o timeout near the timeout", () =>
  bounded(5000, async () => {
    const { port, close } = await dualStackPort("slow", "refused");
    const start = performance.now();
    try {
      const err = await assertRejects(() => DialTimeout("tcp", `[::1]:${port}`, 150), OpError);
      const took = performance.now() - start;
      assert(err.Timeout());
      assertEquals(err.message, `dial tcp [::1]:${port}: i/o timeout`);
      assert(took >= 140 && took < 400, `took ${took}`);
    } finally {
      close();
    }
  }));

Deno.test("DialContext with an already aborted signal fails at once with the reason", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp", "127.0.0.1:0");
    try {
      const reason = new Error("cancelled by caller");
      const ctl = new AbortController();
      ctl.abort(reason);
      const err = await assertRejects(
        () => new Dialer().DialContext(ctl.signal, "tcp", ln.Addr().String()),
        OpError,
      );
      assert(Is(err, reason), err.message);
    } finally {
      ln.Close();
    }
  }));

Deno.test("aborting DialContext during connect closes every socket and rejects with the reason", () =>
  bounded(5000, async () => {
    const before = listFds();
    const { port, close } = await dualStackPort("slow", "slow");
    const ctl = new AbortController();
    const reason = new Error("user gave up");
    const d = new Dialer({ FallbackDelay: 50, Resolver: new FakeResolver(["::1", "127.0.0.1"]) });
    try {
      const dial = d.DialContext(ctl.signal, "tcp", `x.test:${port}`);
      await sleep(120); // both racers are connecting
      const start = performance.now();
      ctl.abort(reason);
      const err = await assertRejects(() => dial, OpError);
      assert(performance.now() - start < 100);
      assert(Is(err, reason), err.message);
      assertEquals(err.Op, "dial");
    } finally {
      close();
    }
    await sleep(20);
    assertNoNewFds(before);
  }));

// Go's TestDialSerialAsyncSpuriousConnection: when the first connection
// wins, nothing the losing racer connects later is left open.
Deno.test("a losing racer's late connection is closed, not leaked", () =>
  bounded(5000, async () => {
    const before = listFds();
    const { port, close } = await dualStackPort("fast", "fast");
    try {
      for (let i = 0; i < 20; i++) {
        const d = new Dialer({
          FallbackDelay: 1,
          Resolver: new FakeResolver(["::1", "127.0.0.1"]),
        });
        const c = await d.Dial("tcp", `x.test:${port}`);
        c.Close();
      }
    } finally {
      close();
    }
    await sleep(50);
    assertNoNewFds(before);
  }));

// Go's TestDialerLocalAddr.
const localAddrTests: {
  network: string;
  raddr: string;
  laddr: string | null;
  error: string | null;
}[] = [
  { network: "tcp4", raddr: "127.0.0.1", laddr: null, error: null },
  { network: "tcp4", raddr: "127.0.0.1", laddr: "", error: null },
  { network: "tcp4", raddr: "127.0.0.1", laddr: "0.0.0.0", error: null },
  { network: "tcp4", raddr: "127.0.0.1", laddr: "127.0.0.1", error: null },
  { network: "tcp4", raddr: "127.0.0.1", laddr: "::1", error: "no suitable address found" },
  { network: "tcp6", raddr: "::1", laddr: "127.0.0.1", error: "no suitable address found" },
  { network: "tcp6", raddr: "::1", laddr: "::1", error: null },
  { network: "tcp", raddr: "127.0.0.1", laddr: "::", error: null },
  { network: "tcp", raddr: "::1", laddr: "::1", error: null },
];

for (const tt of localAddrTests) {
  Deno.test(`Dialer.LocalAddr ${JSON.stringify(tt.laddr)} dialing ${tt.network} ${tt.raddr}`, () =>
    bounded(5000, async () => {
      const ln = await Listen("tcp", ":0") as TCPListener;
      const port = (ln.Addr() as TCPAddr).Port;
      const laddr = tt.laddr === null
        ? null
        : new TCPAddr(tt.laddr === "" ? null : ParseIP(tt.laddr), 0);
      const accepted = ln.Accept().catch(() => null);
      try {
        const d = new Dialer({ LocalAddr: laddr });
        const target = tt.raddr.includes(":") ? `[${tt.raddr}]:${port}` : `${tt.raddr}:${port}`;
        if (tt.error !== null) {
          const err = await assertRejects(() => d.Dial(tt.network, target), OpError);
          assert(err.message.includes(tt.error), err.message);
          return;
        }
        const c = await d.Dial(tt.network, target);
        const local = c.LocalAddr() as TCPAddr;
        if (laddr?.IP && !laddr.IP.IsUnspecified()) {
          assert(local.IP!.Equal(laddr.IP), local.String());
        }
        c.Close();
      } finally {
        ln.Close();
        (await accepted)?.Close();
      }
    }));
}

Deno.test("Dialer.LocalAddr with a fixed port binds it", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp4", "127.0.0.1:0");
    const probe = await Listen("tcp4", "127.0.0.1:0");
    const lport = (probe.Addr() as TCPAddr).Port;
    probe.Close();
    try {
      const d = new Dialer({ LocalAddr: new TCPAddr(ParseIP("127.0.0.1"), lport) });
      const [c, s] = await Promise.all([d.Dial("tcp4", ln.Addr().String()), ln.Accept()]);
      assertEquals((c.LocalAddr() as TCPAddr).Port, lport);
      assertEquals((s.RemoteAddr() as TCPAddr).Port, lport);
      c.Close();
      s.Close();
    } finally {
      ln.Close();
    }
  }));

// Go's TestDialerKeepAlive: the period lands in TCP_KEEPIDLE; negative disables.
for (const [ka, wantOn, wantIdle] of [[0, 1, 15], [30_000, 1, 30], [-1, 0, null]] as const) {
  Deno.test(`Dialer.KeepAlive ${ka} sets SO_KEEPALIVE=${wantOn}${wantIdle ? ` idle ${wantIdle} s` : ""}`, () =>
    bounded(5000, async () => {
      const ln = await Listen("tcp4", "127.0.0.1:0");
      try {
        const [c, s] = await Promise.all([
          new Dialer({ KeepAlive: ka }).Dial("tcp4", ln.Addr().String()),
          ln.Accept(),
        ]);
        const pfd = (c as TCPConn).fd.pfd;
        assertEquals(
          pfd.GetsockoptInt(1, /* SOL_SOCKET */ 9 /* SO_KEEPALIVE */) !== 0 ? 1 : 0,
          wantOn,
        );
        if (wantIdle !== null) {
          assertEquals(pfd.GetsockoptInt(6, /* IPPROTO_TCP */ 4 /* TCP_KEEPIDLE */), wantIdle);
        }
        c.Close();
        s.Close();
      } finally {
        ln.Close();
      }
    }));
}

Deno.test("Dialer.Control and ListenConfig.Control get the network, address and raw fd", () =>
  bounded(5000, async () => {
    const calls: [string, string, number][] = [];
    const lc = new ListenConfig({ Control: (n, a, fd) => calls.push([n, a, fd]) });
    const ln = await lc.Listen(null, "tcp4", "127.0.0.1:0");
    assertEquals(calls.length, 1);
    assertEquals(calls[0][0], "tcp4");
    assertEquals(calls[0][1], "127.0.0.1:0");
    assert(calls[0][2] > 2);
    try {
      const d = new Dialer({ Control: (n, a, fd) => calls.push([n, a, fd]) });
      const [c, s] = await Promise.all([d.Dial("tcp", ln.Addr().String()), ln.Accept()]);
      assertEquals(calls[1][0], "tcp");
      assertEquals(calls[1][1], ln.Addr().String());
      c.Close();
      s.Close();
      // A Control error fails the dial and closes the socket.
      const bad = new Dialer({
        Control: () => {
          throw new Error("control says no");
        },
      });
      const err = await assertRejects(() => bad.Dial("tcp", ln.Addr().String()), OpError);
      assert(err.message.endsWith("control says no"), err.message);
    } finally {
      ln.Close();
    }
  }));

Deno.test("a Resolver subclass can answer for Dial", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp4", "127.0.0.1:0");
    try {
      const port = (ln.Addr() as TCPAddr).Port;
      const d = new Dialer({ Resolver: new FakeResolver(["127.0.0.1"]) });
      const [c, s] = await Promise.all([d.Dial("tcp", `anything.example:${port}`), ln.Accept()]);
      assertInstanceOf(c.RemoteAddr(), TCPAddr);
      assertEquals(c.RemoteAddr()!.String(), `127.0.0.1:${port}`);
      c.Close();
      s.Close();
    } finally {
      ln.Close();
    }
  }));

Deno.test("a negative Dialer.Timeout fails at once", () =>
  bounded(5000, async () => {
    const err = await assertRejects(
      () => new Dialer({ Timeout: -5 }).Dial("tcp", "127.0.0.1:9"),
      OpError,
    );
    assert(err.Timeout(), err.message);
  }));

// Go's dialSerial: the next address after a failure, the first error when
// all fail. On loopback a refusal comes inside connect(2), so the dial of
// each address completes without a wait: this runs the loop's synchronous
// path (#dialSerial continues in place rather than after a promise).
Deno.test("dialing in turn moves past an address refused at once, and reports the first error", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp4", "127.0.0.2:0");
    try {
      const port = (ln.Addr() as TCPAddr).Port;
      const refused = `127.0.0.3:${port}`;
      const d = new Dialer({ Resolver: new FakeResolver(["127.0.0.3", "127.0.0.2"]) });
      const [c, s] = await Promise.all([d.Dial("tcp", `two.example:${port}`), ln.Accept()]);
      assertEquals(c.RemoteAddr()!.String(), `127.0.0.2:${port}`);
      c.Close();
      s.Close();
      const both = new Dialer({ Resolver: new FakeResolver(["127.0.0.3", "127.0.0.4"]) });
      const err = await assertRejects(() => both.Dial("tcp", `none.example:${port}`), OpError);
      assertEquals(err.Addr?.String(), refused);
      assert(err.message.endsWith("connect: connection refused"), err.message);
    } finally {
      ln.Close();
    }
  }));

Deno.test("Dial answers with a promise even when it succeeds or fails without waiting", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp4", "127.0.0.1:0");
    const addr = ln.Addr().String();
    const port = (ln.Addr() as TCPAddr).Port;
    try {
      const d = new Dialer();
      const ok = d.Dial("tcp", addr);
      assertInstanceOf(ok, Promise);
      const [c, s] = await Promise.all([ok, ln.Accept()]);
      assertEquals(c.RemoteAddr()!.String(), addr);
      assertEquals(c.LocalAddr()!.String(), s.RemoteAddr()!.String());
      c.Close();
      s.Close();
      for (const bad of [`127.0.0.5:${port}`, "no-port", "127.0.0.1:99999"]) {
        const p = d.Dial("tcp", bad);
        assertInstanceOf(p, Promise);
        await assertRejects(() => p, OpError);
      }
    } finally {
      ln.Close();
    }
  }));

// Dial remembers the parse of a literal address (dialAddrListNow): the
// remembered TCPAddrs must not leak through errors, and a Resolver with its
// own LookupPort must still be asked.
Deno.test("a literal address dialed again is parsed the same, whatever callers do with errors", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp4", "127.0.0.1:0");
    const port = (ln.Addr() as TCPAddr).Port;
    try {
      const refused = `127.0.0.6:${port}`;
      for (let i = 0; i < 2; i++) {
        const err = await assertRejects(() => Dial("tcp", refused), OpError);
        assertEquals(err.Addr?.String(), refused);
        const a = err.Addr as TCPAddr;
        a.IP![3] = 9;
        a.Port = 1;
      }
      const named = new (class extends Resolver {
        override LookupPort(_s: AbortSignal | null, _n: string, service: string) {
          return Promise.resolve(service === "echo-here" ? port : Number(service));
        }
      })();
      for (const address of [`127.0.0.1:${port}`, "127.0.0.1:echo-here"]) {
        const [c, s] = await Promise.all([
          new Dialer({ Resolver: named }).Dial("tcp", address),
          ln.Accept(),
        ]);
        assertEquals(c.RemoteAddr()!.String(), `127.0.0.1:${port}`);
        c.Close();
        s.Close();
      }
      await assertRejects(() => Dial("tcp", "127.0.0.1:echo-here"), OpError, "unknown port");
    } finally {
      ln.Close();
    }
  }));
