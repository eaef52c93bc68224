// UDP over loopback, ported from Go's net/udpsock_test.go and the UDP cases of
// timeout_test.go and net_test.go.
import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { MSG_TRUNC } from "../ffi/constants.ts";
import { EINVAL } from "../ffi/errno.ts";
import {
  AddrError,
  As,
  Is,
  OpError,
  SyscallError,
  UnknownNetworkError,
} from "../src/net/errors.ts";
import { IPv4, IPv6loopback, ParseIP } from "../src/net/ip.ts";
import { TCPAddr } from "../src/net/tcpsock.ts";
import {
  DialUDP,
  dialUDPAddress,
  errMissingAddress,
  ErrWriteToConnected,
  ListenUDP,
  listenUDPAddress,
  ResolveUDPAddr,
  UDPAddr,
  type UDPConn,
} from "../src/net/udpsock.ts";
import { ErrDeadlineExceeded, ErrNetClosing } from "../src/poll/errors.ts";
import { assertNoNewFds, bounded, listFds, sleep } from "./_util.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const loopback4 = IPv4(127, 0, 0, 1);

/** Runs op, returning the error it rejects with (failing if it succeeds). */
async function failure(op: () => Promise<unknown>): Promise<OpError> {
  try {
    await op();
  } catch (err) {
    if (err instanceof OpError) return err;
    throw new Error(`want an OpError, got ${err}`);
  }
  throw new Error("operation succeeded; want an error");
}

/** Closes every conn, even when a test fails half way. */
async function using(conns: UDPConn[], fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } finally {
    for (const c of conns) c.Close();
  }
}

function loopback(network: string): UDPAddr {
  return new UDPAddr(network === "udp6" ? IPv6loopback : loopback4, 0);
}

for (const network of ["udp", "udp4", "udp6"]) {
  Deno.test(`unconnected ${network} sockets echo datagrams with WriteTo and ReadFrom`, () =>
    bounded(5000, async () => {
      const srv = await ListenUDP(network, loopback(network));
      const cli = await ListenUDP(network, loopback(network));
      await using([srv, cli], async () => {
        const echo = (async () => {
          const buf = new Uint8Array(128);
          for (let i = 0; i < 3; i++) {
            const [n, from] = await srv.ReadFromUDP(buf);
            await srv.WriteToUDP(buf.subarray(0, n), from);
          }
        })();
        for (const msg of ["hello", "netpoll", "x".repeat(100)]) {
          assertEquals(await cli.WriteTo(enc.encode(msg), srv.LocalAddr()!), msg.length);
          const buf = new Uint8Array(128);
          const [n, from] = await cli.ReadFrom(buf);
          assertEquals(dec.decode(buf.subarray(0, n)), msg);
          assertInstanceOf(from, UDPAddr);
          assertEquals(from!.String(), srv.LocalAddr()!.String());
        }
        await echo;
      });
    }));

  Deno.test(`a connected ${network} socket from DialUDP talks to its peer with Read and Write`, () =>
    bounded(5000, async () => {
      const srv = await ListenUDP(network, loopback(network));
      const cli = await DialUDP(network, null, srv.LocalAddr() as UDPAddr);
      await using([srv, cli], async () => {
        assertEquals(cli.RemoteAddr()!.String(), srv.LocalAddr()!.String());
        assertEquals(srv.RemoteAddr(), null);
        assertEquals(await cli.Write(enc.encode("ping")), 4);
        const buf = new Uint8Array(16);
        const [n, from] = await srv.ReadFrom(buf);
        assertEquals(dec.decode(buf.subarray(0, n)), "ping");
        assertEquals(from!.String(), cli.LocalAddr()!.String());
        await srv.WriteTo(enc.encode("pong"), from!);
        assertEquals(await cli.Read(buf), 4);
        assertEquals(dec.decode(buf.subarray(0, 4)), "pong");
      });
    }));
}

Deno.test("listenUDPAddress and dialUDPAddress resolve strings and exchange datagrams", () =>
  bounded(5000, async () => {
    const srv = await listenUDPAddress("udp", "127.0.0.1:0");
    const cli = await dialUDPAddress("udp", srv.LocalAddr()!.String(), {
      LocalAddr: new UDPAddr(loopback4, 0),
    });
    await using([srv, cli], async () => {
      await cli.Write(enc.encode("hi"));
      const buf = new Uint8Array(8);
      const [n, from] = await srv.ReadFromUDP(buf);
      assertEquals(n, 2);
      assertEquals(from!.String(), cli.LocalAddr()!.String());
    });
  }));

