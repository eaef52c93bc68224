// The harness's churn clients (bench/clients): each makes exactly the
// warm-up and measured conns it reports, so a cell of bench/compare.ts
// counts what it claims and stays under the kernel's per-destination port
// budget (see the churn notes in bench/compare.ts).
import { assert, assertEquals } from "@std/assert";
import { type Conn, Listen } from "../mod.ts";
import { bounded, echoUntilClosed, has, requirePeers } from "./_util.ts";

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

/** An echo server of 1-byte requests that counts the conns it accepted. */
async function countingServer() {
  const ln = await Listen("tcp", "127.0.0.1:0");
  let accepted = 0;
  const open = new Set<Conn>();
  const serve = async (c: Conn) => {
    open.add(c);
    await echoUntilClosed(c); // until the client closes
    open.delete(c);
    c.Close();
  };
  const loop = (async () => {
    for await (const c of ln) {
      accepted++;
      serve(c);
    }
  })();
  return {
    addr: ln.Addr().String(),
    accepted: () => accepted,
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
