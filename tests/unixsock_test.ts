// Unix domain sockets, after Go's unixsock_test.go, unixsock_linux_test.go
// and unixsock_readmsg_test.go: stream, seqpacket and datagram sockets,
// abstract names, socket-file unlinking and fd passing with SCM_RIGHTS.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertNotEquals,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { MSG_TRUNC, O_CLOEXEC, O_RDONLY, SCM_RIGHTS, SOL_SOCKET } from "../ffi/constants.ts";
import { EINVAL } from "../ffi/errno.ts";
import * as libc from "../ffi/libc.ts";
import { EOF, ErrDeadlineExceeded, ErrNetClosing } from "../src/poll/errors.ts";
import { AddrError, Is, OpError, UnknownNetworkError } from "../src/net/errors.ts";
import {
  CmsgLen,
  CmsgSpace,
  ParseSocketControlMessage,
  ParseUnixRights,
  UnixRights,
} from "../src/net/sockmsg.ts";
import {
  DialUnix,
  dialUnixAddress,
  ListenUnix,
  listenUnixAddress,
  ListenUnixgram,
  listenUnixgramAddress,
  ResolveUnixAddr,
  UnixAddr,
  type UnixConn,
  type UnixListener,
} from "../src/net/unixsock.ts";
import { ErrWriteToConnected } from "../src/net/udpsock.ts";
import { assertNoNewFds, bounded, listFds, readFull, sleep } from "./_util.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** fcntl(2) F_GETFD and FD_CLOEXEC (fcntl.h). */
const F_GETFD = 1;
const FD_CLOEXEC = 1;

/**
 * Runs fn with a fresh temporary directory, removed afterwards, inside
 * bounded(), and checks that no socket fd is left open.
 */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const before = listFds();
  const dir = Deno.makeTempDirSync({ prefix: "netpoll-unix-" });
  try {
    await bounded(5000, () => fn(dir));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  assertNoNewFds(before);
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

function abstractName(): string {
  return `@netpoll-test-${crypto.randomUUID()}`;
}

/** A listener on name and a connected client/server pair. */
async function unixPair(
  network: string,
  name: string,
): Promise<{ ln: UnixListener; client: UnixConn; server: UnixConn }> {
  const ln = await ListenUnix(network, new UnixAddr(name, network));
  const [client, server] = await Promise.all([
    DialUnix(network, null, new UnixAddr(name, network)),
    ln.AcceptUnix(),
  ]);
  return { ln, client, server };
}

Deno.test("ResolveUnixAddr takes the name as is on unix networks and rejects others", () => {
  for (const network of ["unix", "unixgram", "unixpacket"]) {
    for (const name of ["/tmp/a.sock", "rel.sock", "@abstract", ""]) {
      const a = ResolveUnixAddr(network, name);
      assertEquals([a.Network(), a.String(), a.Name, a.Net], [network, name, name, network]);
    }
  }
  for (const network of ["tcp", "udp", "unix4", "", "UNIX"]) {
    const err = assertThrows(() => ResolveUnixAddr(network, "/tmp/a.sock"), UnknownNetworkError);
    assertEquals(err.message, `unknown network ${network}`);
  }
});

Deno.test("UnixRights encodes a 64-bit Linux cmsghdr with 8-byte aligned data", () => {
  assertEquals([CmsgLen(0), CmsgLen(4), CmsgSpace(4), CmsgSpace(12)], [16, 20, 24, 32]);
  const one = UnixRights(7);
  assertEquals(one.length, 24);
  const v = new DataView(one.buffer);
  assertEquals(v.getBigUint64(0, true), 20n);
  assertEquals([v.getInt32(8, true), v.getInt32(12, true)], [SOL_SOCKET, SCM_RIGHTS]);
  assertEquals(v.getInt32(16, true), 7);
  assertEquals(UnixRights(3, 4, 5).length, 32);
  assertEquals(ParseUnixRights(UnixRights(3, 4, 5)), [3, 4, 5]);
  assertThrows(() => UnixRights(-1), RangeError);
  assertThrows(() => UnixRights(1.5), RangeError);
});

Deno.test("ParseUnixRights collects the fds of every SCM_RIGHTS message and rejects bad headers", () => {
  const a = UnixRights(1);
  const b = UnixRights(2, 3);
  const both = new Uint8Array(a.length + b.length);
  both.set(a);
  both.set(b, a.length);
  const msgs = ParseSocketControlMessage(both);
  assertEquals(msgs.map((m) => m.Header.Len), [20, 24]);
  assertEquals(ParseUnixRights(both), [1, 2, 3]);
  assertEquals(ParseUnixRights(msgs[1]), [2, 3]);
  assertEquals(ParseUnixRights(new Uint8Array(0)), []);

  const other = { Header: { Len: 20, Level: SOL_SOCKET, Type: 2 }, Data: new Uint8Array(4) };
  assertEquals(assertThrows(() => ParseUnixRights(other)), EINVAL);
  // A header claiming more bytes than there are, or fewer than itself.
  const long = UnixRights(1);
  new DataView(long.buffer).setBigUint64(0, 100n, true);
  assertEquals(assertThrows(() => ParseSocketControlMessage(long)), EINVAL);
  const short = UnixRights(1);
  new DataView(short.buffer).setBigUint64(0, 8n, true);
  assertEquals(assertThrows(() => ParseUnixRights(short)), EINVAL);
});

Deno.test("a unix stream socket echoes over a path and reports Go's local and remote names", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/echo.sock`;
    const { ln, client, server } = await unixPair("unix", path);
    try {
      assertEquals(ln.Addr(), new UnixAddr(path, "unix"));
      // An unnamed socket is the empty abstract name, which Go spells "@".
      assertEquals(client.LocalAddr(), new UnixAddr("@", "unix"));
      assertEquals(client.RemoteAddr(), new UnixAddr(path, "unix"));
      assertEquals(server.LocalAddr(), new UnixAddr(path, "unix"));
      assertEquals(server.RemoteAddr(), new UnixAddr("@", "unix"));

      const msg = enc.encode("hello over a unix socket");
      assertEquals(await client.Write(msg), msg.length);
      const buf = new Uint8Array(msg.length);
      await readFull(server, buf);
      await server.Write(buf);
      const back = new Uint8Array(msg.length);
      await readFull(client, back);
      assertEquals(dec.decode(back), "hello over a unix socket");

      client.CloseWrite();
      await assertRejects(() => server.Read(new Uint8Array(8)), Error, EOF.message);
      await server.Write(enc.encode("still open"));
      assertEquals(await client.Read(new Uint8Array(16)), 10);
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
  });
});

Deno.test("a unix listener yields accepted conns until it is closed", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/iter.sock`;
    const ln = await listenUnixAddress("unix", path);
    const clients = await Promise.all([1, 2, 3].map(() => dialUnixAddress("unix", path)));
    let accepted = 0;
    for await (const c of ln) {
      c.Close();
      if (++accepted === 3) ln.Close();
    }
    assertEquals(accepted, 3);
    for (const c of clients) c.Close();
  });
});

