// The static host table, ported from Go's net/hosts_test.go, plus the cache
// rules of Go's readHosts (5 s lifetime, re-read on a new mtime or size).
import { assertEquals } from "@std/assert";
import { assertSpyCalls, stub } from "@std/testing/mock";
import {
  absDomainName,
  lookupStaticAddr,
  lookupStaticHost,
  setHostsPath,
} from "../src/net/hosts.ts";

/** The path of a fixture in tests/testdata. */
function fixture(name: string): string {
  return new URL(`./testdata/${name}`, import.meta.url).pathname;
}

/** Runs fn with the table pointed at path, then restores the previous path. */
function withHosts(path: string, fn: () => void): void {
  const prev = setHostsPath(path);
  try {
    fn();
  } finally {
    setHostsPath(prev);
  }
}

type Entries = [string, string[]][];

const lookupStaticHostTests: [string, Entries][] = [
  [
    "hosts",
    [
      ["odin", ["127.0.0.2", "127.0.0.3", "::2"]],
      ["thor", ["127.1.1.1"]],
      ["ullr", ["127.1.1.2"]],
      ["ullrhost", ["127.1.1.2"]],
      ["localhost", ["fe80::1%lo0"]],
    ],
  ],
  [
    "singleline-hosts", // no newline at the end (Go issue 6646)
    [["odin", ["127.0.0.2"]]],
  ],
  [
    "ipv4-hosts",
    [
      ["localhost", ["127.0.0.1", "127.0.0.2", "127.0.0.3"]],
      ["localhost.localdomain", ["127.0.0.3"]],
    ],
  ],
  [
    "ipv6-hosts", // Go issue 8996
    [
      ["localhost", ["::1", "fe80::1", "fe80::2%lo0", "fe80::3%lo0"]],
      ["localhost.localdomain", ["fe80::3%lo0"]],
    ],
  ],
  [
    "case-hosts", // Go issue 12806
    [
      ["PreserveMe", ["127.0.0.1", "::1"]],
      ["PreserveMe.local", ["127.0.0.1", "::1"]],
    ],
  ],
  [
    "crlf-hosts", // CRLF line ends; an IPv4-mapped address is stored in IPv4 form
    [
      ["freya", ["127.0.0.4"]],
      ["mapped", ["127.0.0.5"]],
      ["mixed.example.com", ["127.0.0.6"]],
    ],
  ],
];

/** Checks host as written, absolute, lower-case and upper-case. */
function checkStaticHost(file: string, host: string, want: string[]): void {
  for (const name of [host, absDomainName(host), host.toLowerCase(), host.toUpperCase()]) {
    assertEquals(lookupStaticHost(name), want, `${file}: lookupStaticHost(${name})`);
  }
}

Deno.test("lookupStaticHost finds a name's addresses in file order, whatever its case", () => {
  for (const [file, entries] of lookupStaticHostTests) {
    withHosts(fixture(file), () => {
      for (const [host, want] of entries) checkStaticHost(file, host, want);
    });
  }
});

Deno.test("lookupStaticHost finds nothing for names the file does not list", () => {
  withHosts(fixture("hosts"), () => {
    assertEquals(lookupStaticHost("loki"), []); // on a line whose address is malformed
    assertEquals(lookupStaticHost("nosuchhost"), []);
    assertEquals(lookupStaticHost(""), []);
    assertEquals(lookupStaticHost("127.0.0.2"), []);
  });
});

const lookupStaticAddrTests: [string, Entries][] = [
  [
    "hosts",
    [
      ["255.255.255.255", ["broadcasthost"]],
      ["127.0.0.2", ["odin"]],
      ["127.0.0.3", ["odin"]],
      ["::2", ["odin"]],
      ["127.1.1.1", ["thor"]],
      ["127.1.1.2", ["ullr", "ullrhost"]],
      ["fe80::1%lo0", ["localhost"]],
    ],
  ],
  [
    "singleline-hosts",
    [["127.0.0.2", ["odin"]]],
  ],
  [
    "ipv4-hosts",
    [
      ["127.0.0.1", ["localhost"]],
      ["127.0.0.2", ["localhost"]],
      ["127.0.0.3", ["localhost", "localhost.localdomain"]],
    ],
  ],
  [
    "ipv6-hosts",
    [
      ["::1", ["localhost"]],
      ["fe80::1", ["localhost"]],
      ["fe80::2%lo0", ["localhost"]],
      ["fe80::3%lo0", ["localhost", "localhost.localdomain"]],
    ],
  ],
  [
    "case-hosts",
    [
      ["127.0.0.1", ["PreserveMe", "PreserveMe.local"]],
      ["::1", ["PreserveMe", "PreserveMe.local"]],
    ],
  ],
  [
    "crlf-hosts",
    [
      ["127.0.0.4", ["freya"]],
      ["::ffff:127.0.0.5", ["mapped"]],
      ["127.0.0.6", ["Mixed.Example.COM"]],
    ],
  ],
];

