// Bad input gets Go's error: never a crash, never a hang.
import { assert, assertEquals, assertInstanceOf, assertRejects, assertThrows } from "@std/assert";
import {
  AddrError,
  Dial,
  DialTimeout,
  ErrClosed,
  Is,
  Listen,
  OpError,
  UnknownNetworkError,
} from "../mod.ts";
import { bounded, pair } from "./_util.ts";

const dialErrors: { network: string; address: string; message: string }[] = [
  { network: "tcp5", address: "127.0.0.1:80", message: "dial tcp5: unknown network tcp5" },
  { network: "", address: "127.0.0.1:80", message: "dial: unknown network " },
  {
    network: "tcp",
    address: "127.0.0.1:70000",
    message: "dial tcp: address 70000: invalid port",
  },
  {
    network: "tcp",
    address: "::1:80",
    message: "dial tcp: address ::1:80: too many colons in address",
  },
  {
    network: "tcp",
    address: "127.0.0.1",
    message: "dial tcp: address 127.0.0.1: missing port in address",
  },
  { network: "tcp", address: "[::1]:-1", message: "dial tcp: address -1: invalid port" },
  { network: "tcp", address: "", message: "dial tcp: missing address" },
  {
    network: "tcp4",
    address: "[::1]:80",
    message: "dial tcp4: address ::1: no suitable address found",
  },
  {
    network: "tcp6",
    address: "127.0.0.1:80",
    message: "dial tcp6: address 127.0.0.1: no suitable address found",
  },
  {
    network: "tcp",
    address: "no-such-host.invalid:80",
    message: "dial tcp: lookup no-such-host.invalid: no such host",
  },
];

for (const tt of dialErrors) {
  Deno.test(`Dial(${JSON.stringify(tt.network)}, ${JSON.stringify(tt.address)}) fails with Go's error`, () =>
    bounded(5000, async () => {
      const err = await assertRejects(() => Dial(tt.network, tt.address), OpError);
      assertEquals(err.message, tt.message);
      assertEquals(err.Op, "dial");
    }));
}

Deno.test("an unknown network is an UnknownNetworkError", () =>
  bounded(5000, async () => {
    const err = await assertRejects(() => Listen("udp9", ":0"), OpError);
    assertInstanceOf(err.Err, UnknownNetworkError);
    assertEquals(err.message, "listen udp9: unknown network udp9");
  }));

const listenErrors: { network: string; address: string; message: string }[] = [
  { network: "tcp", address: ":70000", message: "listen tcp: address 70000: invalid port" },
  {
    network: "tcp",
    address: "::1",
    message: "listen tcp: address ::1: too many colons in address",
  },
  { network: "tcp", address: "[::1", message: "listen tcp: address [::1: missing ']' in address" },
];

for (const tt of listenErrors) {
  Deno.test(`Listen(${JSON.stringify(tt.network)}, ${JSON.stringify(tt.address)}) fails with Go's error`, () =>
    bounded(5000, async () => {
      const err = await assertRejects(() => Listen(tt.network, tt.address), OpError);
      assertEquals(err.message, tt.message);
      assertInstanceOf(err.Err, AddrError);
    }));
}

Deno.test("listening on a port in use fails with address already in use", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp", "127.0.0.1:0");
    try {
      const err = await assertRejects(() => Listen("tcp", ln.Addr().String()), OpError);
      assertEquals(err.message, `listen tcp ${ln.Addr().String()}: bind: address already in use`);
    } finally {
      ln.Close();
    }
  }));

Deno.test("a non-Uint8Array buffer gets an OpError, not a crash", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      for (const bad of [null, "text", [1, 2, 3], new ArrayBuffer(4), new Uint16Array(2)]) {
        const rerr = await assertRejects(() => client.Read(bad as unknown as Uint8Array), OpError);
        assertEquals(rerr.Op, "read");
        assertInstanceOf(rerr.Err, TypeError);
        const werr = await assertRejects(() => client.Write(bad as unknown as Uint8Array), OpError);
        assertEquals(werr.Op, "write");
      }
      // The conn still works afterwards.
      await client.Write(new Uint8Array([1]));
      assertEquals(await server.Read(new Uint8Array(1)), 1);
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

Deno.test("Read, Write and deadlines on a closed conn fail with ErrClosed", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    client.Close();
    server.Close();
    ln.Close();
    for (
      const op of [() => client.Read(new Uint8Array(1)), () => client.Write(new Uint8Array(1))]
    ) {
      const err = await assertRejects(op, OpError);
      assert(Is(err, ErrClosed));
    }
    const err = assertThrows(() => client.SetDeadline(new Date()), OpError);
    assertEquals(err.Op, "set");
    assert(Is(err, ErrClosed));
  }));

Deno.test("an invalid Date deadline is rejected", () =>
  bounded(5000, async () => {
    const { ln, client, server } = await pair();
    try {
      const err = assertThrows(() => client.SetReadDeadline(new Date(NaN)), OpError);
      assertInstanceOf(err.Err, TypeError);
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  }));

Deno.test("a negative DialTimeout fails at once with a timeout", () =>
  bounded(5000, async () => {
    const ln = await Listen("tcp", "127.0.0.1:0");
    try {
      const err = await assertRejects(() => DialTimeout("tcp", ln.Addr().String(), -1), OpError);
      assert(err.Timeout(), err.message);
      assertEquals(err.message, `dial tcp ${ln.Addr().String()}: i/o timeout`);
    } finally {
      ln.Close();
    }
  }));