Deno.test("unixpacket (SOCK_SEQPACKET) keeps message boundaries and reads EOF after the peer closes", async () => {
  await inTempDir(async (dir) => {
    const { ln, client, server } = await unixPair("unixpacket", `${dir}/packet.sock`);
    try {
      assertEquals(client.RemoteAddr()?.Network(), "unixpacket");
      for (const m of ["a", "bb", "ccc"]) await client.Write(enc.encode(m));
      const buf = new Uint8Array(64);
      const got: string[] = [];
      for (let i = 0; i < 3; i++) got.push(dec.decode(buf.subarray(0, await server.Read(buf))));
      assertEquals(got, ["a", "bb", "ccc"]);

      // A message longer than the buffer is cut short and says so.
      await client.Write(enc.encode("0123456789"));
      const [n, oobn, flags, from] = await server.ReadMsgUnix(new Uint8Array(4), null);
      assertEquals([n, oobn, from], [4, 0, null]);
      assert(flags & MSG_TRUNC);

      client.Close();
      await assertRejects(() => server.Read(buf), Error, EOF.message);
      await assertRejects(() => server.ReadFromUnix(buf), Error, EOF.message);
    } finally {
      server.Close();
      ln.Close();
    }
  });
});

Deno.test("unixgram ReadFromUnix/WriteToUnix keep datagram boundaries and name the sender", async () => {
  await inTempDir(async (dir) => {
    const aAddr = ResolveUnixAddr("unixgram", `${dir}/a.sock`);
    const bAddr = ResolveUnixAddr("unixgram", `${dir}/b.sock`);
    const a = await ListenUnixgram("unixgram", aAddr);
    const b = await listenUnixgramAddress("unixgram", bAddr.Name);
    try {
      assertEquals(a.LocalAddr(), aAddr);
      assertEquals(a.RemoteAddr(), null);
      assertEquals(await a.WriteToUnix(enc.encode("one"), bAddr), 3);
      assertEquals(await a.WriteTo(enc.encode("two!"), bAddr), 4);
      assertEquals(await a.WriteToUnix(new Uint8Array(0), bAddr), 0);
      assertEquals(await a.WriteToUnix(enc.encode("truncated"), bAddr), 9);
      const buf = new Uint8Array(64);
      let [n, from] = await b.ReadFromUnix(buf);
      assertEquals([dec.decode(buf.subarray(0, n)), from], ["one", aAddr]);
      const [gn, gfrom] = await b.ReadFrom(buf);
      assertEquals([dec.decode(buf.subarray(0, gn)), gfrom], ["two!", aAddr]);
      [n, from] = await b.ReadFromUnix(buf);
      assertEquals([n, from], [0, aAddr]);
      [n, from] = await b.ReadFromUnix(buf.subarray(0, 5));
      assertEquals([dec.decode(buf.subarray(0, n)), from], ["trunc", aAddr]);

      // An unbound socket is an unnamed sender: no address (Go's
      // TestReadUnixgramWithUnnamedSocket).
      const unnamed = await DialUnix("unixgram", null, bAddr);
      await unnamed.Write(enc.encode("anon"));
      [n, from] = await b.ReadFromUnix(buf);
      assertEquals([dec.decode(buf.subarray(0, n)), from], ["anon", null]);

      // Go's testUnixgramWriteConn: a connected socket refuses WriteTo.
      for (
        const write of [
          () => unnamed.WriteToUnix(enc.encode("x"), bAddr),
          () => unnamed.WriteTo(enc.encode("x"), bAddr),
          () => unnamed.WriteMsgUnix(enc.encode("x"), null, bAddr),
        ]
      ) {
        const err = await assertRejects(write, OpError);
        assertEquals(err.Err, ErrWriteToConnected);
      }
      unnamed.Close();

      // Go's testUnixgramWritePacketConn: an unconnected socket has no peer to Write to.
      await assertRejects(() => a.Write(enc.encode("x")), OpError, "write unixgram");
      const [mn, moobn] = await a.WriteMsgUnix(enc.encode("msg"), null, bAddr);
      assertEquals([mn, moobn], [3, 0]);
      [n, from] = await b.ReadFromUnix(buf);
      assertEquals([dec.decode(buf.subarray(0, n)), from], ["msg", aAddr]);

      // Destinations of the wrong kind.
      let err = await assertRejects(() => a.WriteToUnix(enc.encode("x"), null), OpError);
      assertEquals(err.message, `write unixgram ${aAddr.Name}: missing address`);
      err = await assertRejects(
        () => a.WriteToUnix(enc.encode("x"), new UnixAddr(bAddr.Name, "unix")),
        OpError,
      );
      assertEquals(
        err.message,
        `write unixgram ${aAddr.Name}->${bAddr.Name}: address family not supported by protocol`,
      );
      err = await assertRejects(
        () => a.WriteTo(enc.encode("x"), { Network: () => "tcp", String: () => "1.2.3.4:5" }),
        OpError,
      );
      assertEquals(err.Err, EINVAL);
      err = await assertRejects(
        () => a.WriteToUnix(enc.encode("x"), new UnixAddr(`${dir}/nobody.sock`, "unixgram")),
        OpError,
      );
      assertEquals(
        err.message,
        `write unixgram ${aAddr.Name}->${dir}/nobody.sock: sendto: no such file or directory`,
      );
    } finally {
      a.Close();
      b.Close();
    }
  });
});

