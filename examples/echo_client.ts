// The seed's echo client: sends each argument and prints what comes back.
// Usage: deno run --allow-ffi --allow-read --allow-net examples/echo_client.ts HOST:PORT [message…]
import { DialTimeout } from "../mod.ts";

const [address, ...messages] = Deno.args;
if (!address) {
  console.error("usage: echo_client.ts HOST:PORT [message…]");
  Deno.exit(2);
}
const conn = await DialTimeout("tcp", address, 3000);
console.log(`connected ${conn.LocalAddr()?.String()} -> ${conn.RemoteAddr()?.String()}`);
const enc = new TextEncoder();
const dec = new TextDecoder();
const buf = new Uint8Array(64 << 10);
for (const msg of messages.length > 0 ? messages : ["hello, netpoll"]) {
  const out = enc.encode(msg);
  await conn.Write(out);
  conn.SetReadDeadline(new Date(Date.now() + 3000));
  let got = 0;
  let text = "";
  while (got < out.length) {
    const n = await conn.Read(buf);
    got += n;
    text += dec.decode(buf.subarray(0, n));
  }
  console.log(`echo: ${text}`);
}
conn.Close();