Deno.test("a wildcard udp listener is dual-stack: it hears IPv4 and IPv6 senders", () =>
  bounded(5000, async () => {
    const srv = await listenUDPAddress("udp", ":0");
    const port = (srv.LocalAddr() as UDPAddr).Port;
    const c4 = await DialUDP("udp4", null, new UDPAddr(loopback4, port));
    const c6 = await DialUDP("udp6", null, new UDPAddr(IPv6loopback, port));
    await using([srv, c4, c6], async () => {
      const buf = new Uint8Array(8);
      await c4.Write(enc.encode("v4"));
      const [, from4] = await srv.ReadFromUDP(buf);
      assertEquals(from4!.IP!.String(), "127.0.0.1");
      await c6.Write(enc.encode("v6"));
      const [, from6] = await srv.ReadFromUDP(buf);
      assertEquals(from6!.IP!.String(), "::1");
    });
  }));

Deno.test("each ReadFrom returns exactly one datagram, keeping message boundaries", () =>
  bounded(5000, async () => {
    const srv = await ListenUDP("udp4", loopback("udp4"));
    const cli = await DialUDP("udp4", null, srv.LocalAddr() as UDPAddr);
    await using([srv, cli], async () => {
      const sizes = [1, 300, 1200];
      for (const [i, size] of sizes.entries()) await cli.Write(new Uint8Array(size).fill(i + 1));
      const buf = new Uint8Array(2048);
      for (const [i, size] of sizes.entries()) {
        const [n] = await srv.ReadFrom(buf);
        assertEquals(n, size);
        assert(buf.subarray(0, n).every((b) => b === i + 1));
      }
    });
  }));

Deno.test("a datagram longer than the buffer is truncated and the rest discarded", () =>
  bounded(5000, async () => {
    const srv = await ListenUDP("udp4", loopback("udp4"));
    const cli = await DialUDP("udp4", null, srv.LocalAddr() as UDPAddr);
    await using([srv, cli], async () => {
      await cli.Write(enc.encode("0123456789"));
      await cli.Write(enc.encode("abc"));
      const small = new Uint8Array(4);
      assertEquals((await srv.ReadFrom(small))[0], 4);
      assertEquals(dec.decode(small), "0123");
      const big = new Uint8Array(16);
      assertEquals((await srv.ReadFrom(big))[0], 3);
      assertEquals(dec.decode(big.subarray(0, 3)), "abc");
    });
  }));

Deno.test("ReadMsgUDP reports MSG_TRUNC for a datagram that did not fit", () =>
  bounded(5000, async () => {
    const srv = await ListenUDP("udp4", loopback("udp4"));
    const cli = await ListenUDP("udp4", loopback("udp4"));
    await using([srv, cli], async () => {
      const [wn, woobn] = await cli.WriteMsgUDP(
        enc.encode("0123456789"),
        null,
        srv.LocalAddr() as UDPAddr,
      );
      assertEquals([wn, woobn], [10, 0]);
      await cli.WriteMsgUDP(enc.encode("abc"), null, srv.LocalAddr() as UDPAddr);
      const buf = new Uint8Array(4);
      const [n, oobn, flags, from] = await srv.ReadMsgUDP(buf, new Uint8Array(64));
      assertEquals([n, oobn], [4, 0]);
      assert((flags & MSG_TRUNC) !== 0, `flags ${flags} lack MSG_TRUNC`);
      assertEquals(from!.String(), cli.LocalAddr()!.String());
      const [n2, , flags2] = await srv.ReadMsgUDP(buf, null);
      assertEquals(n2, 3);
      assertEquals(flags2 & MSG_TRUNC, 0);
    });
  }));

Deno.test("zero-byte datagrams are sent and received (Go's TestUDPZeroBytePayload)", () =>
  bounded(5000, async () => {
    const srv = await ListenUDP("udp4", loopback("udp4"));
    const cli = await DialUDP("udp4", null, srv.LocalAddr() as UDPAddr);
    await using([srv, cli], async () => {
      assertEquals(await cli.Write(new Uint8Array(0)), 0);
      const [n, from] = await srv.ReadFrom(new Uint8Array(8));
      assertEquals(n, 0);
      assertEquals(from!.String(), cli.LocalAddr()!.String());
    });
  }));