/** Opens a file holding text with the library's FFI; returns the fd. */
function openWith(path: string, text: string): number {
  Deno.writeTextFileSync(path, text);
  const fd = libc.open(path, O_RDONLY | O_CLOEXEC, 0);
  assert(fd >= 0, `open: errno ${-fd}`);
  return fd;
}

/** Reads what the fd has left through the FFI. */
function readAll(fd: number): string {
  const buf = new Uint8Array(256);
  const n = libc.read(fd, buf);
  assert(n >= 0, `read: errno ${-n}`);
  return dec.decode(buf.subarray(0, n));
}

for (const payload of ["fd attached", ""]) {
  Deno.test(`WriteMsgUnix passes an open fd with UnixRights${payload === "" ? " and no data (one dummy byte carries it)" : ""}`, async () => {
    await inTempDir(async (dir) => {
      const fd = openWith(`${dir}/data.txt`, "read through a passed fd");
      const { ln, client, server } = await unixPair("unix", abstractName());
      const received: number[] = [];
      try {
        const rights = UnixRights(fd);
        const [n, oobn] = await client.WriteMsgUnix(enc.encode(payload), rights, null);
        assertEquals([n, oobn], [payload.length, rights.length]);

        const buf = new Uint8Array(payload.length);
        const oob = new Uint8Array(CmsgSpace(4));
        const [rn, roobn, flags, from] = await server.ReadMsgUnix(buf, oob);
        received.push(...ParseUnixRights(oob.subarray(0, roobn)));
        // Go reports the dummy byte it read as one byte.
        assertEquals([rn, roobn, flags, from], [Math.max(payload.length, 1), oob.length, 0, null]);
        assertEquals(dec.decode(buf), payload);
        assertEquals(received.length, 1);
        assertNotEquals(received[0], fd);
        assertEquals(libc.fcntl(received[0], F_GETFD, 0) & FD_CLOEXEC, FD_CLOEXEC);
        assertEquals(readAll(received[0]), "read through a passed fd");
      } finally {
        for (const r of received) libc.close(r);
        libc.close(fd);
        client.Close();
        server.Close();
        ln.Close();
      }
    });
  });
}