/** Checks the names listed for addr; names with a dot come back absolute. */
function checkStaticAddr(file: string, addr: string, names: string[]): void {
  const want = names.map(absDomainName);
  assertEquals(lookupStaticAddr(addr), want, `${file}: lookupStaticAddr(${addr})`);
}

Deno.test("lookupStaticAddr finds an address's names in file order, case kept", () => {
  for (const [file, entries] of lookupStaticAddrTests) {
    withHosts(fixture(file), () => {
      for (const [addr, names] of entries) checkStaticAddr(file, addr, names);
    });
  }
});

Deno.test("lookupStaticAddr matches any spelling of the same address", () => {
  withHosts(fixture("ipv6-hosts"), () => {
    assertEquals(lookupStaticAddr("0:0:0:0:0:0:0:1"), ["localhost"]);
    assertEquals(lookupStaticAddr("FE80::0002%lo0"), ["localhost"]);
  });
  withHosts(fixture("hosts"), () => {
    assertEquals(lookupStaticAddr("::ffff:127.1.1.1"), ["thor"]);
  });
});

Deno.test("lookupStaticAddr finds nothing for addresses not listed or not literal", () => {
  withHosts(fixture("hosts"), () => {
    assertEquals(lookupStaticAddr("123.123.123"), []);
    assertEquals(lookupStaticAddr("127.0.0.9"), []);
    assertEquals(lookupStaticAddr("fe80::1"), []); // listed only with zone lo0
    assertEquals(lookupStaticAddr("fe80::1%lo1"), []);
    assertEquals(lookupStaticAddr("odin"), []);
    assertEquals(lookupStaticAddr(""), []);
  });
});

Deno.test("absDomainName adds a trailing dot to names with dots only", () => {
  assertEquals(absDomainName("localhost"), "localhost");
  assertEquals(absDomainName("example.com"), "example.com.");
  assertEquals(absDomainName("example.com."), "example.com.");
  assertEquals(absDomainName(""), "");
});

Deno.test("changing the results of a lookup does not change the table", () => {
  // Go issue 14212.
  withHosts(fixture("ipv4-hosts"), () => {
    const want = ["127.0.0.1", "127.0.0.2", "127.0.0.3"];
    checkStaticHost("ipv4-hosts", "localhost", want);
    const addrs = lookupStaticHost("localhost");
    for (let i = 0; i < addrs.length; i++) addrs[i] += "junk";
    addrs.push("junk");
    checkStaticHost("ipv4-hosts", "localhost", want);
  });
  withHosts(fixture("ipv6-hosts"), () => {
    checkStaticAddr("ipv6-hosts", "::1", ["localhost"]);
    const names = lookupStaticAddr("::1");
    for (let i = 0; i < names.length; i++) names[i] += "junk";
    checkStaticAddr("ipv6-hosts", "::1", ["localhost"]);
  });
});

Deno.test("a hosts file that cannot be read gives empty results", () => {
  withHosts(fixture("hosts"), () => {
    assertEquals(lookupStaticHost("odin"), ["127.0.0.2", "127.0.0.3", "::2"]);
  });
  withHosts(fixture("no-such-hosts-file"), () => {
    assertEquals(lookupStaticHost("odin"), []);
    assertEquals(lookupStaticAddr("127.0.0.2"), []);
  });
  withHosts(fixture(""), () => {
    // A directory: stat works, reading does not.
    assertEquals(lookupStaticHost("odin"), []);
  });
});

/**
 * Runs fn against a fake hosts file whose text, mtime and size the test
 * controls, with a fake clock.
 */
