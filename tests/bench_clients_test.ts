// The harness's load clients (bench/clients): each makes exactly the
// warm-up and measured conns (churn) or bytes (bulk) it reports, so a cell
// of bench/compare.ts counts what it claims and churn stays under the
// kernel's per-destination port budget (see the churn notes in
// bench/compare.ts).
import { assert, assertEquals } from "@std/assert";
import { type Conn, Listen } from "../mod.ts";
import { bounded, echoUntilClosed, has, requirePeers, sleep } from "./_util.ts";

/** The clients, by name: argv before the mode's arguments, and whether it can run here. */
const clients: [string, (mode: string) => string[], boolean][] = [
  [
    "netpoll",
    (m) => [Deno.execPath(), "run", "-A", "bench/clients/deno_client.ts", m, "netpoll"],
    true,
  ],
  ["deno", (m) => [Deno.execPath(), "run", "-A", "bench/clients/deno_client.ts", m, "deno"], true],
  ["node", (m) => ["node", "bench/clients/node_client.mjs", m], has("node", ["--version"])],
  ["go", (m) => ["go", "run", "bench/clients/go/client.go", m], has("go", ["version"])],
];

/** An echo server that counts the conns it accepted and the bytes it echoed. */
async function countingServer(bufSize = 32, host = "127.0.0.1") {
  const ln = await Listen("tcp", `${host}:0`);
  let accepted = 0;
  const byDest = new Map<string, number>();
  let echoed = 0;
  const open = new Set<Conn>();
  const serve = async (c: Conn) => {
    open.add(c);
    echoed += await echoUntilClosed(c, bufSize); // until the client closes
    open.delete(c);
    c.Close();
  };
  const loop = (async () => {
    for await (const c of ln) {
      accepted++;
      const local = c.LocalAddr()?.String() ?? "none";
      const dest = local.slice(0, local.lastIndexOf(":"));
      byDest.set(dest, (byDest.get(dest) ?? 0) + 1);
      serve(c);
    }
  })();
  return {
    addr: ln.Addr().String(),
    accepted: () => accepted,
    /** Accepted conns by the local IP they reached. */
    byDest: () => Object.fromEntries(byDest),
    echoed: () => echoed,
    serving: () => open.size,
    async close() {
      ln.Close();
      await loop;
      for (const c of open) c.Close();
    },
  };
}

for (const [name, argv, available] of clients) {
  for (const loops of [4, 1]) {
    Deno.test({
      name: `bench client ${name}: churn of 200 conns over ${loops} loop(s) after 20 warm-up`,
      ignore: !available && !requirePeers,
      fn: () =>
        bounded(120_000, async () => {
          assert(available, `${name} is required (REQUIRE_PEERS=1) but missing`);
          const srv = await countingServer();
          try {
            const [cmd, ...args] = argv("churn");
            const out = await new Deno.Command(cmd, {
              args: [...args, srv.addr, "200", String(loops)],
              stdout: "piped",
              stderr: "inherit",
            }).output();
            assert(out.success, `${name} client exited with ${out.code}`);
            const r = JSON.parse(new TextDecoder().decode(out.stdout).trim());
            assertEquals(r.conns, 200);
            assertEquals(r.errors, 0);
            assert(r.connsPerSec > 0, `connsPerSec ${r.connsPerSec}`);
            assertEquals(srv.accepted(), 220);
          } finally {
            await srv.close();
          }
        }),
    });
  }
}

for (const [name, argv, available] of clients) {
  Deno.test({
    name: `bench client ${name}: churn's warm-up, throughput and sequential destinations`,
    ignore: !available && !requirePeers,
    fn: () =>
      bounded(120_000, async () => {
        assert(available, `${name} is required (REQUIRE_PEERS=1) but missing`);
        const srv = await countingServer(32, "0.0.0.0");
        try {
          const port = srv.addr.slice(srv.addr.lastIndexOf(":") + 1);
          const [cmd, ...args] = argv("churn");
          const out = await new Deno.Command(cmd, {
            args: [
              ...args,
              `127.0.0.1:${port}`,
              "200",
              "4",
              "0",
              `127.0.0.2:${port},127.0.0.3:${port}`,
              `127.0.0.4:${port}`,
            ],
            stdout: "piped",
            stderr: "inherit",
          }).output();
          assert(out.success, `${name} client exited with ${out.code}`);
          const r = JSON.parse(new TextDecoder().decode(out.stdout).trim());
          assertEquals([r.conns, r.errors, r.warm], [400, 0, 20]);
          assert(r.connsPerSec > 0, `connsPerSec ${r.connsPerSec}`);
          assert(r.seqConnsPerSec > 0, `seqConnsPerSec ${r.seqConnsPerSec}`);
          // No warm-up time: the first warm-up address takes the 20 conns
          // (CONNS/10), the second none; then 200 over 4 loops, 200 over 1.
          assertEquals(srv.byDest(), { "127.0.0.2": 20, "127.0.0.1": 200, "127.0.0.4": 200 });
        } finally {
          await srv.close();
        }
      }),
  });
}

for (const [name, argv, available] of clients) {
  Deno.test({
    name: `bench client ${name}: bulk of 1 MiB after a 128 KiB warm-up`,
    ignore: !available && !requirePeers,
    fn: () =>
      bounded(120_000, async () => {
        assert(available, `${name} is required (REQUIRE_PEERS=1) but missing`);
        const srv = await countingServer(64 << 10);
        try {
          const [cmd, ...args] = argv("bulk");
          const out = await new Deno.Command(cmd, {
            args: [...args, srv.addr, String(1 << 20)],
            stdout: "piped",
            stderr: "inherit",
          }).output();
          assert(out.success, `${name} client exited with ${out.code}`);
          const r = JSON.parse(new TextDecoder().decode(out.stdout).trim());
          assert(r.mbps > 0 && r.seconds > 0, `mbps ${r.mbps}, seconds ${r.seconds}`);
          // The client has exited; the server's conn ends at its EOF.
          while (srv.serving() > 0) await sleep(5);
          // 1 MiB / 10 in whole 64 KiB chunks: two.
          assertEquals(srv.echoed(), (1 << 20) + 2 * (64 << 10));
          assertEquals(srv.accepted(), 1);
        } finally {
          await srv.close();
        }
      }),
  });
}
