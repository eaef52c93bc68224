// fdMutex semantics, ported from Go's internal/poll/fd_mutex_test.go.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { AF_INET, SOCK_STREAM } from "../ffi/constants.ts";
import { FD, sysSocket } from "../src/poll/fd.ts";
import { FdMutex } from "../src/poll/fd_mutex.ts";

Deno.test("incref and decref balance, and decref after close reports the last reference", () => {
  const mu = new FdMutex();
  assert(mu.incref());
  assert(!mu.decref());
  assert(mu.incref());
  assert(mu.increfAndClose());
  assert(!mu.decref());
  assert(mu.decref());
  assert(!mu.incref());
});

Deno.test("increfAndClose fails the second time", () => {
  const mu = new FdMutex();
  assert(mu.increfAndClose());
  assert(!mu.increfAndClose());
  assert(mu.decref());
});

Deno.test("a decref without a reference is an inconsistency", () => {
  const mu = new FdMutex();
  assertThrows(() => mu.decref(), Error, "inconsistent poll.fdMutex");
  assertThrows(() => mu.rwunlock(true), Error, "inconsistent poll.fdMutex");
});

Deno.test("read and write locks are independent", () => {
  const mu = new FdMutex();
  assertEquals(mu.rwlock(true), true);
  assertEquals(mu.rwlock(false), true);
  assert(!mu.rwunlock(true));
  assert(!mu.rwunlock(false));
});

Deno.test("a second reader waits until the first unlocks", async () => {
  const mu = new FdMutex();
  assertEquals(mu.rwlock(true), true);
  const second = mu.rwlock(true);
  if (!(second instanceof Promise)) throw new Error("second reader should wait");
  let got: boolean | null = null;
  second.then((v) => got = v);
  await Promise.resolve();
  assertEquals(got, null);
  mu.rwunlock(true);
  assertEquals(await second, true);
  assert(!mu.rwunlock(true));
});

Deno.test("close fails waiting lockers, and the last unlock reports destruction", async () => {
  const mu = new FdMutex();
  assertEquals(mu.rwlock(false), true);
  const waiter = mu.rwlock(false) as Promise<boolean>;
  assert(mu.increfAndClose());
  assertEquals(await waiter, false);
  assertEquals(mu.rwlock(true), false);
  assert(!mu.decref());
  assert(mu.rwunlock(false));
});

Deno.test("more than 2^20 - 1 references is an overflow, as in Go", () => {
  const mu = new FdMutex();
  for (let i = 0; i < (1 << 20) - 1; i++) assert(mu.incref());
  assertThrows(() => mu.incref(), Error, "too many concurrent operations");
  assertThrows(() => mu.rwlock(true), Error, "too many concurrent operations");
  assertThrows(() => mu.increfAndClose(), Error, "too many concurrent operations");
  assert(!mu.closed);
  assert(!mu.decref());
  assertEquals(mu.rwlock(true), true);
  assert(!mu.rwunlock(true));
});

Deno.test("an FD's Read and Write reject on reference overflow instead of throwing", async () => {
  const fd = new FD(sysSocket(AF_INET, SOCK_STREAM, 0), true, true);
  const n = (1 << 20) - 1;
  for (let i = 0; i < n; i++) assert(fd.incref());
  const r = fd.Read(new Uint8Array(1));
  const w = fd.Write(new Uint8Array(1));
  await assertRejects(() => r, Error, "too many concurrent operations");
  await assertRejects(() => w, Error, "too many concurrent operations");
  for (let i = 0; i < n; i++) fd.decref();
  fd.Close();
  assertEquals(fd.Sysfd, -1);
});
