// IP addresses, masks and networks, ported from Go's net/ip_test.go.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  CIDRMask,
  IP,
  IPMask,
  IPNet,
  IPv4,
  IPv4allrouter,
  IPv4allsys,
  IPv4bcast,
  IPv4len,
  IPv4Mask,
  IPv4zero,
  IPv6interfacelocalallnodes,
  IPv6len,
  IPv6linklocalallnodes,
  IPv6linklocalallrouters,
  IPv6loopback,
  IPv6unspecified,
  IPv6zero,
  ParseCIDR,
  ParseIP,
  parseIPZone,
} from "../src/net/ip.ts";
import { ParseError } from "../src/net/errors.ts";

/** An IP from its bytes. */
function ip(...b: number[]): IP {
  return new IP(b);
}

/** Go's nil IP: no bytes. */
const nilIP = new IP(0);

/** A mask made from an address literal, as Go's IPMask(ParseIP(s)). */
function maskOf(s: string): IPMask {
  const p = ParseIP(s);
  if (p === null) throw new Error(`bad mask literal ${s}`);
  return new IPMask(p);
}

/** x, or a thrown error when it is null (the assertions do not narrow types). */
function defined<T>(x: T | null): T {
  if (x === null) throw new Error("unexpected null");
  return x;
}

/** ParseIP of a literal known to be valid. */
function mustParse(s: string): IP {
  const p = ParseIP(s);
  if (p === null) throw new Error(`bad IP literal ${s}`);
  return p;
}

const parseIPTests: [string, IP | null][] = [
  ["127.0.1.2", IPv4(127, 0, 1, 2)],
  ["127.0.0.1", IPv4(127, 0, 0, 1)],
  ["::ffff:127.1.2.3", IPv4(127, 1, 2, 3)],
  ["::ffff:7f01:0203", IPv4(127, 1, 2, 3)],
  ["0:0:0:0:0000:ffff:127.1.2.3", IPv4(127, 1, 2, 3)],
  ["0:0:0:0:000000:ffff:127.1.2.3", IPv4(127, 1, 2, 3)],
  ["0:0:0:0::ffff:127.1.2.3", IPv4(127, 1, 2, 3)],

  ["2001:4860:0:2001::68", ip(0x20, 0x01, 0x48, 0x60, 0, 0, 0x20, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x68)],
  [
    "2001:4860:0000:2001:0000:0000:0000:0068",
    ip(0x20, 0x01, 0x48, 0x60, 0, 0, 0x20, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x68),
  ],

  ["-0.0.0.0", null],
  ["0.-1.0.0", null],
  ["0.0.-2.0", null],
  ["0.0.0.-3", null],
  ["127.0.0.256", null],
  ["abc", null],
  ["123:", null],
  ["fe80::1%lo0", null],
  ["fe80::1%911", null],
  ["", null],
  ["a1:a2:a3:a4::b1:b2:b3:b4", null], // Go issue 6628: "::" standing for no group
  ["127.001.002.003", null],
  ["::ffff:127.001.002.003", null],
  ["123.000.000.000", null],
  ["1.2..4", null],
  ["0123.0.0.1", null],

  // More cases, with the answers Go 1.19 gives.
  ["::", new IP(16)],
  ["::1", IPv6loopback],
  ["::00001", IPv6loopback], // Go reads any number of hex digits while the value fits
  ["1::", ip(0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)],
  ["1::2:3:4:5:6:7", ip(0, 1, 0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7)],
  ["FE80::ABCD", ip(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd)],
  ["::1.2.3.4", ip(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4)],
  ["0.0.0.0", IPv4zero],
  ["255.255.255.255", IPv4bcast],
  ["1.2.3", null],
  ["1.2.3.4.", null],
  ["1.2.3.4 ", null],
  [" 1.2.3.4", null],
  ["1.2.3.4.5", null],
  ["1:2:3:4:5:6:7:8:9", null],
  ["1:2:3:4:5:6:7", null],
  ["::10000", null],
  [":1::", null],
  ["1:::2", null],
  ["1::2::3", null],
  ["1::2:", null],
  ["1:2:3:4:5:6:7:1.2.3.4", null], // no room for the IPv4 tail
  ["1:2:3:4:5:1.2.3.4", null], // IPv4 tail in the wrong place
  ["::1.2.3.4:5", null],
  ["[::1]", null],
  ["1.2.3.4:80", null],
];

