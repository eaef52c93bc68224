// The Deno-shaped adapters (./deno): the same web-stream code runs over
// Deno's own conns and over netpoll's, with backpressure, half-close and
// disposal behaving as documented.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertLess,
  assertLessOrEqual,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { connect, listen, type TcpConn } from "../deno.ts";
import { ErrClosed, ErrDeadlineExceeded, Is, OpError, TCPConn } from "../mod.ts";
import { assertNoNewFds, bounded, listFds, sleep } from "./_util.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The part of a conn that stream code sees. */
interface StreamConn {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}

/** An echo server for one conn, written with web streams only. */
async function echo(conn: StreamConn): Promise<void> {
  await conn.readable.pipeTo(conn.writable);
}

/**
 * Sends each message and reads its echo back, then closes the writable
 * (which on Deno's conns closes the whole conn, denoland/deno#27510).
 */
async function roundTrips(conn: StreamConn, msgs: string[]): Promise<string[]> {
  const writer = conn.writable.getWriter();
  const reader = conn.readable.getReader();
  const got: string[] = [];
  for (const msg of msgs) {
    await writer.write(enc.encode(msg));
    let s = "";
    while (s.length < msg.length) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`EOF after ${s.length} of ${msg.length} bytes`);
      s += dec.decode(value);
    }
    got.push(s);
  }
  reader.releaseLock();
  await writer.close();
  return got;
}

interface AnyListener {
  port: number;
  accept(): Promise<StreamConn & Disposable>;
  close(): void;
}

const servers: Record<string, () => Promise<AnyListener>> = {
  "Deno.listen": () => {
    const ln = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    return Promise.resolve({
      port: ln.addr.port,
      accept: () => ln.accept(),
      close: () => ln.close(),
    });
  },
  "netpoll listen": async () => {
    const ln = await listen({ hostname: "127.0.0.1", port: 0 });
    return { port: ln.addr.port, accept: () => ln.accept(), close: () => ln.close() };
  },
};

const clients: Record<string, (port: number) => Promise<StreamConn & Disposable>> = {
  "Deno.connect": (port) => Deno.connect({ hostname: "127.0.0.1", port }),
  "netpoll connect": (port) => connect({ hostname: "127.0.0.1", port }),
};

for (const [serverName, makeServer] of Object.entries(servers)) {
  for (const [clientName, dial] of Object.entries(clients)) {
    Deno.test(`the same stream echo code runs over ${clientName} against ${serverName}`, () =>
      bounded(5000, async () => {
        const ln = await makeServer();
        const accepted = ln.accept();
        const client = await dial(ln.port);
        const server = await accepted;
        try {
          const served = echo(server);
          const msgs = ["hello", "netpoll", "x".repeat(200_000)];
          assertEquals(await roundTrips(client, msgs), msgs);
          await served;
        } finally {
          client[Symbol.dispose]();
          server[Symbol.dispose]();
          ln.close();
        }
      }));
  }
}

/** A listener, a client conn and the server's end of it. */
async function adapterPair(hostname = "127.0.0.1") {
  const ln = await listen({ hostname, port: 0 });
  const accepted = ln.accept();
  const client = await connect({ hostname, port: ln.addr.port });
  const server = await accepted;
  return {
    ln,
    client,
    server,
    [Symbol.dispose]() {
      client[Symbol.dispose]();
      server[Symbol.dispose]();
      ln[Symbol.dispose]();
    },
  };
}

Deno.test("closing the writable half-closes: the peer's readable ends and the reply still arrives", () =>
  bounded(5000, async () => {
    using p = await adapterPair();
    const served = echo(p.server);
    const writer = p.client.writable.getWriter();
    await writer.write(enc.encode("one way"));
    await writer.close();
    assertEquals(await new Response(p.client.readable).text(), "one way");
    await served;
    // Both ends are still open until closed.
    p.client.close();
    p.server.close();
  }));