Deno.test("a read deadline fails a parked ReadFrom with ErrDeadlineExceeded", () =>
  bounded(5000, async () => {
    const c = await ListenUDP("udp4", loopback("udp4"));
    await using([c], async () => {
      const start = Date.now();
      c.SetReadDeadline(new Date(start + 50));
      const err = await failure(() => c.ReadFrom(new Uint8Array(8)));
      assert(Date.now() - start >= 45, "returned before the deadline");
      assert(Is(err, ErrDeadlineExceeded), String(err));
      assert(err.Timeout());
      assertEquals(err.message, `read udp4 ${c.LocalAddr()}: i/o timeout`);
      // A deadline in the past fails ReadMsgUDP at once too.
      c.SetReadDeadline(new Date(0));
      assert(Is(await failure(() => c.ReadMsgUDP(new Uint8Array(8), null)), ErrDeadlineExceeded));
    });
  }));

Deno.test("Close unblocks a parked ReadFrom with ErrClosed", () =>
  bounded(5000, async () => {
    const c = await ListenUDP("udp4", loopback("udp4"));
    const read = failure(() => c.ReadFrom(new Uint8Array(8)));
    await sleep(20);
    c.Close();
    const err = await read;
    assert(Is(err, ErrNetClosing), String(err));
    assertEquals(err.Op, "read");
    // A second Close fails the same way, as in Go.
    assert(Is(await failure(() => Promise.resolve().then(() => c.Close())), ErrNetClosing));
  }));

Deno.test("a connected socket's Read reports the peer's ICMP port unreachable", () =>
  bounded(5000, async () => {
    const gone = await ListenUDP("udp4", loopback("udp4"));
    const raddr = gone.LocalAddr() as UDPAddr;
    gone.Close();
    const c = await DialUDP("udp4", null, raddr);
    await using([c], async () => {
      await c.Write(enc.encode("anyone?"));
      const err = await failure(() => c.Read(new Uint8Array(8)));
      assertEquals(err.message, `read udp4 ${c.LocalAddr()}->${raddr}: read: connection refused`);
    });
  }));

Deno.test("writes naming a destination on a connected socket fail with ErrWriteToConnected", () =>
  bounded(5000, async () => {
    const srv = await ListenUDP("udp4", loopback("udp4"));
    const cli = await DialUDP("udp4", null, srv.LocalAddr() as UDPAddr);
    await using([srv, cli], async () => {
      const to = srv.LocalAddr() as UDPAddr;
      for (
        const op of [
          () => cli.WriteTo(enc.encode("x"), to),
          () => cli.WriteToUDP(enc.encode("x"), to),
          () => cli.WriteMsgUDP(enc.encode("x"), null, to),
        ]
      ) {
        const err = await failure(op);
        assertEquals(err.Err, ErrWriteToConnected);
        assertEquals(
          err.message,
          `write udp4 ${cli.LocalAddr()}->${to}: use of WriteTo with pre-connected connection`,
        );
      }
      // With no address, WriteMsgUDP goes to the connected peer.
      assertEquals(await cli.WriteMsgUDP(enc.encode("ok"), null, null), [2, 0]);
      assertEquals((await srv.ReadFrom(new Uint8Array(8)))[0], 2);
    });
  }));

Deno.test("writes without a usable destination on an unconnected socket fail as in Go", () =>
  bounded(5000, async () => {
    const c = await ListenUDP("udp4", loopback("udp4"));
    await using([c], async () => {
      const la = c.LocalAddr()!.String();
      const missing = await failure(() => c.WriteToUDP(enc.encode("x"), null));
      assertEquals(missing.Err, errMissingAddress);
      assertEquals(missing.message, `write udp4 ${la}: missing address`);
      const msgMissing = await failure(() => c.WriteMsgUDP(enc.encode("x"), null, null));
      assertEquals(msgMissing.Err, errMissingAddress);
      const tcp = new TCPAddr(loopback4, 9);
      const wrongType = await failure(() => c.WriteTo(enc.encode("x"), tcp));
      assertEquals(wrongType.Err, EINVAL);
      assertEquals(wrongType.message, `write udp4 ${la}->127.0.0.1:9: invalid argument`);
    });
  }));

