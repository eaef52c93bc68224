import { assert, assertEquals, assertInstanceOf, assertStrictEquals } from "@std/assert";
import {
  EADDRINUSE,
  EAGAIN,
  EBADF,
  ECONNABORTED,
  ECONNREFUSED,
  ECONNRESET,
  EHOSTUNREACH,
  EINPROGRESS,
  EINTR,
  EINVAL,
  EISCONN,
  EMFILE,
  ENFILE,
  ENOTSUP,
  EOPNOTSUPP,
  EPERM,
  EPIPE,
  Errno,
  errnoErr,
  ETIMEDOUT,
  EWOULDBLOCK,
} from "../ffi/errno.ts";

// [errno, kernel name, Go 1.19 text from syscall/zerrors_linux_amd64.go]
const table: [number, string, string][] = [
  [1, "EPERM", "operation not permitted"],
  [2, "ENOENT", "no such file or directory"],
  [4, "EINTR", "interrupted system call"],
  [9, "EBADF", "bad file descriptor"],
  [11, "EAGAIN", "resource temporarily unavailable"],
  [13, "EACCES", "permission denied"],
  [22, "EINVAL", "invalid argument"],
  [24, "EMFILE", "too many open files"],
  [32, "EPIPE", "broken pipe"],
  [88, "ENOTSOCK", "socket operation on non-socket"],
  [95, "EOPNOTSUPP", "operation not supported"],
  [97, "EAFNOSUPPORT", "address family not supported by protocol"],
  [98, "EADDRINUSE", "address already in use"],
  [99, "EADDRNOTAVAIL", "cannot assign requested address"],
  [103, "ECONNABORTED", "software caused connection abort"],
  [104, "ECONNRESET", "connection reset by peer"],
  [107, "ENOTCONN", "transport endpoint is not connected"],
  [110, "ETIMEDOUT", "connection timed out"],
  [111, "ECONNREFUSED", "connection refused"],
  [113, "EHOSTUNREACH", "no route to host"],
  [115, "EINPROGRESS", "operation now in progress"],
  [132, "ERFKILL", "operation not possible due to RF-kill"],
];

Deno.test("errnoErr gives each number its kernel name and Go's text", () => {
  for (const [n, code, text] of table) {
    const e = errnoErr(n);
    assertInstanceOf(e, Errno);
    assertInstanceOf(e, Error);
    assertEquals(e.errno, n);
    assertEquals(e.code, code);
    assertEquals(e.message, text);
    assertEquals(e.Error(), text);
    assertEquals(e.name, "Errno");
    assertEquals(String(e), `Errno: ${text}`);
  }
});

Deno.test("the named constants carry their numbers", () => {
  const named: [Errno, number][] = [
    [EPERM, 1],
    [EINTR, 4],
    [EBADF, 9],
    [EAGAIN, 11],
    [EINVAL, 22],
    [EPIPE, 32],
    [EADDRINUSE, 98],
    [ECONNRESET, 104],
    [EISCONN, 106],
    [ETIMEDOUT, 110],
    [ECONNREFUSED, 111],
    [EHOSTUNREACH, 113],
    [EINPROGRESS, 115],
  ];
  for (const [e, n] of named) assertEquals(e.errno, n);
});

Deno.test("errnoErr returns one cached instance per number", () => {
  assertStrictEquals(errnoErr(111), ECONNREFUSED);
  assertStrictEquals(errnoErr(111), errnoErr(111));
  assertStrictEquals(new Errno(32), EPIPE);
  assertStrictEquals(errnoErr(5000), errnoErr(5000));
  assert(errnoErr(104) !== errnoErr(103));
});

Deno.test("Linux aliases are the same instance as their primary name", () => {
  assertStrictEquals(EWOULDBLOCK, EAGAIN);
  assertStrictEquals(ENOTSUP, EOPNOTSUPP);
  assertEquals(EAGAIN.code, "EAGAIN");
  assertEquals(EOPNOTSUPP.code, "EOPNOTSUPP");
});

Deno.test("unknown numbers print as Go's errno N with no name", () => {
  for (const n of [0, 41, 58, 133, 4095, -1]) {
    const e = errnoErr(n);
    assertEquals(e.message, `errno ${n}`);
    assertEquals(e.code, "");
    assertEquals(e.errno, n);
    assertEquals(e.Timeout(), false);
    assertEquals(e.Temporary(), false);
  }
});

Deno.test("Timeout is true exactly for EAGAIN and ETIMEDOUT as in Go", () => {
  for (let n = 0; n <= 140; n++) {
    assertEquals(errnoErr(n).Timeout(), n === 11 || n === 110, `errno ${n}`);
  }
  assert(EWOULDBLOCK.Timeout());
});

Deno.test("Temporary is true exactly for EINTR, EMFILE, ENFILE and timeouts as in Go", () => {
  const temporary = new Set([EINTR, EMFILE, ENFILE, EAGAIN, ETIMEDOUT]);
  for (let n = 0; n <= 140; n++) {
    const e = errnoErr(n);
    assertEquals(e.Temporary(), temporary.has(e), `${e.code} ${n}`);
  }
  // Go 1.19's syscall.Errno.Temporary leaves these to net's isConnError.
  assertEquals(ECONNRESET.Temporary(), false);
  assertEquals(ECONNABORTED.Temporary(), false);
});

Deno.test("shared instances carry no misleading stack trace", () => {
  assertEquals(ECONNREFUSED.stack, "Errno: connection refused");
});
