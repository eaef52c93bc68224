// Zero-copy measured: 256 MiB through examples/tcp_proxy.ts with splice
// against the same proxy copying through JS; and writev of many small
// buffers against one Write per buffer.
// Usage: deno run -A bench/zerocopy.ts [--mib 256] [--rounds 3]
import { Buffers, Dial, EOF, Listen, type TCPConn } from "../mod.ts";

const flag = (name: string, def: string) => {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : def;
};
const mib = Number(flag("--mib", "256"));
const rounds = Number(flag("--rounds", "3"));
const total = mib << 20;
const root = new URL("..", import.meta.url).pathname;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A source that writes `total` bytes to every connection, then closes it. */
const src = await Listen("tcp", "127.0.0.1:0");
(async () => {
  const chunk = new Uint8Array(1 << 20).fill(0x5a);
  for await (const c of src) {
    (async () => {
      for (let sent = 0; sent < total; sent += chunk.length) await c.Write(chunk);
      c.Close();
    })().catch(() => c.Close());
  }
})();

async function throughProxy(mode: "splice" | "copy"): Promise<number> {
  const args = [
    "run",
    "--allow-ffi",
    "--allow-read",
    "--allow-net",
    "examples/tcp_proxy.ts",
    "0",
    src.Addr().String(),
  ];
  if (mode === "copy") args.push("--copy");
  const proxy = new Deno.Command(Deno.execPath(), { args, cwd: root, stdout: "piped" }).spawn();
  const reader = proxy.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let line = "";
    while (!line.includes("\n")) line += (await reader.read()).value ?? "";
    const addr = /listening on (\S+)/.exec(line)![1];
    const c = await Dial("tcp", addr) as TCPConn;
    const buf = new Uint8Array(1 << 20);
    let got = 0;
    const t0 = performance.now();
    for (;;) {
      try {
        got += await c.Read(buf);
      } catch (err) {
        if (err === EOF) break;
        throw err;
      }
    }
    const secs = (performance.now() - t0) / 1000;
    c.Close();
    if (got !== total) throw new Error(`got ${got} of ${total}`);
    return mib / secs;
  } finally {
    proxy.kill();
    await proxy.status;
    await reader.cancel();
  }
}

const results: Record<string, number[]> = { splice: [], copy: [] };
for (let r = 0; r < rounds; r++) {
  for (const mode of ["splice", "copy"] as const) results[mode].push(await throughProxy(mode));
}
console.log(`${mib} MiB through examples/tcp_proxy.ts, median of ${rounds}:`);
console.log(
  `  splice: ${median(results.splice).toFixed(0)} MB/s  (${
    results.splice.map((x) => x.toFixed(0)).join(", ")
  })`,
);
console.log(
  `  copy:   ${median(results.copy).toFixed(0)} MB/s  (${
    results.copy.map((x) => x.toFixed(0)).join(", ")
  })`,
);

// writev of many small buffers vs one Write per buffer.
const ln = await Listen("tcp", "127.0.0.1:0");
const [c, s] = await Promise.all([Dial("tcp", ln.Addr().String()), ln.Accept()]) as [
  TCPConn,
  TCPConn,
];
const drain = (async () => {
  const b = new Uint8Array(1 << 20);
  try {
    for (;;) await s.Read(b);
  } catch {
    // EOF at the end.
  }
})();
const count = 1000;
const small = Array.from({ length: count }, () => new Uint8Array(64).fill(1));
const batches = 200;
const timeIt = async (f: () => Promise<unknown>) => {
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) await f();
  return (performance.now() - t0) / batches;
};
const wv: number[] = [];
const each: number[] = [];
for (let r = 0; r < rounds; r++) {
  wv.push(await timeIt(() => new Buffers([...small]).WriteTo(c)));
  each.push(
    await timeIt(async () => {
      for (const b of small) await c.Write(b);
    }),
  );
}
console.log(`${count} buffers of 64 B, per batch, median of ${rounds}:`);
console.log(`  writev (Buffers.WriteTo): ${(median(wv) * 1000).toFixed(0)} µs`);
console.log(
  `  one Write per buffer:     ${(median(each) * 1000).toFixed(0)} µs  (${
    (median(each) / median(wv)).toFixed(1)
  }x slower)`,
);
c.Close();
await drain;
s.Close();
ln.Close();
src.Close();
