// Micro benchmarks for the layers under the API: the sockaddr codec, IP
// parsing (every Dial of a literal address), the cost of one FFI syscall,
// a 32-byte in-process ping-pong and connection setup.
// Run: deno task bench
import { decodeSockaddr, encodeInet4, encodeInet6 } from "../ffi/sockaddr.ts";
import * as libc from "../ffi/libc.ts";
import { AF_INET, SOCK_NONBLOCK, SOCK_STREAM } from "../ffi/constants.ts";
import { Dial, Listen, ParseIP, type TCPConn } from "../mod.ts";

const buf = new Uint8Array(128);
const ip4 = new Uint8Array([127, 0, 0, 1]);
const ip6 = new Uint8Array(16);
ip6[15] = 1;

Deno.bench("sockaddr: encode+decode IPv4", () => {
  const n = encodeInet4(buf, ip4, 8080);
  decodeSockaddr(buf, n);
});

Deno.bench("sockaddr: encode+decode IPv6", () => {
  const n = encodeInet6(buf, ip6, 8080, 0);
  decodeSockaddr(buf, n);
});

// ~1.0 µs here (most of it the typed array); 2.6–2.9 µs while IP had a
// static Symbol.species getter, which kept V8 recompiling every function
// that makes an IP.
Deno.bench("ip: ParseIP of an IPv4 literal", () => {
  ParseIP("127.0.0.1");
});

// An unconnected non-blocking socket: recv fails at once, so this is the
// FFI call plus the cheapest syscall path and the errno read.
const sock = libc.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
const small = new Uint8Array(16);
Deno.bench("ffi: recv on an unconnected socket (call + syscall + errno)", {
  group: "recv",
  baseline: true,
}, () => {
  libc.recv(sock, small, 0);
});

// The same call through glibc's recv(), a cancellation point: what
// libc.recv cost before it went by number (ffi/libc.ts rawSyscalls).
const wrappers = libc.libcSymbols;
Deno.bench("ffi: the same recv through glibc's wrapper", { group: "recv" }, () => {
  wrappers.recv(sock, small, small.byteLength, 0);
});

const epfd = libc.epollCreate1(0);
const events = new Uint8Array(12 * 128);
Deno.bench("ffi: epoll_wait(…, 0) on an empty epoll (the spin's poll)", {
  group: "epoll_wait",
  baseline: true,
}, () => {
  libc.epollWait(epfd, events, 128, 0);
});

Deno.bench("ffi: the same epoll_wait through glibc's wrapper", { group: "epoll_wait" }, () => {
  wrappers.epoll_wait(epfd, events, 128, 0);
});

const ln = await Listen("tcp", "127.0.0.1:0");
const [client, server] = await Promise.all([Dial("tcp", ln.Addr().String()), ln.Accept()]) as [
  TCPConn,
  TCPConn,
];
const echo = (async () => {
  const b = new Uint8Array(32);
  try {
    for (;;) {
      const n = await server.Read(b);
      await server.Write(b.subarray(0, n));
    }
  } catch {
    // Closed at the end.
  }
})();
const msg = new Uint8Array(32);
const reply = new Uint8Array(32);
Deno.bench("ping-pong: 32 B round trip over loopback, in process", async () => {
  await client.Write(msg);
  let got = 0;
  while (got < 32) got += await client.Read(reply);
});

// Connection setup cost: everything a Dial of a literal address does
// (parse, permission check, socket, connect, register, keep-alive options)
// plus the Accept and both Closes. Bounded count: every conn leaves a
// TIME_WAIT entry on loopback.
const churnLn = await Listen("tcp", "127.0.0.1:0");
const churnAddr = churnLn.Addr().String();
Deno.bench(
  "churn: Dial + Accept + Close of both ends, in process",
  { n: 4000, warmup: 400 },
  async () => {
    const [c, s] = await Promise.all([Dial("tcp", churnAddr), churnLn.Accept()]);
    s.Close();
    c.Close();
  },
);

globalThis.addEventListener("unload", () => {
  churnLn.Close();
  client.Close();
  server.Close();
  ln.Close();
  libc.close(sock);
  libc.close(epfd);
  void echo;
});
