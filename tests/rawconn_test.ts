// RawConn, File and socket options, ported from Go's rawconn_test.go and
// tcpsockopt tests where they apply.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import * as libc from "../ffi/libc.ts";
import { ErrClosed, Is, ListenConfig, OpError, type TCPAddr, type TCPConn } from "../mod.ts";
import { bounded, pair, sleep } from "./_util.ts";

Deno.test("RawConn.Control runs with the live fd and fails after Close", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    const rc = client.SyscallConn();
    let seen = -1;
    rc.Control((fd) => seen = fd);
    assert(seen > 2);
    client.Close();
    const err = assertThrows(() => rc.Control(() => {}), OpError);
    assertEquals(err.Op, "raw-control");
    assert(Is(err, ErrClosed));
    server.Close();
    ln.Close();
  }));

Deno.test("RawConn.Read parks until the fd is readable", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      const buf = new Uint8Array(16);
      let calls = 0;
      let got = 0;
      const read = client.SyscallConn().Read((fd) => {
        calls++;
        const n = libc.recv(fd, buf, 0);
        if (n === -11) return false; // EAGAIN: park and call again
        got = n;
        return true;
      });
      await sleep(50);
      assertEquals(calls, 1, "f ran once, then parked");
      await server.Write(new TextEncoder().encode("raw"));
      await read;
      assertEquals(calls, 2);
      assertEquals(got, 3);
      // The conn still works normally.
      await server.Write(new Uint8Array([1]));
      assertEquals(await client.Read(buf), 1);
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

Deno.test("RawConn.Write writes through the raw fd", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      await client.SyscallConn().Write((fd) =>
        libc.send(fd, new Uint8Array([7, 8, 9]), 0x4000) >= 0
      );
      const buf = new Uint8Array(3);
      assertEquals(await server.Read(buf), 3);
      assertEquals([...buf], [7, 8, 9]);
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

Deno.test("a parked RawConn.Read is unblocked by Close", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    const read = client.SyscallConn().Read(() => false);
    await sleep(20);
    client.Close();
    const err = await assertRejects(() => read, OpError);
    assertEquals(err.Op, "raw-read");
    assert(Is(err, ErrClosed));
    server.Close();
    ln.Close();
  }));

Deno.test("SetLinger(0) makes the peer see connection reset", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      await server.Write(new Uint8Array(10)); // unread data on the client side
      await sleep(10);
      client.SetLinger(0);
      client.Close();
      await sleep(20);
      const err = await assertRejects(() => server.Read(new Uint8Array(1)), OpError);
      assertEquals(err.Op, "read");
      assert(err.message.endsWith("read: connection reset by peer"), err.message);
    } finally {
      server.Close();
      ln.Close();
    }
  }));

Deno.test("File() returns an independent duplicate of the fd", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      const f = client.File();
      let orig = -1;
      client.SyscallConn().Control((fd) => orig = fd);
      assert(f.Fd() > 2 && f.Fd() !== orig);
      // Writing on the duplicate reaches the peer.
      assertEquals(libc.send(f.Fd(), new Uint8Array([42]), 0x4000), 1);
      const b = new Uint8Array(1);
      assertEquals(await server.Read(b), 1);
      assertEquals(b[0], 42);
      f.Close();
      assertThrows(() => f.Close());
      // The conn is unaffected.
      await client.Write(new Uint8Array([1]));
      assertEquals(await server.Read(b), 1);
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

Deno.test("ListenConfig.ReusePort lets two listeners share a port", () =>
  bounded(5000, async () => {
    const lc = new ListenConfig({ ReusePort: true });
    const a = await lc.Listen(null, "tcp4", "127.0.0.1:0");
    const port = (a.Addr() as TCPAddr).Port;
    const b = await lc.Listen(null, "tcp4", `127.0.0.1:${port}`);
    assertEquals((b.Addr() as TCPAddr).Port, port);
    a.Close();
    b.Close();
  }));

Deno.test("socket options on a TCPConn read back as set", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      const pfd = (client as TCPConn).fd.pfd;
      client.SetNoDelay(false);
      assertEquals(pfd.GetsockoptInt(6, 1), 0);
      client.SetKeepAlivePeriod(42_500);
      assertEquals(pfd.GetsockoptInt(6, 4), 43);
      client.SetReadBuffer(1 << 16);
      assert(pfd.GetsockoptInt(1, 8) >= 1 << 16);
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));
