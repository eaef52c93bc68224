// The kernel boundary's calls made by number (syscall(3), ffi/libc.ts's
// rawSyscalls): each must pass its arguments in the kernel's order and
// return what the kernel says, errno included, as the glibc wrapper did.
import { assert, assertEquals } from "@std/assert";
import {
  AF_INET,
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  EPOLL_CLOEXEC,
  F_GETFL,
  MSG_NOSIGNAL,
  O_NONBLOCK,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
} from "../ffi/constants.ts";
import { EAGAIN, EBADF, EINPROGRESS, EINVAL, ENOTCONN } from "../ffi/errno.ts";
import * as libc from "../ffi/libc.ts";
import { decodeSockaddr, encodeInet4Number, SIZEOF_SOCKADDR_IN } from "../ffi/sockaddr.ts";

const LOOPBACK = 0x7f000001;

Deno.test("the hot calls go by number on x86_64", () => {
  assertEquals(libc.rawSyscalls, Deno.build.arch === "x86_64");
});

/** A nonblocking socket bound to 127.0.0.1:0; returns it and its port. */
function bound(type: number): [number, number] {
  const fd = libc.socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  assert(fd >= 0, `socket: ${fd}`);
  assertEquals(libc.bind(fd, inet4(0), SIZEOF_SOCKADDR_IN), 0);
  assertEquals(libc.getsockname(fd), 0);
  return [fd, decodeSockaddr(libc.lastSockaddr(), SIZEOF_SOCKADDR_IN).port];
}

function inet4(port: number): Uint8Array {
  const sa = new Uint8Array(SIZEOF_SOCKADDR_IN);
  encodeInet4Number(sa, LOOPBACK, port);
  return sa;
}

Deno.test("every call made by number reports EBADF on a closed descriptor", () => {
  const fd = libc.eventfd(0, EFD_CLOEXEC);
  assertEquals(libc.close(fd), 0);
  const b = new Uint8Array(8);
  const cases: [string, () => number][] = [
    ["read", () => libc.read(fd, b)],
    ["write", () => libc.write(fd, b)],
    ["close", () => libc.close(fd)],
    ["writev", () => libc.writev(fd, [b, b])],
    ["connect", () => libc.connect(fd, inet4(1), SIZEOF_SOCKADDR_IN)],
    ["send", () => libc.send(fd, b, MSG_NOSIGNAL)],
    ["recv", () => libc.recv(fd, b, 0)],
    ["sendto", () => libc.sendto(fd, b, MSG_NOSIGNAL, inet4(1), SIZEOF_SOCKADDR_IN)],
    ["recvfrom", () => libc.recvfrom(fd, b, 0)],
    ["sendmsg", () => libc.sendmsg(fd, b, null, null, 0, MSG_NOSIGNAL)],
    ["recvmsg", () => libc.recvmsg(fd, b, null, 0)],
    ["epollWait", () => libc.epollWait(fd, new Uint8Array(12), 1, 0)],
    ["accept4", () => libc.accept4(fd, SOCK_CLOEXEC)],
  ];
  for (const [name, call] of cases) assertEquals(call(), -EBADF.errno, name);
});

Deno.test("read, write and epoll_wait by number move and report what the kernel has", () => {
  const efd = libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  const ep = libc.epollCreate1(EPOLL_CLOEXEC);
  try {
    const events = new Uint8Array(12 * 4);
    const word = new Uint8Array(new BigUint64Array([5n]).buffer);
    assertEquals(libc.read(efd, new Uint8Array(8)), -EAGAIN.errno);
    assertEquals(libc.epollWait(ep, events, 4, 0), 0);
    // EPOLLIN for data 7 (12-byte packed events).
    const ev = new Uint8Array(12);
    new DataView(ev.buffer).setUint32(0, 1, true);
    new DataView(ev.buffer).setUint32(4, 7, true);
    assertEquals(libc.epollCtl(ep, 1, efd, ev), 0);
    assertEquals(libc.write(efd, word), 8);
    assertEquals(libc.epollWait(ep, events, 4, 0), 1);
    const dv = new DataView(events.buffer);
    assertEquals(dv.getUint32(0, true) & 1, 1);
    assertEquals(dv.getUint32(4, true), 7);
    const out = new Uint8Array(8);
    assertEquals(libc.read(efd, out), 8);
    assertEquals(new BigUint64Array(out.buffer)[0], 5n);
    // maxevents 0 is EINVAL, from the kernel's own argument check.
    assertEquals(libc.epollWait(ep, events, 0, 0), -EINVAL.errno);
  } finally {
    libc.close(ep);
    libc.close(efd);
  }
});