Deno.test("a 70000-byte datagram fails with message too long; 65507 bytes go through", () =>
  bounded(5000, async () => {
    const srv = await ListenUDP("udp4", loopback("udp4"));
    const cli = await ListenUDP("udp4", loopback("udp4"));
    await using([srv, cli], async () => {
      const to = srv.LocalAddr() as UDPAddr;
      const err = await failure(() => cli.WriteToUDP(new Uint8Array(70000), to));
      assertInstanceOf(err.Err, SyscallError);
      assertEquals(err.message, `write udp4 ${cli.LocalAddr()}->${to}: sendto: message too long`);
      assertEquals(await cli.WriteToUDP(new Uint8Array(65507).fill(7), to), 65507);
      const buf = new Uint8Array(70000);
      assertEquals((await srv.ReadFrom(buf))[0], 65507);
    });
  }));

Deno.test("an IPv6 destination on a udp4 socket fails with Go's non-IPv4 address error", () =>
  bounded(5000, async () => {
    const c = await ListenUDP("udp4", loopback("udp4"));
    await using([c], async () => {
      const to = new UDPAddr(IPv6loopback, 9);
      const err = await failure(() => c.WriteToUDP(enc.encode("x"), to));
      assertInstanceOf(As(err, AddrError), AddrError);
      assertEquals(
        err.message,
        `write udp4 ${c.LocalAddr()}->[::1]:9: address ::1: non-IPv4 address`,
      );
    });
    const dial = await failure(() => DialUDP("udp4", null, new UDPAddr(IPv6loopback, 9)));
    assertEquals(dial.message, "dial udp4 [::1]:9: address ::1: non-IPv4 address");
  }));

Deno.test("bad networks and missing addresses fail with Go's OpErrors", async () => {
  const cases: [() => Promise<unknown>, string][] = [
    [() => ListenUDP("tcp", null), "listen tcp: unknown network tcp"],
    [
      () => ListenUDP("udp5", new UDPAddr(loopback4, 1)),
      "listen udp5 127.0.0.1:1: unknown network udp5",
    ],
    [
      () => DialUDP("ip", null, new UDPAddr(loopback4, 1)),
      "dial ip 127.0.0.1:1: unknown network ip",
    ],
    [() => DialUDP("udp", null, null), "dial udp: missing address"],
    [() => listenUDPAddress("tcp", ":0"), "listen tcp: unknown network tcp"],
    [
      () => listenUDPAddress("udp", "127.0.0.1"),
      "listen udp: address 127.0.0.1: missing port in address",
    ],
    [() => dialUDPAddress("udp", ""), "dial udp: missing address"],
    [
      () => dialUDPAddress("udp4", "[::1]:53"),
      "dial udp4: address ::1: no suitable address found",
    ],
    [
      () => dialUDPAddress("udp", "127.0.0.1:53", { LocalAddr: new UDPAddr(IPv6loopback, 0) }),
      "dial udp: address [::1]:0: no suitable address found",
    ],
  ];
  for (const [op, want] of cases) {
    const err = await failure(op);
    assertEquals(err.message, want);
  }
  const unknown = await failure(() => ListenUDP("tcp", null));
  assertInstanceOf(unknown.Err, UnknownNetworkError);
});

Deno.test("binding a UDP port already in use fails with address already in use", () =>
  bounded(5000, async () => {
    const a = await ListenUDP("udp4", loopback("udp4"));
    await using([a], async () => {
      const err = await failure(() => ListenUDP("udp4", a.LocalAddr() as UDPAddr));
      assertEquals(err.message, `listen udp4 ${a.LocalAddr()}: bind: address already in use`);
    });
  }));

