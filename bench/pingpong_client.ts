// 32-byte ping-pong over one connection; prints JSON {p50, p99} in µs.
// Usage: deno run -A bench/pingpong_client.ts netpoll|deno HOST:PORT [count]
import { Dial } from "../mod.ts";

const [impl, address, countArg] = Deno.args;
const count = Number(countArg ?? "20000");
const [host, port] = [
  address.slice(0, address.lastIndexOf(":")),
  Number(address.slice(address.lastIndexOf(":") + 1)),
];
const msg = new Uint8Array(32).fill(7);
const buf = new Uint8Array(64);
const rtts: number[] = [];

if (impl === "netpoll") {
  const c = await Dial("tcp", address);
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await c.Write(msg);
    let got = 0;
    while (got < 32) got += await c.Read(buf);
    rtts.push(performance.now() - t);
  }
  c.Close();
} else {
  const c = await Deno.connect({ hostname: host, port });
  c.setNoDelay(true);
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await c.write(msg);
    let got = 0;
    while (got < 32) got += (await c.read(buf))!;
    rtts.push(performance.now() - t);
  }
  c.close();
}
rtts.sort((a, b) => a - b);
const q = (p: number) => rtts[Math.min(rtts.length - 1, Math.floor(p * rtts.length))] * 1000;
console.log(JSON.stringify({ p50: q(0.5), p99: q(0.99) }));