Deno.test("ParseIP returns what Go's ParseIP returns", () => {
  for (const [input, want] of parseIPTests) {
    assertEquals(ParseIP(input), want, `ParseIP(${JSON.stringify(input)})`);
  }
});

Deno.test("ParseIP returns IP instances, 16 bytes long for IPv4 too", () => {
  const v4 = mustParse("192.0.2.1");
  assertInstanceOf(v4, IP);
  assertEquals(v4.length, IPv6len);
  const v6 = mustParse("2001:db8::1");
  assertInstanceOf(v6, IP);
  assertEquals(v6.length, IPv6len);
});

const ipStringTests: [IP, string][] = [
  // IPv4
  [ip(192, 0, 2, 1), "192.0.2.1"],
  [ip(0, 0, 0, 0), "0.0.0.0"],

  // IPv4-mapped IPv6
  [ip(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1), "192.0.2.1"],
  [ip(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0), "0.0.0.0"],

  // IPv6
  [ip(0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0x1, 0x23, 0, 0x12, 0, 0x1), "2001:db8::123:12:1"],
  [ip(0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1), "2001:db8::1"],
  [ip(0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0x1, 0, 0, 0, 0x1, 0, 0, 0, 0x1), "2001:db8:0:1:0:1:0:1"],
  [ip(0x20, 0x1, 0xd, 0xb8, 0, 0x1, 0, 0, 0, 0x1, 0, 0, 0, 0x1, 0, 0), "2001:db8:1:0:1:0:1:0"],
  [ip(0x20, 0x1, 0, 0, 0, 0, 0, 0, 0, 0x1, 0, 0, 0, 0, 0, 0x1), "2001::1:0:0:1"],
  [ip(0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0x1, 0, 0, 0, 0, 0, 0), "2001:db8:0:0:1::"],
  [ip(0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0x1, 0, 0, 0, 0, 0, 0x1), "2001:db8::1:0:0:1"],
  [ip(0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0xa, 0, 0xb, 0, 0xc, 0, 0xd), "2001:db8::a:b:c:d"],
  [IPv6unspecified, "::"],

  // Go's nil IP, the wildcard of Dial and Listen.
  [nilIP, "<nil>"],

  // Neither 4 nor 16 bytes.
  [ip(0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef), "?0123456789abcdef"],

  // More cases, with the answers Go 1.19 gives.
  [IPv6loopback, "::1"],
  [ip(0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "1::"],
  [ip(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "0:1::"],
  [ip(0, 1, 0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7), "1:0:2:3:4:5:6:7"],
  [ip(0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3), "1:0:0:2::3"],
  [ip(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4), "::102:304"],
  [
    ip(
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
    ),
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
  ],
  [ip(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1), "fe80::1"],
  [ip(1, 2, 3), "?010203"],
];

Deno.test("IP.String prints addresses exactly as Go does", () => {
  for (const [input, want] of ipStringTests) {
    assertEquals(input.String(), want, `bytes [${Array.from(input).join(", ")}]`);
  }
});

Deno.test("IP.toString is String, so template literals print the address", () => {
  assertEquals(`${IPv4(10, 1, 2, 3)}`, "10.1.2.3");
  assertEquals(String(mustParse("2001:db8::1")), "2001:db8::1");
});

Deno.test("ParseIP and String round trip on canonical text", () => {
  for (
    const s of ["192.0.2.1", "::", "::1", "2001:db8::1", "fe80::1:2:3:4", "1:0:0:2::3", "0:1::"]
  ) {
    assertEquals(mustParse(s).String(), s);
  }
});

Deno.test("To4 returns the 4-byte form of IPv4 and IPv4-mapped addresses only", () => {
  const mapped = IPv4(192, 0, 2, 1);
  const four = defined(mapped.To4());
  assertInstanceOf(four, IP);
  assertEquals(four, ip(192, 0, 2, 1));
  assertStrictEquals(four.To4(), four);
  assertEquals(mustParse("2001:db8::1").To4(), null);
  assertEquals(mustParse("::1.2.3.4").To4(), null);
  assertEquals(nilIP.To4(), null);
  assertEquals(ip(1, 2, 3).To4(), null);
});

Deno.test("To4 of a 16-byte address shares its memory, like a Go sub-slice", () => {
  const mapped = IPv4(192, 0, 2, 1);
  const four = defined(mapped.To4());
  four[3] = 9;
  assertEquals(mapped.String(), "192.0.2.9");
});

Deno.test("To16 returns the 16-byte form and null for bad lengths", () => {
  const four = ip(192, 0, 2, 1);
  const sixteen = four.To16();
  assertEquals(sixteen, IPv4(192, 0, 2, 1));
  assertInstanceOf(sixteen, IP);
  const v6 = mustParse("2001:db8::1");
  assertStrictEquals(v6.To16(), v6);
  assertEquals(nilIP.To16(), null);
  assertEquals(ip(1, 2, 3, 4, 5).To16(), null);
});

Deno.test("Equal treats an IPv4 address and its IPv4-mapped form as the same", () => {
  assert(ip(127, 0, 0, 1).Equal(IPv4(127, 0, 0, 1)));
  assert(IPv4(127, 0, 0, 1).Equal(ip(127, 0, 0, 1)));
  assert(IPv4(127, 0, 0, 1).Equal(IPv4(127, 0, 0, 1)));
  assert(!ip(127, 0, 0, 1).Equal(IPv4(127, 0, 0, 2)));
  assert(!ip(0, 0, 0, 1).Equal(IPv6loopback)); // ::1 is not mapped 0.0.0.1
  assert(!IPv6loopback.Equal(ip(0, 0, 0, 1)));
  assert(nilIP.Equal(new IP(0)));
  assert(!nilIP.Equal(IPv4zero));
  assert(!ip(1, 2, 3).Equal(ip(1, 2, 3, 4)));
});

Deno.test("slices of an IP are plain Uint8Arrays", () => {
  const a = IPv4(10, 0, 0, 1);
  assertEquals(a.subarray(12).constructor, Uint8Array);
  assertEquals(a.slice(12).constructor, Uint8Array);
  assertEquals(a.map((b) => b).constructor, Uint8Array);
  assertEquals(Array.from(a.slice(12)), [10, 0, 0, 1]);
});

Deno.test("the well-known addresses have Go's values", () => {
  assertEquals(IPv4len, 4);
  assertEquals(IPv6len, 16);
  assertEquals(IPv4bcast.String(), "255.255.255.255");
  assertEquals(IPv4allsys.String(), "224.0.0.1");
  assertEquals(IPv4allrouter.String(), "224.0.0.2");
  assertEquals(IPv4zero.String(), "0.0.0.0");
  assertEquals(IPv4zero.length, 16);
  assertEquals(IPv6zero.String(), "::");
  assertEquals(IPv6unspecified.String(), "::");
  assertEquals(IPv6loopback.String(), "::1");
  assertEquals(IPv6interfacelocalallnodes.String(), "ff01::1");
  assertEquals(IPv6linklocalallnodes.String(), "ff02::1");
  assertEquals(IPv6linklocalallrouters.String(), "ff02::2");
});

const ipAddrFamilyTests: [IP, boolean, boolean][] = [
  [IPv4bcast, true, false],
  [IPv4allsys, true, false],
  [IPv4allrouter, true, false],
  [IPv4zero, true, false],
  [IPv4(224, 0, 0, 1), true, false],
  [IPv4(127, 0, 0, 1), true, false],
  [IPv4(240, 0, 0, 1), true, false],
  [IPv6unspecified, false, true],
  [IPv6loopback, false, true],
  [IPv6interfacelocalallnodes, false, true],
  [IPv6linklocalallnodes, false, true],
  [IPv6linklocalallrouters, false, true],
  [mustParse("ff05::a:b:c:d"), false, true],
  [mustParse("fe80::1:2:3:4"), false, true],
  [mustParse("2001:db8::123:12:1"), false, true],
];

Deno.test("To4 tells IPv4 addresses from IPv6 ones", () => {
  for (const [input, af4, af6] of ipAddrFamilyTests) {
    assertEquals(input.To4() !== null, af4, `${input} is IPv4`);
    assertEquals(input.length === IPv6len && input.To4() === null, af6, `${input} is IPv6`);
  }
});

type Scope =
  | "IsUnspecified"
  | "IsLoopback"
  | "IsMulticast"
  | "IsInterfaceLocalMulticast"
  | "IsLinkLocalMulticast"
  | "IsLinkLocalUnicast"
  | "IsGlobalUnicast"
  | "IsPrivate";

const ipAddrScopeTests: [Scope, IP, boolean][] = [
  ["IsUnspecified", IPv4zero, true],
  ["IsUnspecified", IPv4(127, 0, 0, 1), false],
  ["IsUnspecified", IPv6unspecified, true],
  ["IsUnspecified", IPv6interfacelocalallnodes, false],
  ["IsUnspecified", nilIP, false],
  ["IsLoopback", IPv4(127, 0, 0, 1), true],
  ["IsLoopback", IPv4(127, 255, 255, 254), true],
  ["IsLoopback", IPv4(128, 1, 2, 3), false],
  ["IsLoopback", IPv6loopback, true],
  ["IsLoopback", IPv6linklocalallrouters, false],
  ["IsLoopback", nilIP, false],
  ["IsMulticast", IPv4(224, 0, 0, 0), true],
  ["IsMulticast", IPv4(239, 0, 0, 0), true],
  ["IsMulticast", IPv4(240, 0, 0, 0), false],
  ["IsMulticast", IPv6linklocalallnodes, true],
  ["IsMulticast", ip(0xff, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), true],
  ["IsMulticast", ip(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), false],
  ["IsMulticast", nilIP, false],
  ["IsInterfaceLocalMulticast", IPv4(224, 0, 0, 0), false],
  ["IsInterfaceLocalMulticast", IPv4(0xff, 0x01, 0, 0), false],
  ["IsInterfaceLocalMulticast", IPv6interfacelocalallnodes, true],
  ["IsInterfaceLocalMulticast", nilIP, false],
  ["IsLinkLocalMulticast", IPv4(224, 0, 0, 0), true],
  ["IsLinkLocalMulticast", IPv4(239, 0, 0, 0), false],
  ["IsLinkLocalMulticast", IPv4(0xff, 0x02, 0, 0), false],
  ["IsLinkLocalMulticast", IPv6linklocalallrouters, true],
  ["IsLinkLocalMulticast", ip(0xff, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), false],
  ["IsLinkLocalMulticast", nilIP, false],
  ["IsLinkLocalUnicast", IPv4(169, 254, 0, 0), true],
  ["IsLinkLocalUnicast", IPv4(169, 255, 0, 0), false],
  ["IsLinkLocalUnicast", IPv4(0xfe, 0x80, 0, 0), false],
  ["IsLinkLocalUnicast", ip(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), true],
  ["IsLinkLocalUnicast", ip(0xfe, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), false],
  ["IsLinkLocalUnicast", nilIP, false],
  ["IsGlobalUnicast", IPv4(240, 0, 0, 0), true],
  ["IsGlobalUnicast", IPv4(232, 0, 0, 0), false],
  ["IsGlobalUnicast", IPv4(169, 254, 0, 0), false],
  ["IsGlobalUnicast", IPv4bcast, false],
  [
    "IsGlobalUnicast",
    ip(0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0x1, 0x23, 0, 0x12, 0, 0x1),
    true,
  ],
  ["IsGlobalUnicast", ip(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), false],
  ["IsGlobalUnicast", ip(0xff, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), false],
  ["IsGlobalUnicast", nilIP, false],
  ["IsPrivate", nilIP, false],
  ["IsPrivate", IPv4(1, 1, 1, 1), false],
  ["IsPrivate", IPv4(9, 255, 255, 255), false],
  ["IsPrivate", IPv4(10, 0, 0, 0), true],
  ["IsPrivate", IPv4(10, 255, 255, 255), true],
  ["IsPrivate", IPv4(11, 0, 0, 0), false],
  ["IsPrivate", IPv4(172, 15, 255, 255), false],
  ["IsPrivate", IPv4(172, 16, 0, 0), true],
  ["IsPrivate", IPv4(172, 16, 255, 255), true],
  ["IsPrivate", IPv4(172, 23, 18, 255), true],
  ["IsPrivate", IPv4(172, 31, 255, 255), true],
  ["IsPrivate", IPv4(172, 31, 0, 0), true],
  ["IsPrivate", IPv4(172, 32, 0, 0), false],
  ["IsPrivate", IPv4(192, 167, 255, 255), false],
  ["IsPrivate", IPv4(192, 168, 0, 0), true],
  ["IsPrivate", IPv4(192, 168, 255, 255), true],
  ["IsPrivate", IPv4(192, 169, 0, 0), false],
  [
    "IsPrivate",
    ip(
      0xfb,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
    ),
    false,
  ],
  ["IsPrivate", ip(0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), true],
  ["IsPrivate", ip(0xfc, 0xff, 0x12, 0, 0, 0, 0, 0x44, 0, 0, 0, 0, 0, 0, 0, 0), true],
  [
    "IsPrivate",
    ip(
      0xfd,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
    ),
    true,
  ],
  ["IsPrivate", ip(0xfe, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), false],
];

Deno.test("the scope predicates classify addresses as Go does, in both IPv4 forms", () => {
  for (const [scope, input, want] of ipAddrScopeTests) {
    assertEquals(input[scope](), want, `${scope}(${input})`);
    const four = input.To4();
    if (four !== null) assertEquals(four[scope](), want, `${scope}(${four}) in 4-byte form`);
  }
});

Deno.test("DefaultMask gives the classful mask of IPv4 addresses and null otherwise", () => {
  assertEquals(IPv4(10, 1, 2, 3).DefaultMask(), IPv4Mask(255, 0, 0, 0));
  assertEquals(ip(127, 0, 0, 1).DefaultMask(), IPv4Mask(255, 0, 0, 0));
  assertEquals(IPv4(128, 0, 0, 1).DefaultMask(), IPv4Mask(255, 255, 0, 0));
  assertEquals(IPv4(191, 255, 0, 1).DefaultMask(), IPv4Mask(255, 255, 0, 0));
  assertEquals(IPv4(192, 0, 2, 1).DefaultMask(), IPv4Mask(255, 255, 255, 0));
  assertEquals(IPv6loopback.DefaultMask(), null);
  assertEquals(nilIP.DefaultMask(), null);
});

const ipMaskTests: [IP, IPMask, IP][] = [
  [IPv4(192, 168, 1, 127), IPv4Mask(255, 255, 255, 128), IPv4(192, 168, 1, 0)],
  [IPv4(192, 168, 1, 127), maskOf("255.255.255.192"), IPv4(192, 168, 1, 64)],
  [
    IPv4(192, 168, 1, 127),
    maskOf("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffe0"),
    IPv4(192, 168, 1, 96),
  ],
  [IPv4(192, 168, 1, 127), IPv4Mask(255, 0, 255, 0), IPv4(192, 0, 1, 0)],
  [mustParse("2001:db8::1"), maskOf("ffff:ff80::"), mustParse("2001:d80::")],
  [mustParse("2001:db8::1"), maskOf("f0f0:0f0f::"), mustParse("2000:d08::")],
];

Deno.test("IP.Mask masks addresses of either form", () => {
  for (const [input, mask, want] of ipMaskTests) {
    const out = input.Mask(mask);
    assert(out !== null && want.Equal(out), `${input}.Mask(${mask}) = ${out}, want ${want}`);
  }
  assertEquals(ip(1, 2, 3, 4).Mask(IPv4Mask(255, 255, 0, 0)), ip(1, 2, 0, 0));
  assertEquals(mustParse("2001:db8::1").Mask(IPv4Mask(255, 255, 0, 0)), null);
});

const ipMaskStringTests: [IPMask, string][] = [
  [IPv4Mask(255, 255, 255, 240), "fffffff0"],
  [IPv4Mask(255, 0, 128, 0), "ff008000"],
  [maskOf("ffff:ff80::"), "ffffff80000000000000000000000000"],
  [maskOf("ef00:ff80::cafe:0"), "ef00ff800000000000000000cafe0000"],
  [new IPMask(0), "<nil>"],
];

Deno.test("IPMask.String prints the mask in hex", () => {
  for (const [input, want] of ipMaskStringTests) {
    assertEquals(input.String(), want);
  }
});

Deno.test("IPMask.Size counts leading ones and reports non-canonical masks as zero", () => {
  assertEquals(IPv4Mask(255, 255, 255, 0).Size(), [24, 32]);
  assertEquals(IPv4Mask(255, 240, 0, 0).Size(), [12, 32]);
  assertEquals(maskOf("ffff:ffff:ffff::").Size(), [48, 128]);
  assertEquals(IPv4Mask(255, 0, 255, 0).Size(), [0, 0]);
  assertEquals(IPv4Mask(255, 0xfe, 1, 0).Size(), [0, 0]);
});

const cidrMaskTests: [number, number, IPMask | null][] = [
  [0, 32, IPv4Mask(0, 0, 0, 0)],
  [12, 32, IPv4Mask(255, 240, 0, 0)],
  [24, 32, IPv4Mask(255, 255, 255, 0)],
  [32, 32, IPv4Mask(255, 255, 255, 255)],
  [0, 128, new IPMask(16)],
  [4, 128, new IPMask([0xf0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
  [48, 128, new IPMask([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
  [128, 128, new IPMask(16).fill(0xff)],
  [33, 32, null],
  [32, 33, null],
  [-1, 128, null],
  [128, -1, null],
];

Deno.test("CIDRMask builds masks of 32 or 128 bits and rejects anything else", () => {
  for (const [ones, bits, want] of cidrMaskTests) {
    assertEquals(CIDRMask(ones, bits), want, `CIDRMask(${ones}, ${bits})`);
  }
});

const parseCIDRTests: [string, IP, IPNet][] = [
  [
    "135.104.0.0/32",
    IPv4(135, 104, 0, 0),
    new IPNet(IPv4(135, 104, 0, 0), IPv4Mask(255, 255, 255, 255)),
  ],
  ["0.0.0.0/24", IPv4(0, 0, 0, 0), new IPNet(IPv4(0, 0, 0, 0), IPv4Mask(255, 255, 255, 0))],
  [
    "135.104.0.0/24",
    IPv4(135, 104, 0, 0),
    new IPNet(IPv4(135, 104, 0, 0), IPv4Mask(255, 255, 255, 0)),
  ],
  [
    "135.104.0.1/32",
    IPv4(135, 104, 0, 1),
    new IPNet(IPv4(135, 104, 0, 1), IPv4Mask(255, 255, 255, 255)),
  ],
  [
    "135.104.0.1/24",
    IPv4(135, 104, 0, 1),
    new IPNet(IPv4(135, 104, 0, 0), IPv4Mask(255, 255, 255, 0)),
  ],
  [
    "::1/128",
    mustParse("::1"),
    new IPNet(mustParse("::1"), maskOf("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")),
  ],
  [
    "abcd:2345::/127",
    mustParse("abcd:2345::"),
    new IPNet(mustParse("abcd:2345::"), maskOf("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")),
  ],
  [
    "abcd:2345::/65",
    mustParse("abcd:2345::"),
    new IPNet(mustParse("abcd:2345::"), maskOf("ffff:ffff:ffff:ffff:8000::")),
  ],
  [
    "abcd:2345::/64",
    mustParse("abcd:2345::"),
    new IPNet(mustParse("abcd:2345::"), maskOf("ffff:ffff:ffff:ffff::")),
  ],
  [
    "abcd:2345::/63",
    mustParse("abcd:2345::"),
    new IPNet(mustParse("abcd:2345::"), maskOf("ffff:ffff:ffff:fffe::")),
  ],
  [
    "abcd:2345::/33",
    mustParse("abcd:2345::"),
    new IPNet(mustParse("abcd:2345::"), maskOf("ffff:ffff:8000::")),
  ],
  [
    "abcd:2345::/32",
    mustParse("abcd:2345::"),
    new IPNet(mustParse("abcd:2345::"), maskOf("ffff:ffff::")),
  ],
  [
    "abcd:2344::/31",
    mustParse("abcd:2344::"),
    new IPNet(mustParse("abcd:2344::"), maskOf("ffff:fffe::")),
  ],
  [
    "abcd:2300::/24",
    mustParse("abcd:2300::"),
    new IPNet(mustParse("abcd:2300::"), maskOf("ffff:ff00::")),
  ],
  [
    "abcd:2345::/24",
    mustParse("abcd:2345::"),
    new IPNet(mustParse("abcd:2300::"), maskOf("ffff:ff00::")),
  ],
  [
    "2001:DB8::/48",
    mustParse("2001:DB8::"),
    new IPNet(mustParse("2001:DB8::"), maskOf("ffff:ffff:ffff::")),
  ],
  [
    "2001:DB8::1/48",
    mustParse("2001:DB8::1"),
    new IPNet(mustParse("2001:DB8::"), maskOf("ffff:ffff:ffff::")),
  ],
];

const parseCIDRFailures = [
  "192.168.1.1/255.255.255.0",
  "192.168.1.1/35",
  "2001:db8::1/-1",
  "2001:db8::1/-0",
  "-0.0.0.0/32",
  "0.-1.0.0/32",
  "0.0.-2.0/32",
  "0.0.0.-3/32",
  "0.0.0.0/-0",
  "127.000.000.001/32",
  "",
];

Deno.test("ParseCIDR returns the address and the network it implies", () => {
  for (const [input, wantIP, wantNet] of parseCIDRTests) {
    const [gotIP, gotNet] = ParseCIDR(input);
    assert(wantIP.Equal(gotIP), `ParseCIDR(${input}) address = ${gotIP}, want ${wantIP}`);
    assert(
      wantNet.IP.Equal(gotNet.IP),
      `ParseCIDR(${input}) network = ${gotNet.IP}, want ${wantNet.IP}`,
    );
    assertEquals(gotNet.Mask, wantNet.Mask, `ParseCIDR(${input}) mask`);
  }
});

Deno.test("ParseCIDR throws a ParseError naming the malformed text", () => {
  for (const input of parseCIDRFailures) {
    const err = assertThrows(() => ParseCIDR(input), ParseError);
    assertEquals(err.Type, "CIDR address");
    assertEquals(err.Text, input);
    assertEquals(err.message, `invalid CIDR address: ${input}`);
  }
});

const ipNetContainsTests: [IP, IPNet, boolean][] = [
  [IPv4(172, 16, 1, 1), new IPNet(IPv4(172, 16, 0, 0), CIDRMask(12, 32) as IPMask), true],
  [IPv4(172, 24, 0, 1), new IPNet(IPv4(172, 16, 0, 0), CIDRMask(13, 32) as IPMask), false],
  [IPv4(192, 168, 0, 3), new IPNet(IPv4(192, 168, 0, 0), IPv4Mask(0, 0, 255, 252)), true],
  [IPv4(192, 168, 0, 4), new IPNet(IPv4(192, 168, 0, 0), IPv4Mask(0, 255, 0, 252)), false],
  [
    mustParse("2001:db8:1:2::1"),
    new IPNet(mustParse("2001:db8:1::"), CIDRMask(47, 128) as IPMask),
    true,
  ],
  [
    mustParse("2001:db8:1:2::1"),
    new IPNet(mustParse("2001:db8:2::"), CIDRMask(47, 128) as IPMask),
    false,
  ],
  [
    mustParse("2001:db8:1:2::1"),
    new IPNet(mustParse("2001:db8:1::"), maskOf("ffff:0:ffff::")),
    true,
  ],
  [
    mustParse("2001:db8:1:2::1"),
    new IPNet(mustParse("2001:db8:1::"), maskOf("0:0:0:ffff::")),
    false,
  ],
];

Deno.test("IPNet.Contains tells which addresses a network holds", () => {
  for (const [input, net, want] of ipNetContainsTests) {
    assertEquals(net.Contains(input), want, `${net}.Contains(${input})`);
  }
});

const ipNetStringTests: [IPNet, string][] = [
  [new IPNet(IPv4(192, 168, 1, 0), CIDRMask(26, 32) as IPMask), "192.168.1.0/26"],
  [new IPNet(IPv4(192, 168, 1, 0), IPv4Mask(255, 0, 255, 0)), "192.168.1.0/ff00ff00"],
  [new IPNet(mustParse("2001:db8::"), CIDRMask(55, 128) as IPMask), "2001:db8::/55"],
  [
    new IPNet(mustParse("2001:db8::"), maskOf("8000:f123:0:cafe::")),
    "2001:db8::/8000f1230000cafe0000000000000000",
  ],
];

Deno.test("IPNet.String prints CIDR notation, or a hex mask when it is not canonical", () => {
  for (const [input, want] of ipNetStringTests) {
    assertEquals(input.String(), want);
  }
  assertEquals(new IPNet(IPv4(192, 168, 1, 0), CIDRMask(26, 32) as IPMask).Network(), "ip+net");
});

// Go's networkNumberAndMask table, seen through IPNet.String: networks whose
// address and mask cannot be brought to one length print "<nil>".
const v4addr = ip(192, 168, 0, 1);
const v4mappedv6addr = ip(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 0, 1);
const v6addr = ip(0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0x1, 0x23, 0, 0x12, 0, 0x1);
const v4mask = new IPMask([255, 255, 255, 0]);
const v4mappedv6mask = new IPMask([...new Array<number>(12).fill(0xff), 255, 255, 255, 0]);
const v6mask = new IPMask([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
const badaddr = ip(192, 168, 0);
const badmask = new IPMask([255, 255, 0]);

const networkNumberAndMaskTests: [IPNet, string][] = [
  [new IPNet(v4addr, v4mask), "192.168.0.1/24"],
  [new IPNet(v4addr, v4mappedv6mask), "192.168.0.1/24"],
  [new IPNet(v4mappedv6addr, v4mappedv6mask), "192.168.0.1/24"],
  [new IPNet(v4mappedv6addr, v6mask), "192.168.0.1/0"],
  [new IPNet(v4addr, v6mask), "192.168.0.1/0"],
  [new IPNet(v6addr, v6mask), "2001:db8::123:12:1/64"],
  [new IPNet(v6addr, v4mappedv6mask), "2001:db8::123:12:1/120"],
  [new IPNet(v6addr, v4mask), "<nil>"],
  [new IPNet(v4addr, badmask), "<nil>"],
  [new IPNet(v4mappedv6addr, badmask), "<nil>"],
  [new IPNet(v6addr, badmask), "<nil>"],
  [new IPNet(badaddr, v4mask), "<nil>"],
  [new IPNet(badaddr, v4mappedv6mask), "<nil>"],
  [new IPNet(badaddr, v6mask), "<nil>"],
  [new IPNet(badaddr, badmask), "<nil>"],
];

Deno.test("IPNet brings address and mask to one length, or prints <nil> when it cannot", () => {
  for (const [input, want] of networkNumberAndMaskTests) {
    assertEquals(input.String(), want, `IPNet{${input.IP}, ${input.Mask}}`);
  }
  assertEquals(new IPNet(v6addr, v4mask).Contains(v6addr), false);
});

Deno.test("parseIPZone splits the zone off IPv6 addresses only", () => {
  const cases: [string, IP | null, string][] = [
    ["fe80::1%eth0", mustParse("fe80::1"), "eth0"],
    ["fe80::1%911", mustParse("fe80::1"), "911"],
    ["fe80::1%", mustParse("fe80::1"), ""],
    ["fe80::1%a%b", null, "b"],
    ["::1", IPv6loopback, ""],
    ["192.0.2.1", IPv4(192, 0, 2, 1), ""],
    ["192.0.2.1%eth0", null, ""],
    ["%eth0", null, ""],
    ["localhost", null, ""],
    ["", null, ""],
  ];
  for (const [input, wantIP, wantZone] of cases) {
    assertEquals(parseIPZone(input), [wantIP, wantZone], `parseIPZone(${input})`);
  }
});

Deno.test("IPs stay independent of each other, also when one buffer is transferred", () => {
  const ips = Array.from({ length: 200 }, (_, i) => ParseIP(`10.0.${i >> 8}.${i & 0xff}`)!);
  // Writing one address never shows through another.
  for (const ip of ips) ip[15] ^= 0xff;
  ips.forEach((ip, i) => {
    assertEquals(ip.length, 16);
    assertEquals(ip[15], (i & 0xff) ^ 0xff);
    assertEquals(ip[14], i >> 8);
  });
  // Each IP owns its buffer: transferring one (as postMessage does) takes
  // nothing else with it, and later IPs are made as usual.
  assertEquals(ips[0].buffer.byteLength, 16);
  structuredClone(ips[0].buffer, { transfer: [ips[0].buffer] });
  assertEquals(ips[0].length, 0);
  assertEquals(ips[1].String(), "10.0.0.254"); // as flipped above
  assertEquals(IPv4zero.String(), "0.0.0.0");
  assertEquals(ParseIP("10.1.1.1")?.String(), "10.1.1.1");
});
