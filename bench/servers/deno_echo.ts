// An echo server on Deno.listen, the native twin of examples/echo_server.ts.
// Usage: deno run --allow-net bench/servers/deno_echo.ts [port]
const port = Number(Deno.args[0] ?? "0");
const ln = Deno.listen({ hostname: "127.0.0.1", port });
console.log(`listening on 127.0.0.1:${ln.addr.port}`);
for await (const conn of ln) {
  (async () => {
    conn.setNoDelay(true);
    const buf = new Uint8Array(64 << 10);
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        let off = 0;
        while (off < n) off += await conn.write(buf.subarray(off, n));
      }
    } catch {
      // Reset by the client.
    } finally {
      conn.close();
    }
  })();
}
