// TCP end to end over loopback, ported from Go's net_test.go and tcpsock_test.go.
import { assert, assertEquals, assertInstanceOf, assertRejects, assertThrows } from "@std/assert";
import {
  Dial,
  Dialer,
  EOF,
  ErrClosed,
  Is,
  Listen,
  OpError,
  ResolveTCPAddr,
  SyscallError,
  TCPAddr,
  type TCPConn,
  type TCPListener,
} from "../mod.ts";
import { bounded, pair, readFull, sleep } from "./_util.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

for (const [network, host] of [["tcp", "127.0.0.1"], ["tcp4", "127.0.0.1"], ["tcp6", "[::1]"]]) {
  Deno.test(`echo round trips over ${network} ${host}`, () =>
    bounded(5000, async () => {
      const { ln, client, server } = await pair(network, host);
      try {
        const echo = (async () => {
          const buf = new Uint8Array(64);
          for (;;) {
            let n: number;
            try {
              n = await server.Read(buf);
            } catch (err) {
              assert(Is(err, EOF), `server read: ${err}`);
              return;
            }
            await server.Write(buf.subarray(0, n));
          }
        })();
        for (const msg of ["hello", "netpoll", "x".repeat(64)]) {
          await client.Write(enc.encode(msg));
          const got = new Uint8Array(msg.length);
          await readFull(client, got);
          assertEquals(dec.decode(got), msg);
        }
        client.CloseWrite();
        await echo;
        assertEquals(client.LocalAddr()!.String(), server.RemoteAddr()!.String());
        assertEquals(client.RemoteAddr()!.String(), server.LocalAddr()!.String());
        assertEquals(client.RemoteAddr()!.String(), ln.Addr().String());
      } finally {
        client.Close();
        server.Close();
        ln.Close();
      }
    }));
}

Deno.test("an 8 MiB transfer both ways at once arrives intact", () =>
  bounded(20000, async () => {
    const { ln, client, server } = await pair();
    const size = 8 << 20;
    const pattern = (seed: number) => {
      const b = new Uint8Array(size);
      for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
      return b;
    };
    const a = pattern(1);
    const b = pattern(7);
    const sink = async (c: TCPConn, want: Uint8Array) => {
      const got = new Uint8Array(size);
      await readFull(c, got);
      for (let i = 0; i < size; i++) {
        if (got[i] !== want[i]) throw new Error(`byte ${i}: ${got[i]} != ${want[i]}`);
      }
    };
    try {
      await Promise.all([
        client.Write(a).then((n) => assertEquals(n, size)),
        server.Write(b).then((n) => assertEquals(n, size)),
        sink(server, a),
        sink(client, b),
      ]);
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

Deno.test("Read rejects with EOF after the peer closes", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    await server.Write(enc.encode("bye"));
    server.Close();
    const buf = new Uint8Array(8);
    assertEquals(await client.Read(buf), 3);
    const err = await assertRejects(() => client.Read(buf));
    assert(err === EOF, `want EOF, got ${err}`);
    client.Close();
    ln.Close();
  }));

Deno.test("a zero-length Read resolves 0 at once", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    assertEquals(await client.Read(new Uint8Array(0)), 0);
    client.Close();
    server.Close();
    ln.Close();
  }));

// Go's TestCloseWrite: after CloseWrite the peer reads EOF, and can still
// send its reply.
Deno.test("CloseWrite half-closes: the peer reads EOF and can still reply", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      await client.Write(enc.encode("request"));
      client.CloseWrite();
      const buf = new Uint8Array(16);
      assertEquals(await server.Read(buf), 7);
      await assertRejects(() => server.Read(buf)).then((e: unknown) => assert(e === EOF));
      await server.Write(enc.encode("response"));
      server.CloseWrite();
      assertEquals(dec.decode(buf.subarray(0, await client.Read(buf))), "response");
      await assertRejects(() => client.Read(buf)).then((e: unknown) => assert(e === EOF));
      const werr = await assertRejects(() => client.Write(enc.encode("more")), OpError);
      assertEquals(werr.Op, "write");
      assert(werr.Err instanceof SyscallError);
      assertEquals((werr.Err.Err as Error & { code: string }).code, "EPIPE");
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

// Go's TestCloseRead.
Deno.test("CloseRead makes later Reads return EOF", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      client.CloseRead();
      await assertRejects(() => client.Read(new Uint8Array(4))).then((e: unknown) =>
        assert(e === EOF)
      );
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

// Go's TestCloseUnblocksRead.
Deno.test("Close unblocks a parked Read with ErrClosed", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    const read = client.Read(new Uint8Array(8));
    await sleep(20);
    client.Close();
    const err = await assertRejects(() => read, OpError);
    assertEquals(err.Op, "read");
    assert(Is(err, ErrClosed));
    assert(err.message.endsWith("use of closed network connection"), err.message);
    server.Close();
    ln.Close();
  }));

Deno.test("Close unblocks a parked Accept with ErrClosed", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp", "127.0.0.1:0");
    const accept = ln.Accept();
    await sleep(20);
    ln.Close();
    const err = await assertRejects(() => accept, OpError);
    assertEquals(err.Op, "accept");
    assert(Is(err, ErrClosed));
  }));