Deno.test("read resolves null at end of stream, 0 for an empty buffer, and write writes every byte", () =>
  bounded(5000, async () => {
    using p = await adapterPair();
    const data = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
    const wrote = p.client.write(data);
    const got = new Uint8Array(data.length);
    let n = 0;
    while (n < got.length) n += (await p.server.read(got.subarray(n)))!;
    assertEquals(await wrote, data.length);
    assertEquals(got, data);
    await p.client.closeWrite();
    assertEquals(await p.server.read(new Uint8Array(8)), null);
    // An empty buffer reads nothing, as in Deno.
    assertEquals(await p.server.read(new Uint8Array(0)), 0);
  }));

for (const hostname of ["127.0.0.1", "::1", "[::1]"]) {
  Deno.test(`addresses are Deno.NetAddr objects when listening on ${hostname}`, () =>
    bounded(5000, async () => {
      using p = await adapterPair(hostname);
      const ip = hostname.replace(/[\[\]]/g, "");
      assertEquals(p.ln.addr, { transport: "tcp", hostname: ip, port: p.ln.addr.port });
      assertEquals(p.client.remoteAddr, p.ln.addr);
      assertEquals(p.server.remoteAddr, p.client.localAddr);
      assertEquals(p.server.localAddr, p.ln.addr);
    }));
}

Deno.test("a writer to a peer that does not read waits on ready and memory stays bounded", () =>
  bounded(10000, async () => {
    using p = await adapterPair();
    const writer = p.client.writable.getWriter();
    const writes: Promise<void>[] = [];
    const rssBefore = Deno.memoryUsage().rss;
    const start = performance.now();
    let offered = 0;
    let stalled = false;
    // Try to write 256 MiB in fresh 1 MiB chunks for about a second.
    while (offered < 256 << 20 && performance.now() - start < 1000) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const ready = await Promise.race([
        writer.ready.then(() => true),
        new Promise<boolean>((r) => timer = setTimeout(() => r(false), 100)),
      ]);
      clearTimeout(timer);
      if (!ready) {
        stalled = true;
        assertLessOrEqual(writer.desiredSize!, 0);
        continue;
      }
      writes.push(writer.write(new Uint8Array(1 << 20).fill(1)).catch(() => {}));
      offered += 1 << 20;
    }
    const grown = Deno.memoryUsage().rss - rssBefore;
    assert(stalled, "writer.ready never waited");
    assertLess(offered, 64 << 20, `${offered >> 20} MiB accepted by the writable`);
    assertLess(grown, 16 << 20, `RSS grew ${(grown / 2 ** 20).toFixed(1)} MiB`);
    // abort unblocks the write parked on the full buffer by closing the conn.
    await writer.abort();
    await Promise.all(writes);
    await assertRejects(() => p.client.write(new Uint8Array(1)), OpError);
  }));

Deno.test("cancelling readable shuts the read side: the peer can still write, reads get null", () =>
  bounded(5000, async () => {
    using p = await adapterPair();
    const reader = p.client.readable.getReader();
    const parked = reader.read();
    await sleep(10);
    await reader.cancel();
    assertEquals((await parked).done, true);
    assertEquals(await p.server.write(enc.encode("ignored")), 7);
    assertEquals(await p.client.read(new Uint8Array(16)), null);
    // The write side is untouched.
    await p.client.write(enc.encode("still"));
    const buf = new Uint8Array(5);
    assertEquals(await p.server.read(buf), 5);
    assertEquals(dec.decode(buf), "still");
  }));

Deno.test("await using closes the conn: the peer reads EOF and the fd is gone", () =>
  bounded(5000, async () => {
    await using ln = await listen({ hostname: "127.0.0.1", port: 0 });
    const before = listFds();
    let escaped: TcpConn;
    let peer: TcpConn;
    {
      await using conn = await connect({ hostname: "127.0.0.1", port: ln.addr.port });
      peer = await ln.accept();
      escaped = conn;
    }
    assertEquals(await peer.read(new Uint8Array(8)), null);
    const err = await assertRejects(() => escaped.read(new Uint8Array(8)), OpError);
    assert(Is(err, ErrClosed));
    peer.close();
    assertNoNewFds(before);
  }));

