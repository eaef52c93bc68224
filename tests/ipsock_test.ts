// Host/port strings and port numbers, ported from Go's net/ip_test.go
// (TestSplitHostPort, TestJoinHostPort) and net/port_test.go.
import { assertEquals, assertInstanceOf, assertThrows } from "@std/assert";
import { JoinHostPort, parsePort, SplitHostPort, splitHostZone } from "../src/net/ipsock.ts";
import { AddrError } from "../src/net/errors.ts";

// [hostport, host, port]: SplitHostPort(hostport) gives host and port, and
// JoinHostPort(host, port) gives hostport back, except where noted.
const splitJoinTests: [string, string, string][] = [
  // Host names.
  ["localhost:http", "localhost", "http"],
  ["localhost:80", "localhost", "80"],

  // Host names with a zone, which Go allows.
  ["localhost%lo0:http", "localhost%lo0", "http"],
  ["localhost%lo0:80", "localhost%lo0", "80"],

  // IP literals.
  ["127.0.0.1:http", "127.0.0.1", "http"],
  ["127.0.0.1:80", "127.0.0.1", "80"],
  ["[::1]:http", "::1", "http"],
  ["[::1]:80", "::1", "80"],

  // IPv6 literals with a zone.
  ["[::1%lo0]:http", "::1%lo0", "http"],
  ["[::1%lo0]:80", "::1%lo0", "80"],

  // An empty host stands for the wildcard address.
  [":http", "", "http"],
  [":80", "", "80"],

  // An empty port stands for any port.
  ["golang.org:", "golang.org", ""],
  ["127.0.0.1:", "127.0.0.1", ""],
  ["[::1]:", "::1", ""],

  // The service is opaque.
  ["golang.org:https%foo", "golang.org", "https%foo"],
];

// Split only: JoinHostPort does not bracket a host without a colon.
const splitOnlyTests: [string, string, string][] = [
  ["[localhost%lo0]:http", "localhost%lo0", "http"],
  ["[localhost%lo0]:80", "localhost%lo0", "80"],
  ["[]:80", "", "80"],
  ["[127.0.0.1]:80", "127.0.0.1", "80"],
];

const splitFailureTests: [string, string][] = [
  ["golang.org", "missing port in address"],
  ["127.0.0.1", "missing port in address"],
  ["[::1]", "missing port in address"],
  ["[fe80::1%lo0]", "missing port in address"],
  ["[localhost%lo0]", "missing port in address"],
  ["localhost%lo0", "missing port in address"],
  ["", "missing port in address"],

  ["::1", "too many colons in address"],
  ["fe80::1%lo0", "too many colons in address"],
  ["fe80::1%lo0:80", "too many colons in address"],

  // Cases Go 1 let through.
  ["[foo:bar]", "missing port in address"],
  ["[foo:bar]baz", "missing port in address"],
  ["[foo]bar:baz", "missing port in address"],

  ["[foo]:[bar]:baz", "too many colons in address"],

  ["[foo]:[bar]baz", "unexpected '[' in address"],
  ["foo[bar]:baz", "unexpected '[' in address"],

  ["foo]bar:baz", "unexpected ']' in address"],

  ["[::1:80", "missing ']' in address"],
  ["[::1]]:80", "missing port in address"],
  ["[::1]:80]", "unexpected ']' in address"],
  ["a]:80", "unexpected ']' in address"],
  ["[[::1]:80", "unexpected '[' in address"],
];

Deno.test("SplitHostPort splits host and port as Go does", () => {
  for (const [hostport, host, port] of [...splitJoinTests, ...splitOnlyTests]) {
    assertEquals(
      SplitHostPort(hostport),
      [host, port],
      `SplitHostPort(${JSON.stringify(hostport)})`,
    );
  }
});

Deno.test("SplitHostPort throws an AddrError with Go's message for malformed addresses", () => {
  for (const [hostport, why] of splitFailureTests) {
    const err = assertThrows(() => SplitHostPort(hostport), AddrError);
    assertEquals(err.Err, why, `SplitHostPort(${JSON.stringify(hostport)})`);
    assertEquals(err.Addr, hostport);
  }
});

