// Zero-copy and batching: TCPConn.ReadFrom (splice, sendfile, copy) and
// Buffers (writev), ported from Go's splice_test.go, sendfile_test.go and
// writev_test.go where they apply.
import { assert, assertEquals } from "@std/assert";
import { Buffers, Dial, EOF, Listen, OpenFile, type TCPConn } from "../mod.ts";
import { assertNoNewFds, bounded, listFds, pair, readFull, spawnListening } from "./_util.ts";

function pattern(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

/** Reads c to EOF. */
async function readAll(c: TCPConn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(64 << 10);
  for (;;) {
    try {
      const n = await c.Read(buf);
      chunks.push(buf.slice(0, n));
    } catch (err) {
      if (err === EOF) break;
      throw err;
    }
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

Deno.test("ReadFrom splices from another TCPConn and the bytes arrive intact", () =>
  bounded(20000, async () => {
    const before = listFds();
    // src.client → src.server ==splice==> dst.client → dst.server
    const src = await pair();
    const dst = await pair();
    const data = pattern(4 << 20, 3);
    try {
      const [, moved, got] = await Promise.all([
        src.client.Write(data).then(() => src.client.CloseWrite()),
        dst.client.ReadFrom(src.server).then((n) => {
          dst.client.CloseWrite();
          return n;
        }),
        readAll(dst.server),
      ]);
      assertEquals(moved, data.length);
      assertEquals(got.length, data.length);
      assertEquals(got, data);
    } finally {
      for (const p of [src, dst]) {
        p.client.Close();
        p.server.Close();
        p.ln.Close();
      }
    }
    assertNoNewFds(before);
  }));

Deno.test("ReadFrom sends a File with sendfile", () =>
  bounded(20000, async () => {
    const path = Deno.makeTempFileSync();
    const data = pattern(3 << 20, 9);
    Deno.writeFileSync(path, data);
    const { ln, client, server } = await pair();
    const f = OpenFile(path);
    try {
      const [n, got] = await Promise.all([
        client.ReadFrom(f).then((n) => {
          client.CloseWrite();
          return n;
        }),
        readAll(server),
      ]);
      assertEquals(n, data.length);
      assertEquals(got, data);
    } finally {
      f.Close();
      client.Close();
      server.Close();
      ln.Close();
      Deno.removeSync(path);
    }
  }));

Deno.test("ReadFrom copies from Go-style and Deno-style readers", () =>
  bounded(10000, async () => {
    const { ln, client, server } = await pair();
    const enc = new TextEncoder();
    try {
      const goStyle = new Buffers([enc.encode("hello, "), enc.encode("go")]);
      assertEquals(await client.ReadFrom(goStyle), 9);
      const path = Deno.makeTempFileSync();
      Deno.writeTextFileSync(path, " and deno");
      const file = Deno.openSync(path);
      assertEquals(await client.ReadFrom(file), 9);
      file.close();
      Deno.removeSync(path);
      client.CloseWrite();
      assertEquals(new TextDecoder().decode(await readAll(server)), "hello, go and deno");
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

// Go's TestBuffers_WriteTo shapes: many small buffers, more than IOV_MAX.
for (const count of [1, 10, 1024, 3000]) {
  Deno.test(`Buffers.WriteTo writes ${count} buffers with writev, in order`, () =>
    bounded(10000, async () => {
      const { ln, client, server } = await pair();
      try {
        const bufs = Array.from({ length: count }, (_, i) => pattern(1 + (i % 97), i));
        const total = bufs.reduce((n, b) => n + b.length, 0);
        const want = new Uint8Array(total);
        let off = 0;
        for (const b of bufs) {
          want.set(b, off);
          off += b.length;
        }
        const b = new Buffers(bufs);
        const [n, got] = await Promise.all([
          b.WriteTo(client),
          (async () => {
            const g = new Uint8Array(total);
            await readFull(server, g);
            return g;
          })(),
        ]);
        assertEquals(n, total);
        assertEquals(b.bufs.length, 0);
        assertEquals(got, want);
      } finally {
        client.Close();
        server.Close();
        ln.Close();
      }
    }));
}

Deno.test("Buffers.WriteTo a large batch completes through partial writev calls", () =>
  bounded(20000, async () => {
    const { ln, client, server } = await pair();
    try {
      const bufs = Array.from({ length: 64 }, (_, i) => pattern(256 << 10, i));
      const total = 64 * (256 << 10);
      const [n, got] = await Promise.all([
        new Buffers(bufs).WriteTo(client),
        (async () => {
          const g = new Uint8Array(total);
          await readFull(server, g);
          return g;
        })(),
      ]);
      assertEquals(n, total);
      for (let i = 0; i < 64; i++) {
        assertEquals(got.subarray(i * (256 << 10), (i + 1) * (256 << 10)), bufs[i]);
      }
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

Deno.test("Dial through examples/tcp_proxy.ts splices both ways", () =>
  bounded(30000, async () => {
    const upstream = await Listen("tcp", "127.0.0.1:0");
    const echo = (async () => {
      const c = await upstream.Accept() as TCPConn;
      await c.ReadFrom(c).catch(() => 0);
      c.CloseWrite();
      c.Close();
    })();
    const proxy = await spawnListening(Deno.execPath(), [
      "run",
      "--allow-ffi",
      "--allow-read",
      "--allow-net",
      "examples/tcp_proxy.ts",
      "0",
      upstream.Addr().String(),
    ]);
    try {
      const c = await Dial("tcp", proxy.addr) as TCPConn;
      const data = pattern(1 << 20, 5);
      const [, got] = await Promise.all([
        c.Write(data).then(() => c.CloseWrite()),
        readAll(c),
      ]);
      assertEquals(got, data);
      c.Close();
      await echo;
    } finally {
      await proxy.stop();
      upstream.Close();
    }
    assert(true);
  }));