Deno.test("fds pass over unixgram too, several in one message", async () => {
  await inTempDir(async (dir) => {
    const fds = [openWith(`${dir}/one.txt`, "one"), openWith(`${dir}/two.txt`, "two")];
    const addr = new UnixAddr(abstractName(), "unixgram");
    const rx = await ListenUnixgram("unixgram", addr);
    const tx = await ListenUnixgram("unixgram", new UnixAddr(abstractName(), "unixgram"));
    const received: number[] = [];
    try {
      await tx.WriteMsgUnix(enc.encode("two fds"), UnixRights(...fds), addr);
      const oob = new Uint8Array(CmsgSpace(8));
      const buf = new Uint8Array(16);
      const [n, oobn, , from] = await rx.ReadMsgUnix(buf, oob);
      received.push(...ParseUnixRights(oob.subarray(0, oobn)));
      assertEquals(dec.decode(buf.subarray(0, n)), "two fds");
      assertEquals(from, tx.LocalAddr());
      assertEquals(received.map(readAll), ["one", "two"]);
    } finally {
      for (const fd of [...received, ...fds]) libc.close(fd);
      rx.Close();
      tx.Close();
    }
  });
});

Deno.test("an abstract socket name leaves no file anywhere", async () => {
  await inTempDir(async (dir) => {
    const name = abstractName();
    const cwd = Deno.cwd();
    const places = [cwd, dir, "/tmp"].flatMap((d) => [`${d}/${name}`, `${d}/${name.slice(1)}`]);
    const { ln, client, server } = await unixPair("unix", name);
    try {
      assertEquals(ln.Addr().String(), name);
      assertEquals(client.RemoteAddr(), new UnixAddr(name, "unix"));
      await client.Write(enc.encode("abstract"));
      const buf = new Uint8Array(8);
      await readFull(server, buf);
      assertEquals(dec.decode(buf), "abstract");
      assertEquals(places.filter(exists), []);
    } finally {
      client.Close();
      server.Close();
      ln.Close();
    }
    assertEquals(places.filter(exists), []);
    // The name is gone with its socket.
    const err = await assertRejects(() => dialUnixAddress("unix", name), OpError);
    assertEquals(err.message, `dial unix ${name}: connect: connection refused`);
  });
});