Deno.test("close twice throws ErrClosed as Deno throws, while dispose after close does not", () =>
  bounded(5000, async () => {
    using p = await adapterPair();
    p.client.close();
    const err = assertThrows(() => p.client.close(), OpError);
    assert(Is(err, ErrClosed));
    p.client[Symbol.dispose]();
    await p.client[Symbol.asyncDispose]();
  }));

Deno.test("readable is a byte stream that fills a BYOB reader's buffer", () =>
  bounded(5000, async () => {
    using p = await adapterPair();
    await p.server.write(enc.encode("byob!"));
    const reader = p.client.readable.getReader({ mode: "byob" });
    const { value } = await reader.read(new Uint8Array(16));
    assertEquals(dec.decode(value), "byob!");
    reader.releaseLock();
  }));

Deno.test("a read deadline rejects a read with ErrDeadlineExceeded and the conn goes on", () =>
  bounded(5000, async () => {
    using p = await adapterPair();
    assertInstanceOf(p.client.conn, TCPConn);
    p.client.setReadDeadline(new Date(Date.now() + 20));
    const err = await assertRejects(() => p.client.read(new Uint8Array(1)), OpError);
    assert(Is(err, ErrDeadlineExceeded));
    p.client.setDeadline(null);
    p.client.setWriteDeadline(new Date(Date.now() + 1000));
    await p.server.write(enc.encode("x"));
    assertEquals(await p.client.read(new Uint8Array(1)), 1);
  }));

Deno.test("setNoDelay and setKeepAlive reach the socket", () =>
  bounded(5000, async () => {
    using p = await adapterPair();
    const pfd = p.client.conn.fd.pfd;
    const table: [() => void, number, number, number][] = [
      [() => p.client.setNoDelay(false), 6, /* IPPROTO_TCP */ 1, /* TCP_NODELAY */ 0],
      [() => p.client.setNoDelay(), 6, 1, 1],
      [() => p.client.setKeepAlive(false), 1, /* SOL_SOCKET */ 9, /* SO_KEEPALIVE */ 0],
      [() => p.client.setKeepAlive(), 1, 9, 1],
    ];
    for (const [set, level, opt, want] of table) {
      set();
      assertEquals(pfd.GetsockoptInt(level, opt) !== 0 ? 1 : 0, want);
    }
  }));

Deno.test("the listener's iterator yields conns and ends when it is closed", () =>
  bounded(5000, async () => {
    const ln = await listen({ hostname: "127.0.0.1", port: 0 });
    const clients = await Promise.all([1, 2, 3].map(() => connect({ port: ln.addr.port })));
    const seen: number[] = [];
    for await (const conn of ln) {
      seen.push(conn.remoteAddr.port);
      conn.close();
      if (seen.length === clients.length) ln.close();
    }
    assertEquals(seen.sort(), clients.map((c) => c.localAddr.port).sort());
    for (const c of clients) c.close();
    const err = await assertRejects(() => ln.accept(), OpError);
    assert(Is(err, ErrClosed));
    await ln[Symbol.asyncDispose]();
  }));

Deno.test("connect to a closed port rejects with Go's OpError", () =>
  bounded(5000, async () => {
    const ln = await listen({ hostname: "127.0.0.1", port: 0 });
    const port = ln.addr.port;
    ln.close();
    const err = await assertRejects(() => connect({ port }), OpError);
    assertEquals(err.message, `dial tcp 127.0.0.1:${port}: connect: connection refused`);
  }));

Deno.test("ref and unref are accepted and change nothing", () =>
  bounded(5000, async () => {
    using p = await adapterPair();
    for (const x of [p.client, p.ln]) {
      x.unref();
      x.ref();
    }
    await p.client.write(enc.encode("ok"));
    assertEquals(await p.server.read(new Uint8Array(2)), 2);
  }));

Deno.test("a transport other than tcp is a TypeError, as the types say", () =>
  bounded(5000, async () => {
    const udp = "udp" as "tcp";
    await assertRejects(() => connect({ port: 1, transport: udp }), TypeError);
    await assertRejects(() => listen({ port: 0, transport: udp }), TypeError);
  }));