Deno.test("a second Close fails with an OpError wrapping ErrClosed", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    client.Close();
    const err = assertThrows(() => client.Close(), OpError);
    assertEquals(err.Op, "close");
    assert(Is(err, ErrClosed));
    assertEquals(
      err.message,
      `close tcp ${client.LocalAddr()!.String()}->${
        client.RemoteAddr()!.String()
      }: use of closed network connection`,
    );
    server.Close();
    ln.Close();
    const lerr = assertThrows(() => ln.Close(), OpError);
    assert(Is(lerr, ErrClosed));
    const rerr = await assertRejects(() => client.Read(new Uint8Array(1)), OpError);
    assert(Is(rerr, ErrClosed));
    const werr = await assertRejects(() => client.Write(new Uint8Array(1)), OpError);
    assert(Is(werr, ErrClosed));
  }));

Deno.test("dialing a closed port fails with connection refused", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp", "127.0.0.1:0");
    const addr = ln.Addr().String();
    ln.Close();
    const err = await assertRejects(() => Dial("tcp", addr), OpError);
    assertEquals(err.message, `dial tcp ${addr}: connect: connection refused`);
    assertEquals(err.Op, "dial");
    assertEquals(err.Timeout(), false);
  }));

Deno.test("Listen on :0 is dual-stack: IPv4 and IPv6 clients both connect", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp", ":0") as TCPListener;
    const port = (ln.Addr() as TCPAddr).Port;
    assertEquals(ln.Addr().String(), `[::]:${port}`);
    try {
      for (const host of ["127.0.0.1", "[::1]"]) {
        const [c, s] = await Promise.all([Dial("tcp", `${host}:${port}`), ln.Accept()]);
        await c.Write(enc.encode("hi"));
        const b = new Uint8Array(2);
        await readFull(s, b);
        assertEquals(dec.decode(b), "hi");
        c.Close();
        s.Close();
      }
    } finally {
      ln.Close();
    }
  }));

Deno.test("the listener's async iterator yields conns and ends on Close", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp", "127.0.0.1:0");
    const dials = await Promise.all([
      Dial("tcp", ln.Addr().String()),
      Dial("tcp", ln.Addr().String()),
    ]);
    let n = 0;
    for await (const c of ln) {
      c.Close();
      if (++n === 2) ln.Close();
    }
    assertEquals(n, 2);
    for (const d of dials) d.Close();
  }));

Deno.test("accepted and dialed conns have TCP_NODELAY, keep-alive and socket options settable", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      for (const c of [client, server]) {
        c.SetNoDelay(false);
        c.SetNoDelay(true);
        c.SetKeepAlive(true);
        c.SetKeepAlivePeriod(30_000);
        c.SetReadBuffer(1 << 16);
        c.SetWriteBuffer(1 << 16);
        c.SetLinger(-1);
        assertInstanceOf(c.LocalAddr(), TCPAddr);
      }
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
    const err = assertThrows(() => client.SetNoDelay(true), OpError);
    assertEquals(err.Op, "set");
    assert(Is(err, ErrClosed));
  }));

Deno.test("concurrent Reads are served one at a time, in turn", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      const b1 = new Uint8Array(1);
      const b2 = new Uint8Array(1);
      const r1 = client.Read(b1);
      const r2 = client.Read(b2);
      await server.Write(enc.encode("a"));
      assertEquals(await r1, 1);
      await server.Write(enc.encode("b"));
      assertEquals(await r2, 1);
      assertEquals(dec.decode(b1) + dec.decode(b2), "ab");
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

// Data and the FIN can arrive in one edge-triggered event: the Read after a
// short read must still see EOF rather than wait for an edge that never comes.
Deno.test("data followed at once by CloseWrite gives the data, then EOF, every time", () =>
  bounded(20000, async () => {
    for (let i = 0; i < 100; i++) {
      const { ln, client, server } = await pair();
      try {
        const buf = new Uint8Array(64);
        const first = server.Read(buf);
        await client.Write(enc.encode("one way"));
        client.CloseWrite();
        assertEquals(await first, 7);
        const err = await assertRejects(() => server.Read(buf));
        assert(err === EOF, `round ${i}: want EOF, got ${err}`);
      } finally {
        client.Close();
        server.Close();
        ln.Close();
      }
    }
  }));

Deno.test("a socket connected to itself (simultaneous open) is recognised as such", () =>
  bounded(5000, async () => {
    // A port that was free a moment ago; bound and connected to by the
    // same socket, TCP opens the connection to itself.
    const probe = await Listen("tcp", "127.0.0.1:0");
    const addr = probe.Addr().String();
    probe.Close();
    const d = new Dialer();
    d.LocalAddr = await ResolveTCPAddr("tcp", addr);
    const self = await d.Dial("tcp", addr) as TCPConn;
    const { ln, client, server } = await pair();
    try {
      assertEquals(self.LocalAddr()?.String(), self.RemoteAddr()?.String());
      // What it writes comes back to it.
      await self.Write(enc.encode("me"));
      const b = new Uint8Array(2);
      await readFull(self, b);
      assertEquals(dec.decode(b), "me");
      // The check dial uses to retry such sockets (when no port was asked for).
      assertEquals(self.fd.selfConnected(), true);
      assertEquals(client.fd.selfConnected(), false);
      assertEquals(server.fd.selfConnected(), false);
    } finally {
      self.Close();
      client.Close();
      server.Close();
      ln.Close();
    }
  }));