Deno.test("a TCP exchange by number: connect, accept4, send, recv, writev, close", () => {
  const [ln, port] = bound(SOCK_STREAM);
  const c = libc.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  let s = -1;
  try {
    assertEquals(libc.listen(ln, 4), 0);
    assertEquals(libc.accept4(ln, SOCK_NONBLOCK | SOCK_CLOEXEC), -EAGAIN.errno);
    assertEquals(libc.recv(c, new Uint8Array(4), 0), -ENOTCONN.errno);
    const r = libc.connect(c, inet4(port), SIZEOF_SOCKADDR_IN);
    assert(r === 0 || r === -EINPROGRESS.errno, `connect: ${r}`);
    for (let i = 0; i < 1000 && s < 0; i++) s = libc.accept4(ln, SOCK_NONBLOCK | SOCK_CLOEXEC);
    assert(s >= 0, `accept4: ${s}`);
    // accept4's flags arrived: the new socket does not block (else recv below would).
    assert(libc.fcntl(s, F_GETFL, 0) & O_NONBLOCK, "accepted socket blocks");
    // accept4 filled the peer's address: the client's port.
    assertEquals(libc.getsockname(c), 0);
    const clientPort = decodeSockaddr(libc.lastSockaddr(), SIZEOF_SOCKADDR_IN).port;
    assert(clientPort > 0);

    const enc = new TextEncoder();
    assertEquals(libc.send(c, enc.encode("hello"), MSG_NOSIGNAL), 5);
    assertEquals(libc.writev(c, [enc.encode(", "), enc.encode("world")]), 7);
    const buf = new Uint8Array(64);
    let got = "";
    for (let i = 0; i < 1000 && got.length < 12; i++) {
      const n = libc.recv(s, buf, 0);
      if (n > 0) got += new TextDecoder().decode(buf.subarray(0, n));
      else assertEquals(n, -EAGAIN.errno);
    }
    assertEquals(got, "hello, world");
    assertEquals(libc.recv(s, buf, 0), -EAGAIN.errno);
    // The length argument bounds the read: 3 of the 4 bytes waiting.
    assertEquals(libc.send(s, enc.encode("abcd"), MSG_NOSIGNAL), 4);
    let n = -EAGAIN.errno;
    for (let i = 0; i < 1000 && n === -EAGAIN.errno; i++) n = libc.recv(c, buf.subarray(0, 3), 0);
    assertEquals(n, 3);
    assertEquals(libc.close(s), 0);
    s = -1;
    // The peer's close reads as EOF.
    let eof = -EAGAIN.errno;
    for (let i = 0; i < 1000 && eof < 0; i++) eof = libc.recv(c, buf.subarray(3), 0);
    assertEquals(eof, 1); // the "d" still queued
    eof = -EAGAIN.errno;
    for (let i = 0; i < 1000 && eof === -EAGAIN.errno; i++) eof = libc.recv(c, buf, 0);
    assertEquals(eof, 0);
  } finally {
    if (s >= 0) libc.close(s);
    libc.close(c);
    libc.close(ln);
  }
});

Deno.test("UDP by number: sendto and sendmsg address, recvfrom and recvmsg report the sender", () => {
  const [a, portA] = bound(SOCK_DGRAM);
  const [b, portB] = bound(SOCK_DGRAM);
  try {
    const enc = new TextEncoder();
    const buf = new Uint8Array(32);
    assertEquals(
      libc.sendto(a, enc.encode("one"), MSG_NOSIGNAL, inet4(portB), SIZEOF_SOCKADDR_IN),
      3,
    );
    let n = -EAGAIN.errno;
    for (let i = 0; i < 1000 && n === -EAGAIN.errno; i++) n = libc.recvfrom(b, buf, 0);
    assertEquals(n, 3);
    assertEquals(decodeSockaddr(libc.lastSockaddr(), SIZEOF_SOCKADDR_IN).port, portA);
    assertEquals(new TextDecoder().decode(buf.subarray(0, 3)), "one");

    const to = inet4(portA);
    assertEquals(
      libc.sendmsg(b, enc.encode("two!"), null, to, SIZEOF_SOCKADDR_IN, MSG_NOSIGNAL),
      4,
    );
    n = -EAGAIN.errno;
    for (let i = 0; i < 1000 && n === -EAGAIN.errno; i++) n = libc.recvmsg(a, buf, null, 0);
    assertEquals(n, 4);
    assertEquals(decodeSockaddr(libc.lastSockaddr(), SIZEOF_SOCKADDR_IN).port, portB);
    assertEquals(new TextDecoder().decode(buf.subarray(0, 4)), "two!");
    assertEquals(libc.recvfrom(a, buf, 0), -EAGAIN.errno);
  } finally {
    libc.close(a);
    libc.close(b);
  }
});