Deno.test("Close removes the socket file the listener created, once; SetUnlinkOnClose(false) keeps it", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/unlink.sock`;
    let ln = await ListenUnix("unix", new UnixAddr(path, "unix"));
    assert(Deno.lstatSync(path).isSocket);
    ln.Close();
    assert(!exists(path));

    // Go's SecondClose: only the first Close unlinks.
    ln = await ListenUnix("unix", new UnixAddr(path, "unix"));
    ln.Close();
    Deno.writeTextFileSync(path, "someone else's file");
    const err = assertThrows(() => ln.Close(), OpError);
    assertEquals(err.message, `close unix ${path}: use of closed network connection`);
    assert(exists(path));
    Deno.removeSync(path);

    ln = await ListenUnix("unix", new UnixAddr(path, "unix"));
    ln.SetUnlinkOnClose(false);
    ln.Close();
    assert(Deno.lstatSync(path).isSocket);
    // The stale file makes the next bind fail, as in Go.
    const inUse = await assertRejects(() => listenUnixAddress("unix", path), OpError);
    assertEquals(inUse.message, `listen unix ${path}: bind: address already in use`);

    Deno.removeSync(path);
    ln = await ListenUnix("unix", new UnixAddr(path, "unix"));
    ln.SetUnlinkOnClose(false);
    ln.SetUnlinkOnClose(true);
    ln.Close();
    assert(!exists(path));
  });
});

Deno.test("a path longer than sun_path fails with Go's invalid argument and leaks nothing", async () => {
  await inTempDir(async (dir) => {
    const name = (total: number) => `${dir}/${"x".repeat(total - dir.length - 1)}`;
    // 107 bytes and a NUL fit in sun_path.
    const fits = name(107);
    const ln = await listenUnixAddress("unix", fits);
    const c = await dialUnixAddress("unix", fits);
    c.Close();
    ln.Close();

    const long = name(108);
    const cases: [() => Promise<unknown>, string][] = [
      [() => ListenUnix("unix", new UnixAddr(long, "unix")), `listen unix ${long}: bind`],
      [() => listenUnixAddress("unixpacket", long), `listen unixpacket ${long}: bind`],
      [
        () => ListenUnixgram("unixgram", new UnixAddr(long, "unixgram")),
        `listen unixgram ${long}: bind`,
      ],
      [() => DialUnix("unix", null, new UnixAddr(long, "unix")), `dial unix ${long}: connect`],
      [() => dialUnixAddress("unixgram", long), `dial unixgram ${long}: connect`],
      [
        () => DialUnix("unix", new UnixAddr(long, "unix"), new UnixAddr(fits, "unix")),
        `dial unix ${long}->${fits}: bind`,
      ],
    ];
    for (const [op, prefix] of cases) {
      const err = await assertRejects(op, OpError);
      assertEquals(err.message, `${prefix}: invalid argument`);
      assert(Is(err, EINVAL));
    }
    assert(!exists(long));
  });
});

Deno.test("Close unblocks a parked Accept with ErrClosed", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/accept.sock`;
    const ln = await ListenUnix("unix", new UnixAddr(path, "unix"));
    const accept = ln.Accept();
    await sleep(20);
    ln.Close();
    const err = await assertRejects(() => accept, OpError);
    assertEquals(err.message, `accept unix ${path}: use of closed network connection`);
    assert(Is(err, ErrNetClosing));
  });
});

Deno.test("a read deadline fails a parked unix Read and ReadFromUnix with ErrDeadlineExceeded", async () => {
  await inTempDir(async () => {
    const { ln, client, server } = await unixPair("unix", abstractName());
    const gram = await ListenUnixgram("unixgram", new UnixAddr(abstractName(), "unixgram"));
    try {
      const start = Date.now();
      server.SetReadDeadline(new Date(Date.now() + 50));
      const err = await assertRejects(() => server.Read(new Uint8Array(8)), OpError);
      assert(Date.now() - start >= 40);
      assert(err.Timeout());
      assert(Is(err, ErrDeadlineExceeded));

      // Clearing it lets the next Read wait for data.
      server.SetReadDeadline(null);
      const read = server.Read(new Uint8Array(8));
      await client.Write(enc.encode("late"));
      assertEquals(await read, 4);

      gram.SetReadDeadline(new Date(Date.now() + 30));
      const gerr = await assertRejects(() => gram.ReadFromUnix(new Uint8Array(8)), OpError);
      assert(gerr.Timeout());
      assert(gerr.message.startsWith(`read unixgram ${gram.LocalAddr()!.String()}: `));
    } finally {
      gram.Close();
      client.Close();
      server.Close();
      ln.Close();
    }
  });
});