// Go's resolveUDPAddrTests, with "localhost"-free names.
const resolveUDPAddrTests: [string, string, UDPAddr | null, string | null][] = [
  ["udp", "127.0.0.1:0", new UDPAddr(IPv4(127, 0, 0, 1), 0), null],
  ["udp4", "127.0.0.1:65535", new UDPAddr(IPv4(127, 0, 0, 1), 65535), null],
  ["udp", "[::1]:0", new UDPAddr(ParseIP("::1"), 0), null],
  ["udp6", "[::1]:65535", new UDPAddr(ParseIP("::1"), 65535), null],
  ["udp", "[::1%en0]:1", new UDPAddr(ParseIP("::1"), 1, "en0"), null],
  ["udp6", "[::1%911]:2", new UDPAddr(ParseIP("::1"), 2, "911"), null],
  ["", "127.0.0.1:0", new UDPAddr(IPv4(127, 0, 0, 1), 0), null],
  ["", "[::1]:0", new UDPAddr(ParseIP("::1"), 0), null],
  ["udp", ":12345", new UDPAddr(null, 12345), null],
  ["http", "127.0.0.1:0", null, "unknown network http"],
  ["udp", "127.0.0.1:domain", new UDPAddr(ParseIP("127.0.0.1"), 53), null],
  ["udp", "[::ffff:127.0.0.1]:domain", new UDPAddr(ParseIP("::ffff:127.0.0.1"), 53), null],
  ["udp", "[2001:db8::1]:domain", new UDPAddr(ParseIP("2001:db8::1"), 53), null],
  ["udp4", "127.0.0.1:domain", new UDPAddr(ParseIP("127.0.0.1"), 53), null],
  ["udp4", "[::ffff:127.0.0.1]:domain", new UDPAddr(ParseIP("127.0.0.1"), 53), null],
  ["udp6", "[2001:db8::1]:domain", new UDPAddr(ParseIP("2001:db8::1"), 53), null],
  ["udp4", "[2001:db8::1]:domain", null, "address 2001:db8::1: no suitable address found"],
  ["udp6", "127.0.0.1:domain", null, "address 127.0.0.1: no suitable address found"],
  [
    "udp6",
    "[::ffff:127.0.0.1]:domain",
    null,
    "address ::ffff:127.0.0.1: no suitable address found",
  ],
  ["udp", "127.0.0.1:99999", null, "address 99999: invalid port"],
];

Deno.test("ResolveUDPAddr resolves Go's table, and its String() resolves back", async () => {
  for (const [network, address, want, wantErr] of resolveUDPAddrTests) {
    const what = `ResolveUDPAddr(${JSON.stringify(network)}, ${JSON.stringify(address)})`;
    if (wantErr !== null) {
      await assertRejects(() => ResolveUDPAddr(network, address), Error, wantErr, what);
      continue;
    }
    for (const [net, addr] of [[network, address], ["udp", ""]]) {
      const got = await ResolveUDPAddr(net, addr === "" ? want!.String() : addr);
      assertInstanceOf(got, UDPAddr, what);
      assertEquals(got.Network(), "udp");
      assertEquals(got.String(), want!.String(), what);
      assert(got.IP === null ? want!.IP === null : got.IP.Equal(want!.IP!), what);
      assertEquals([got.Port, got.Zone], [want!.Port, want!.Zone], what);
    }
  }
});

Deno.test("UDP sockets leak no fds, also on failed listens, dials and writes", () =>
  bounded(10000, async () => {
    const before = listFds();
    for (let i = 0; i < 20; i++) {
      const srv = await ListenUDP("udp", loopback("udp"));
      const cli = await DialUDP("udp", null, srv.LocalAddr() as UDPAddr);
      await cli.Write(enc.encode("x"));
      await srv.ReadFrom(new Uint8Array(4));
      await failure(() => cli.WriteTo(enc.encode("x"), srv.LocalAddr()!));
      await failure(() => ListenUDP("udp4", srv.LocalAddr() as UDPAddr));
      await failure(() => DialUDP("udp4", null, new UDPAddr(IPv6loopback, 9)));
      const parked = failure(() => srv.ReadFrom(new Uint8Array(4)));
      srv.Close();
      await parked;
      cli.Close();
    }
    assertNoNewFds(before);
  }));

Deno.test("a conn's remote address is its own copy, not the IP the caller dialed with", () =>
  bounded(5000, async () => {
    for (const network of ["udp4", "udp6"]) {
      const srv = await ListenUDP(network, loopback(network));
      const port = (srv.LocalAddr() as UDPAddr).Port;
      const want = srv.LocalAddr()?.String();
      const ip = network === "udp4" ? IPv4(127, 0, 0, 1) : ParseIP("::1")!;
      const c = await DialUDP(network, null, new UDPAddr(ip, port));
      try {
        // The caller changes its IP after dialing: the conn must not see it.
        ip[ip.length - 1] ^= 3;
        assertEquals(c.RemoteAddr()?.String(), want);
      } finally {
        c.Close();
        srv.Close();
      }
    }
  }));
