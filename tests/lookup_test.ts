// Resolver: IP literals, /etc/hosts, getaddrinfo, ports; ported from Go's
// lookup_test.go and port_test.go where they apply.
import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { AddrError, DNSError, LookupHost, LookupIP, LookupPort, Resolver } from "../mod.ts";
import { setHostsPath } from "../src/net/hosts.ts";
import { bounded } from "./_util.ts";

Deno.test("LookupHost of an IP literal needs no lookup", () =>
  bounded(5000, async () => {
    assertEquals(await LookupHost("127.0.0.1"), ["127.0.0.1"]);
    assertEquals(await LookupHost("::1"), ["::1"]);
    assertEquals(await new Resolver().LookupHost(null, "fe80::1%lo"), ["fe80::1%lo"]);
  }));

Deno.test("LookupHost of localhost finds 127.0.0.1", () =>
  bounded(5000, async () => {
    const addrs = await LookupHost("localhost");
    assert(addrs.includes("127.0.0.1"), String(addrs));
    const ips = await LookupIP("localhost");
    assert(ips.some((ip) => ip.String() === "127.0.0.1"));
  }));

Deno.test("getaddrinfo resolves a name that is not in /etc/hosts", () =>
  bounded(5000, async () => {
    // Point the hosts table at an empty file so the name must go to getaddrinfo.
    const empty = Deno.makeTempFileSync();
    const prev = setHostsPath(empty);
    try {
      const addrs = await new Resolver().LookupHost(null, "localhost");
      assert(addrs.includes("127.0.0.1") || addrs.includes("::1"), String(addrs));
    } finally {
      setHostsPath(prev);
      Deno.removeSync(empty);
    }
  }));

Deno.test("an unknown name fails with a DNSError whose IsNotFound is true", () =>
  bounded(10000, async () => {
    const err = await assertRejects(() => LookupHost("no-such-host.invalid"), DNSError);
    assert(err.IsNotFound);
    assertEquals(err.Name, "no-such-host.invalid");
    assertEquals(err.message, "lookup no-such-host.invalid: no such host");
    assertEquals(err.Timeout(), false);
  }));

Deno.test("an empty name is not found", () =>
  bounded(5000, async () => {
    const err = await assertRejects(() => LookupHost(""), DNSError);
    assert(err.IsNotFound);
  }));

Deno.test("an aborted signal rejects a lookup with its reason", () =>
  bounded(5000, async () => {
    const ctl = new AbortController();
    const reason = new Error("stop");
    ctl.abort(reason);
    const err = await assertRejects(() => new Resolver().LookupHost(ctl.signal, "example.invalid"));
    assert(err === reason || (err as Error).cause === reason, String(err));
  }));

// Go's port_test.go portTests, plus numbers and bad strings.
const portTests: { network: string; service: string; port: number | null; err?: string }[] = [
  { network: "tcp", service: "http", port: 80 },
  { network: "tcp", service: "HTTP", port: 80 },
  { network: "tcp", service: "https", port: 443 },
  { network: "tcp", service: "ssh", port: 22 },
  { network: "tcp", service: "smtp", port: 25 },
  { network: "tcp4", service: "http", port: 80 },
  { network: "tcp6", service: "http", port: 80 },
  { network: "udp", service: "domain", port: 53 },
  { network: "", service: "http", port: 80 },
  { network: "tcp", service: "0", port: 0 },
  { network: "tcp", service: "65535", port: 65535 },
  { network: "tcp", service: "", port: 0 },
  { network: "tcp", service: "+80", port: 80 },
  { network: "tcp", service: "65536", port: null, err: "address 65536: invalid port" },
  { network: "tcp", service: "-1", port: null, err: "address -1: invalid port" },
  { network: "tcp", service: "123456789", port: null, err: "address 123456789: invalid port" },
  {
    network: "tcp",
    service: "no-such-service",
    port: null,
    err: "address tcp/no-such-service: unknown port",
  },
  { network: "tcp", service: "80x", port: null, err: "address tcp/80x: unknown port" },
  { network: "sctp", service: "http", port: null, err: "address sctp: unknown network" },
];

for (const tt of portTests) {
  Deno.test(`LookupPort(${JSON.stringify(tt.network)}, ${JSON.stringify(tt.service)})`, () =>
    bounded(5000, async () => {
      if (tt.port !== null) {
        assertEquals(await LookupPort(tt.network, tt.service), tt.port);
      } else {
        const err = await assertRejects(() => LookupPort(tt.network, tt.service), AddrError);
        assertEquals(err.message, tt.err);
      }
    }));
}

Deno.test("LookupIP with ip4 and ip6 filters the families", () =>
  bounded(5000, async () => {
    const r = new Resolver();
    assertEquals((await r.LookupIP(null, "ip4", "127.0.0.1")).map((ip) => ip.String()), [
      "127.0.0.1",
    ]);
    const err = await assertRejects(() => r.LookupIP(null, "ip6", "127.0.0.1"), DNSError);
    assertInstanceOf(err, DNSError);
  }));

Deno.test("LookupAddr reverses an address through /etc/hosts", () =>
  bounded(5000, async () => {
    const names = await new Resolver().LookupAddr(null, "127.0.0.1");
    assert(names.some((n) => n.startsWith("localhost")), String(names));
  }));
