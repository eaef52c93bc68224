// The harness's HTTP servers (examples/http_hello.ts and its twins in
// bench/servers): each answers exactly one response per request, however
// the pipelined requests are split across reads. Their request scans skip
// header bytes four at a time, so a split in the blank line, or a read that
// ends just past a skip, must not lose or invent a request.
import { assert, assertEquals } from "@std/assert";
import { Dial, EOF, Is, type TCPConn } from "../mod.ts";
import { bounded, has, requirePeers, spawnListening } from "./_util.ts";

const response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";
const haveCc = has("cc", ["--version"]);

/** The servers, by name: how to start one on an ephemeral port, and whether it can run here. */
const servers: [string, (dir: string) => Promise<string[]>, boolean][] = [
  ["netpoll", () => deno("examples/http_hello.ts"), true],
  ["deno", () => deno("bench/servers/deno_http.ts"), true],
  [
    "node",
    () => Promise.resolve(["node", "bench/servers/node_http.mjs", "0"]),
    has("node", [
      "--version",
    ]),
  ],
  ["go", async (dir) => {
    await build(["go", "build", "-o", `${dir}/http`, "bench/servers/go/http.go"]);
    return [`${dir}/http`, "0"];
  }, has("go", ["version"])],
  ["c", async (dir) => {
    await build(["cc", "-O2", "-o", `${dir}/http`, "bench/servers/c/http.c"]);
    return [`${dir}/http`, "0"];
  }, haveCc],
];

function deno(main: string): Promise<string[]> {
  return Promise.resolve([Deno.execPath(), "run", "-A", main, "0"]);
}

async function build(argv: string[]): Promise<void> {
  const out = await new Deno.Command(argv[0], { args: argv.slice(1), stderr: "piped" }).output();
  assert(out.success, `${argv.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

/** The requests in text: its blank lines, found left to right without overlap (as a server reads). */
function requestsIn(text: string): number {
  return text.split("\r\n\r\n").length - 1;
}

/**
 * Sends chunks to the server at addr, pause() ms apart (0: none), then
 * half-closes: the server must answer every request in them,
 * and nothing more, before it closes at our EOF.
 */
async function exchange(addr: string, chunks: string[], pause: () => number): Promise<void> {
  const enc = new TextEncoder();
  const c = (await Dial("tcp", addr)) as TCPConn;
  try {
    for (const chunk of chunks) {
      await c.Write(enc.encode(chunk));
      const ms = pause();
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    }
    c.CloseWrite();
    c.SetReadDeadline(new Date(Date.now() + 10_000));
    const got = new Uint8Array(64 << 10);
    let n = 0;
    for (;;) {
      try {
        n += await c.Read(got.subarray(n));
      } catch (err) {
        if (Is(err, EOF)) break;
        throw err;
      }
    }
    const want = response.repeat(requestsIn(chunks.join("")));
    assertEquals(new TextDecoder().decode(got.subarray(0, n)), want);
  } finally {
    c.Close();
  }
}

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const [name, start, available] of servers) {
  Deno.test({
    name: `bench server ${name}: one response per pipelined request, however the requests split`,
    ignore: !available && !requirePeers,
    fn: () =>
      bounded(120_000, async () => {
        assert(available, `${name} is required (REQUIRE_PEERS=1) but missing`);
        const dir = await Deno.makeTempDir();
        const argv = await start(dir);
        try {
          const { addr, stop } = await spawnListening(argv[0], argv.slice(1));
          try {
            // Reads that end exactly where a 4-byte skip lands: a scan that
            // then looks one byte past the read sees a stale '\r' there (the
            // servers reuse their buffers) and counts "\n\r\n" as the end of a
            // request; one valid request follows.
            for (let i = 0; i < 2; i++) {
              const chunks = ["ABCD\rZ", "WXYZ", "\n\r\n", "GET / HTTP/1.1\r\nHost: h\r\n\r\n"];
              await exchange(addr, chunks, () => 30);
            }
            const rand = rng(1);
            for (let conn = 0; conn < 20; conn++) {
              let text = "";
              for (let i = 1 + Math.floor(rand() * 40); i > 0; i--) {
                text += `GET /${"x".repeat(Math.floor(rand() * 9))} HTTP/1.1\r\nHost: h${
                  "y".repeat(Math.floor(rand() * 6))
                }\r\n\r\n`;
              }
              // Chunks of 1-9 bytes, some apart, so the server's reads end
              // at every offset of the blank line and of a skip.
              const chunks: string[] = [];
              for (let o = 0; o < text.length;) {
                const n = 1 + Math.floor(rand() * 9);
                chunks.push(text.slice(o, o + n));
                o += n;
              }
              await exchange(addr, chunks, () => rand() < 0.1 ? 2 : 0);
            }
          } finally {
            await stop();
          }
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      }),
  });
}