Deno.test("SplitHostPort errors read as Go prints them", () => {
  const err = assertThrows(() => SplitHostPort("1.2.3.4"), AddrError);
  assertInstanceOf(err, Error);
  assertEquals(err.message, "address 1.2.3.4: missing port in address");
  assertEquals(err.Error(), "address 1.2.3.4: missing port in address");
  const empty = assertThrows(() => SplitHostPort(""), AddrError);
  assertEquals(empty.message, "missing port in address");
});

Deno.test("JoinHostPort brackets hosts that contain a colon", () => {
  for (const [hostport, host, port] of splitJoinTests) {
    assertEquals(JoinHostPort(host, port), hostport, `JoinHostPort(${host}, ${port})`);
  }
});

Deno.test("SplitHostPort undoes JoinHostPort", () => {
  for (const [, host, port] of splitJoinTests) {
    assertEquals(SplitHostPort(JoinHostPort(host, port)), [host, port]);
  }
});

Deno.test("splitHostZone splits at the last percent sign, but not at the first byte", () => {
  const cases: [string, string, string][] = [
    ["fe80::1%eth0", "fe80::1", "eth0"],
    ["fe80::1%a%b", "fe80::1%a", "b"],
    ["fe80::1%", "fe80::1", ""],
    ["fe80::1", "fe80::1", ""],
    ["%eth0", "%eth0", ""],
    ["", "", ""],
  ];
  for (const [input, host, zone] of cases) {
    assertEquals(splitHostZone(input), [host, zone], `splitHostZone(${input})`);
  }
});

const parsePortTests: [string, number, boolean][] = [
  ["", 0, false],

  // Decimal numbers.
  ["-1073741825", -(2 ** 30), false],
  ["-1073741824", -(2 ** 30), false],
  ["-1073741823", -(2 ** 30 - 1), false],
  ["-123456789", -123456789, false],
  ["-1", -1, false],
  ["-0", 0, false],
  ["0", 0, false],
  ["+0", 0, false],
  ["+1", 1, false],
  ["65535", 65535, false],
  ["65536", 65536, false],
  ["123456789", 123456789, false],
  ["1073741822", 2 ** 30 - 2, false],
  ["1073741823", 2 ** 30 - 1, false],
  ["1073741824", 2 ** 30 - 1, false],
  ["1073741825", 2 ** 30 - 1, false],

  // Anything else needs a service lookup.
  ["abc", 0, true],
  ["9pfs", 0, true],
  ["123badport", 0, true],
  ["bad123port", 0, true],
  ["badport123", 0, true],
  ["123456789badport", 0, true],
  ["-2147483649badport", 0, true],
  ["2147483649badport", 0, true],

  // More cases, with the answers Go 1.19 gives.
  ["+", 0, false],
  ["-", 0, false],
  ["00080", 80, false],
  ["4294967295", 2 ** 30 - 1, false],
  ["99999999999999999999", 2 ** 30 - 1, false],
  ["-99999999999999999999", -(2 ** 30), false],
  ["+-1", 0, true],
  [" 80", 0, true],
  ["80 ", 0, true],
  ["٨٠", 0, true], // Arabic-Indic digits are not decimal digits here
  // Go's uint32 arithmetic wraps before its clamp for these.
  ["4294967300", 4, false],
  ["4294967301", 5, false],
  ["42949673000", 40, false],
  ["-4294967300", -4, false],
];

Deno.test("parsePort parses decimal ports and flags names for lookup, as Go does", () => {
  for (const [service, port, needsLookup] of parsePortTests) {
    assertEquals(parsePort(service), [port, needsLookup], `parsePort(${JSON.stringify(service)})`);
  }
});

Deno.test("parsePort never returns negative zero", () => {
  for (const service of ["-0", "-", "-000"]) {
    const [port] = parsePort(service);
    assertEquals(Object.is(port, -0), false, `parsePort(${service})`);
  }
});