Deno.test("the string-address helpers report Go's errors for bad networks and addresses", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/s.sock`;
    const cases: [() => Promise<unknown>, string][] = [
      [() => dialUnixAddress("unix", ""), "dial unix: missing address"],
      [() => dialUnixAddress("tcp", path), "dial tcp: unknown network tcp"],
      [() => listenUnixAddress("unixgram", path), "listen unixgram: unknown network unixgram"],
      [() => listenUnixgramAddress("unix", path), "listen unix: unknown network unix"],
      [() => DialUnix("unix", null, null), "dial unix: missing address"],
      [() => DialUnix("unixgram", null, null), "dial unixgram: missing address"],
      [() => DialUnix("udp", null, new UnixAddr(path)), `dial udp ${path}: unknown network udp`],
      [
        () => ListenUnix("unixgram", new UnixAddr(path)),
        `listen unixgram ${path}: unknown network unixgram`,
      ],
      [() => ListenUnix("unix", null), "listen unix: missing address"],
      [
        () => ListenUnixgram("unix", new UnixAddr(path)),
        `listen unix ${path}: unknown network unix`,
      ],
      [() => ListenUnixgram("unixgram", null), "listen unixgram: missing address"],
      [
        () => dialUnixAddress("unix", path),
        `dial unix ${path}: connect: no such file or directory`,
      ],
    ];
    for (const [op, message] of cases) {
      const err = await assertRejects(op, OpError);
      assertEquals(err.message, message);
    }
    const mismatched = await assertRejects(
      () => dialUnixAddress("unix", path, { localAddr: new UnixAddr(`${dir}/l.sock`, "unixgram") }),
      OpError,
    );
    assertInstanceOf(mismatched.Err, AddrError);
    assertEquals(
      mismatched.message,
      `dial unix: address ${dir}/l.sock: mismatched local address type`,
    );
  });
});

Deno.test("dialUnixAddress binds a local name and runs the Control hook", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/srv.sock`;
    const local = new UnixAddr(`${dir}/cli.sock`, "unix");
    const ln = await listenUnixAddress("unix", path);
    const seen: [string, string, number][] = [];
    const [c, s] = await Promise.all([
      dialUnixAddress("unix", path, {
        localAddr: local,
        control: (network, address, fd) => seen.push([network, address, fd]),
      }),
      ln.AcceptUnix(),
    ]);
    try {
      assertEquals(c.LocalAddr(), local);
      assertEquals(s.RemoteAddr(), local);
      assertEquals(seen.length, 1);
      assertEquals(seen[0].slice(0, 2), ["unix", path]);
      const aborted = new AbortController();
      aborted.abort(new Error("stop"));
      const err = await assertRejects(
        () => dialUnixAddress("unix", path, { signal: aborted.signal }),
        OpError,
      );
      assertEquals(err.message, `dial unix ${path}: stop`);
    } finally {
      c.Close();
      s.Close();
      ln.Close();
    }
  });
});

Deno.test("an empty unixgram name autobinds to a kernel-chosen abstract name (Go's TestUnixgramAutobind)", async () => {
  await inTempDir(async () => {
    const c1 = await ListenUnixgram("unixgram", new UnixAddr("", "unixgram"));
    const auto = c1.LocalAddr() as UnixAddr;
    assert(auto.Name.length > 1 && auto.Name.startsWith("@"), `autobind address ${auto.Name}`);
    const c2 = await DialUnix("unixgram", null, auto);
    try {
      assertEquals(c2.RemoteAddr(), c1.LocalAddr());
      const ln = await ListenUnix("unix", new UnixAddr("", "unix"));
      assert(ln.Addr().String().length > 1);
      ln.Close();
    } finally {
      c2.Close();
      c1.Close();
    }
  });
});

Deno.test("an abstract name may fill all 108 bytes of sun_path (Go's TestUnixgramLinuxAbstractLongName)", async () => {
  await inTempDir(async () => {
    const name = "@" + "n".repeat(107);
    const c = await ListenUnixgram("unixgram", new UnixAddr(name, "unixgram"));
    const tx = await DialUnix("unixgram", null, new UnixAddr(name, "unixgram"));
    try {
      assertEquals(c.LocalAddr()?.String(), name);
      await tx.Write(new Uint8Array([1, 2, 3, 4, 5]));
      const b = new Uint8Array(64);
      c.SetReadDeadline(new Date(Date.now() + 1000));
      const [n, from] = await c.ReadFrom(b);
      assertEquals([Array.from(b.subarray(0, n)), from], [[1, 2, 3, 4, 5], null]);
    } finally {
      tx.Close();
      c.Close();
    }
  });
});
