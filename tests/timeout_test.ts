// Deadlines, ported from Go's net/timeout_test.go.
import { assert, assertEquals } from "@std/assert";
import {
  DialTimeout,
  ErrDeadlineExceeded,
  Is,
  Listen,
  OpError,
  type TCPConn,
  type TCPListener,
} from "../mod.ts";
import { bounded, pair, sleep } from "./_util.ts";

const enc = new TextEncoder();

function assertTimeout(err: unknown): void {
  assert(err instanceof OpError, `want OpError, got ${err}`);
  const e = err as OpError;
  assert(Is(e, ErrDeadlineExceeded), `want ErrDeadlineExceeded, got ${e}`);
  assert(e.Timeout(), "Timeout() should be true");
  assert(e.message.endsWith(": i/o timeout"), e.message);
}

/** Runs op, returning null on success or the error. */
async function outcome(op: () => Promise<unknown>): Promise<unknown> {
  try {
    await op();
    return null;
  } catch (err) {
    return err;
  }
}

// Go's readTimeoutTests: deadlines work even when data is ready to read.
const readTimeoutTests: { timeout: number; timeouts: [boolean, boolean] }[] = [
  { timeout: -5000, timeouts: [true, true] },
  { timeout: 50, timeouts: [false, true] },
];

for (const tt of readTimeoutTests) {
  Deno.test(`a read deadline of ${tt.timeout} ms fails Reads in turn: ${tt.timeouts}`, () =>
    bounded(5000, async () => {
      const { ln, client, server } = await pair();
      try {
        await server.Write(enc.encode("READ TIMEOUT TEST"));
        client.SetReadDeadline(new Date(Date.now() + tt.timeout));
        for (const wantTimeout of tt.timeouts) {
          const err = await outcome(() => client.Read(new Uint8Array(256)));
          if (wantTimeout) assertTimeout(err);
          else assertEquals(err, null);
        }
      } finally {
        client.Close();
        server.Close();
        ln.Close();
      }
    }));
}

Deno.test("a read deadline 50 ms ahead fails a parked Read near 50 ms", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      const start = performance.now();
      client.SetReadDeadline(new Date(Date.now() + 50));
      const err = await outcome(() => client.Read(new Uint8Array(8)));
      const took = performance.now() - start;
      assertTimeout(err);
      assert(took >= 45 && took < 500, `took ${took} ms`);
      // The deadline stays expired: the next Read fails at once.
      assertTimeout(await outcome(() => client.Read(new Uint8Array(8))));
      // Clearing it lets Reads work again.
      client.SetReadDeadline(null);
      await server.Write(enc.encode("x"));
      assertEquals(await client.Read(new Uint8Array(8)), 1);
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

Deno.test("a read deadline set in the past wakes a parked Read at once", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      const read = outcome(() => client.Read(new Uint8Array(8)));
      await sleep(20);
      const start = performance.now();
      client.SetReadDeadline(new Date(Date.now() - 1000));
      assertTimeout(await read);
      assert(performance.now() - start < 100);
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

// Go's TestReadTimeoutMustNotReturn / deadline extension.
Deno.test("extending a read deadline while a Read is parked lets it succeed", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      client.SetReadDeadline(new Date(Date.now() + 50));
      const read = client.Read(new Uint8Array(8));
      await sleep(20);
      client.SetReadDeadline(new Date(Date.now() + 2000));
      await sleep(80);
      await server.Write(enc.encode("late"));
      assertEquals(await read, 4);
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

Deno.test("clearing a read deadline while a Read is parked lets it wait on", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      client.SetDeadline(new Date(Date.now() + 40));
      const read = client.Read(new Uint8Array(8));
      client.SetDeadline(null);
      await sleep(80);
      await server.Write(enc.encode("ok"));
      assertEquals(await read, 2);
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

// Go's writeTimeoutTests: the peer does not read, so writes fill the buffers.
const writeTimeoutTests: { timeout: number; timeouts: [boolean, boolean] }[] = [
  { timeout: -5000, timeouts: [true, true] },
  { timeout: 50, timeouts: [false, true] },
];

for (const tt of writeTimeoutTests) {
  Deno.test(`a write deadline of ${tt.timeout} ms fires when the peer does not read`, () =>
    bounded(10000, async () => {
      const { ln, client, server } = await pair();
      try {
        client.SetWriteBuffer(16 << 10);
        server.SetReadBuffer(16 << 10);
        client.SetWriteDeadline(new Date(Date.now() + tt.timeout));
        const chunk = new Uint8Array(64 << 10);
        for (const wantTimeout of tt.timeouts) {
          let err: unknown = null;
          if (wantTimeout) {
            err = await outcome(async () => {
              for (let i = 0; i < 1000; i++) await client.Write(chunk);
            });
            assertTimeout(err);
          } else {
            assertEquals(await outcome(() => client.Write(enc.encode("WRITE TIMEOUT TEST"))), null);
          }
        }
      } finally {
        client.Close();
        server.Close();
        ln.Close();
      }
    }));
}

Deno.test("an Accept deadline fails a parked Accept, then a dial is accepted once cleared", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp", "127.0.0.1:0") as TCPListener;
    try {
      ln.SetDeadline(new Date(Date.now() - 5000));
      assertTimeout(await outcome(() => ln.Accept()));
      ln.SetDeadline(new Date(Date.now() + 50));
      const start = performance.now();
      const err = await outcome(() => ln.Accept());
      assertTimeout(err);
      assertEquals((err as OpError).Op, "accept");
      assert(performance.now() - start >= 45);
      ln.SetDeadline(null);
      const [c, s] = await Promise.all([DialTimeout("tcp", ln.Addr().String(), 1000), ln.Accept()]);
      c.Close();
      s.Close();
    } finally {
      ln.Close();
    }
  }));

// Go's TestVariousDeadlines, shortened: many deadlines of different lengths.
Deno.test("various read deadlines each fire near their time", () =>
  bounded(10000, async () => {
    const { ln, client, server } = await pair();
    try {
      for (const ms of [1, 5, 20, 50, 100]) {
        client.SetReadDeadline(new Date(Date.now() + ms));
        const start = performance.now();
        assertTimeout(await outcome(() => client.Read(new Uint8Array(1))));
        const took = performance.now() - start;
        assert(took >= ms - 5 && took < ms + 300, `deadline ${ms} ms took ${took} ms`);
      }
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

Deno.test("deadlines on many conns fire independently", () =>
  bounded(10000, async () => {
    const conns: { ln: TCPListener; client: TCPConn; server: TCPConn }[] = [];
    for (let i = 0; i < 20; i++) conns.push(await pair());
    try {
      const start = performance.now();
      const results = await Promise.all(conns.map(({ client }, i) => {
        client.SetReadDeadline(new Date(Date.now() + 20 + i * 5));
        return outcome(() => client.Read(new Uint8Array(1))).then((err) => {
          assertTimeout(err);
          return performance.now() - start;
        });
      }));
      for (let i = 1; i < results.length; i++) assert(results[i] >= 20 + i * 5 - 5);
    } finally {
      for (const { ln, client, server } of conns) {
        client.Close();
        server.Close();
        ln.Close();
      }
    }
  }));
