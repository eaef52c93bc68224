// Reads that skip the EAGAIN recv after a short read (the socket was
// drained, so edge-triggered epoll reports the next data) must not lose a
// wakeup where a short read does not mean drained, or where another read
// path consumed the edge. Each case parks the reader first, so the edge for
// the data is consumed by the wake-up, then checks the data still left is
// read well within a 1 s deadline.
import { assertEquals } from "@std/assert";
import { MSG_OOB, O_CLOEXEC, O_NONBLOCK } from "../ffi/constants.ts";
import * as libc from "../ffi/libc.ts";
import { UnixRights } from "../src/net/sockmsg.ts";
import { DialUnix, ListenUnix, UnixAddr } from "../src/net/unixsock.ts";
import type { TCPConn } from "../mod.ts";
import { bounded, pair, sleep } from "./_util.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function deadline(ms = 1000): Date {
  return new Date(Date.now() + ms);
}

/** Runs fn on a connected TCP pair, closing everything afterwards. */
async function withPair(fn: (client: TCPConn, server: TCPConn) => Promise<void>): Promise<void> {
  const { ln, client, server } = await pair();
  try {
    await fn(client, server);
  } finally {
    client.Close();
    server.Close();
    ln.Close();
  }
}

Deno.test("Read after a short read stopped at a passed fd still reads the data behind it (unix)", () =>
  bounded(5000, async () => {
    const name = `@netpoll-edge-${Deno.pid}-${Math.random()}`;
    const ln = await ListenUnix("unix", new UnixAddr(name, "unix"));
    const [client, server] = await Promise.all([
      DialUnix("unix", null, new UnixAddr(name, "unix")),
      ln.AcceptUnix(),
    ]);
    const [r, rfd, wfd] = libc.pipe2(O_CLOEXEC | O_NONBLOCK);
    assertEquals(r, 0);
    try {
      server.SetReadDeadline(deadline());
      const buf = new Uint8Array(64);
      const first = server.Read(buf);
      await sleep(20); // the Read has parked
      // Both segments in one turn: the wake-up's edge covers both.
      await client.SyscallConn().Write((fd) => {
        const rights = UnixRights(rfd);
        assertEquals(libc.sendmsg(fd, enc.encode("x"), rights, null, 0, 0), 1);
        assertEquals(libc.send(fd, enc.encode("trailing"), 0), 8);
        return true;
      });
      // A recv stops after the segment that carried the fd.
      assertEquals(dec.decode(buf.subarray(0, await first)), "x");
      const n = await server.Read(buf);
      assertEquals(dec.decode(buf.subarray(0, n)), "trailing");
    } finally {
      libc.close(rfd);
      libc.close(wfd);
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

Deno.test("Read after a short read stopped at TCP urgent data still reads the data behind it", () =>
  bounded(5000, () =>
    withPair(async (client, server) => {
      server.SetReadDeadline(deadline());
      const buf = new Uint8Array(64);
      const first = server.Read(buf);
      await sleep(20);
      await client.SyscallConn().Write((fd) => {
        assertEquals(libc.send(fd, enc.encode("a"), 0), 1);
        assertEquals(libc.send(fd, enc.encode("U"), MSG_OOB), 1);
        assertEquals(libc.send(fd, enc.encode("tail"), 0), 4);
        return true;
      });
      // The urgent byte is out of band (no SO_OOBINLINE): reads skip it.
      let got = dec.decode(buf.subarray(0, await first));
      while (got.length < 5) got += dec.decode(buf.subarray(0, await server.Read(buf)));
      assertEquals(got, "atail");
    })));

Deno.test("Read after a RawRead consumed the edge and left data still reads it", () =>
  bounded(5000, () =>
    withPair(async (client, server) => {
      server.SetReadDeadline(deadline());
      const buf = new Uint8Array(64);
      await client.Write(enc.encode("a"));
      assertEquals(await server.Read(buf), 1); // short: the shortcut is armed
      await client.Write(enc.encode("bcdef"));
      await sleep(20); // the poller has marked the fd readable
      let calls = 0;
      const one = new Uint8Array(1);
      await server.SyscallConn().Read((fd) => {
        // First call: pretend not ready, so RawRead waits and consumes the edge.
        if (calls++ === 0) return false;
        assertEquals(libc.recv(fd, one, 0), 1);
        return true;
      });
      assertEquals(dec.decode(one), "b");
      const n = await server.Read(buf);
      assertEquals(dec.decode(buf.subarray(0, n)), "cdef");
    })));

Deno.test("Read sees the EOF that follows a short read (no edge comes after a FIN)", () =>
  bounded(5000, () =>
    withPair(async (client, server) => {
      server.SetReadDeadline(deadline());
      const buf = new Uint8Array(64);
      const first = server.Read(buf);
      await sleep(20);
      await client.Write(enc.encode("last"));
      client.CloseWrite();
      assertEquals(dec.decode(buf.subarray(0, await first)), "last");
      const err = await server.Read(buf).then(() => null, (e) => e);
      assertEquals(err?.message, "EOF");
    })));

Deno.test("a buffer transferred away while its Read is parked fails nothing else", () =>
  bounded(5000, () =>
    withPair(async (client, server) => {
      server.SetReadDeadline(deadline());
      const buf = new Uint8Array(64);
      const first = server.Read(buf);
      await sleep(20);
      structuredClone(buf.buffer, { transfer: [buf.buffer] });
      await client.Write(enc.encode("abc"));
      // The read had no room left: like a Read into an empty buffer.
      assertEquals(await first, 0);
      // The data waits for the next Read, and the poller still serves.
      const b = new Uint8Array(8);
      const n = await server.Read(b);
      assertEquals(dec.decode(b.subarray(0, n)), "abc");
    })));

Deno.test("an error mapper that throws cannot strand a parked Read or unbalance Write's lock", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    const throwing = {
      ioError(): unknown {
        throw new Error("mapper failed");
      },
    };
    try {
      const read = server.fd.pfd.Read(new Uint8Array(8), throwing);
      await sleep(20);
      server.Close();
      // The raw error comes through instead of the mapped one.
      const err = await read.then(() => null, (e) => e);
      assertEquals(err?.message, "use of closed network connection");
      client.Close();
      const werr = await client.fd.pfd.Write(new Uint8Array(8), throwing).then(
        () => null,
        (e) => e,
      );
      assertEquals(werr?.message, "use of closed network connection");
    } finally {
      ln.Close();
    }
  }));

// A socket joins epoll at its first wait, not when it is made: I/O that
// never has to wait costs no epoll_ctl. Joining late must lose nothing:
// data (or a FIN) that came while the socket was outside epoll must still
// wake the first wait, which here is a Read after a short read (it parks
// without a recv).
Deno.test("a socket that joins epoll at its first wait still sees what came before", () =>
  bounded(5000, () =>
    withPair(async (client, server) => {
      server.SetReadDeadline(deadline());
      await client.Write(enc.encode("first"));
      await sleep(20);
      const buf = new Uint8Array(64);
      // Data is there: no wait, so not registered yet.
      assertEquals(dec.decode(buf.subarray(0, await server.Read(buf))), "first");
      assertEquals(server.fd.pfd.registered, false);
      await client.Write(enc.encode("second"));
      client.CloseWrite();
      await sleep(20);
      // The short read marked the socket drained: this Read parks at once,
      // and only the registration's report of the data can wake it.
      assertEquals(dec.decode(buf.subarray(0, await server.Read(buf))), "second");
      assertEquals(server.fd.pfd.registered, true);
      const err = await server.Read(buf).then(() => null, (e) => e);
      assertEquals(err?.message, "EOF");
    })));