function withFakeHostsFile(
  fn: (file: { text: string; mtime: number; size: number; now: number }, calls: {
    stat: unknown;
    read: unknown;
  }) => void,
): void {
  const file = { text: "", mtime: 1_000, size: 0, now: 1_000_000 };
  const path = `/nonexistent/fake-hosts-${crypto.randomUUID()}`;
  const clock = stub(Date, "now", () => file.now);
  const stat = stub(Deno, "statSync", (p: string | URL) => {
    if (p !== path) throw new Deno.errors.NotFound(String(p));
    return { mtime: new Date(file.mtime), size: file.size };
  });
  const read = stub(Deno, "readTextFileSync", (p: string | URL) => {
    if (p !== path) throw new Deno.errors.NotFound(String(p));
    return file.text;
  });
  try {
    withHosts(path, () => fn(file, { stat, read }));
  } finally {
    read.restore();
    stat.restore();
    clock.restore();
  }
}

Deno.test("the table is reused without looking at the file for 5 seconds", () => {
  withFakeHostsFile((file, calls) => {
    file.text = "10.0.0.1 alpha\n";
    file.size = 1;
    assertEquals(lookupStaticHost("alpha"), ["10.0.0.1"]);
    assertSpyCalls(calls.stat, 1);
    assertSpyCalls(calls.read, 1);

    file.text = "10.0.0.2 alpha\n";
    file.size = 2;
    file.mtime += 1;
    file.now += 4_999;
    assertEquals(lookupStaticHost("alpha"), ["10.0.0.1"]);
    assertEquals(lookupStaticAddr("10.0.0.1"), ["alpha"]);
    assertSpyCalls(calls.stat, 1);
    assertSpyCalls(calls.read, 1);
  });
});

Deno.test("after 5 seconds an unchanged file is kept for 5 more without a re-read", () => {
  withFakeHostsFile((file, calls) => {
    file.text = "10.0.0.1 alpha\n";
    file.size = 15;
    assertEquals(lookupStaticHost("alpha"), ["10.0.0.1"]);

    file.text = "10.0.0.2 alpha\n"; // same size and mtime: looks unchanged
    file.now += 5_000;
    assertEquals(lookupStaticHost("alpha"), ["10.0.0.1"]);
    assertSpyCalls(calls.stat, 2);
    assertSpyCalls(calls.read, 1);

    file.now += 4_999; // within the extended lifetime: not even a stat
    assertEquals(lookupStaticHost("alpha"), ["10.0.0.1"]);
    assertSpyCalls(calls.stat, 2);
  });
});

Deno.test("after 5 seconds a file with a new mtime is read again", () => {
  withFakeHostsFile((file, calls) => {
    file.text = "10.0.0.1 alpha\n";
    file.size = 15;
    assertEquals(lookupStaticHost("alpha"), ["10.0.0.1"]);

    file.text = "10.0.0.2 alpha\n";
    file.mtime += 1;
    file.now += 5_000;
    assertEquals(lookupStaticHost("alpha"), ["10.0.0.2"]);
    assertEquals(lookupStaticAddr("10.0.0.1"), []);
    assertSpyCalls(calls.read, 2);
  });
});

Deno.test("after 5 seconds a file with a new size is read again", () => {
  withFakeHostsFile((file, calls) => {
    file.text = "10.0.0.1 alpha\n";
    file.size = 15;
    assertEquals(lookupStaticHost("alpha"), ["10.0.0.1"]);

    file.text = "10.0.0.1 alpha\n10.0.0.3 beta\n";
    file.size = 29;
    file.now += 5_000;
    assertEquals(lookupStaticHost("beta"), ["10.0.0.3"]);
    assertSpyCalls(calls.read, 2);
  });
});

Deno.test("an empty table is checked against the file on every lookup", () => {
  withFakeHostsFile((file, calls) => {
    file.text = "# nothing here\n";
    file.size = 15;
    assertEquals(lookupStaticHost("alpha"), []);
    file.text = "10.0.0.1 alpha\n";
    file.mtime += 1;
    file.now += 1;
    assertEquals(lookupStaticHost("alpha"), ["10.0.0.1"]);
    assertSpyCalls(calls.read, 2);
  });
});
