// A self-contained tour of netpoll: listen, dial, echo, Happy Eyeballs,
// deadlines timing out, half-close, Go's errors, and a clean close. Run: deno task demo
import {
  Dial,
  Dialer,
  DialTimeout,
  EOF,
  ErrClosed,
  ErrDeadlineExceeded,
  type IPAddr,
  Is,
  Listen,
  type OpError,
  ParseIP,
  Resolver,
  type TCPConn,
} from "../mod.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const t0 = performance.now();
const log = (msg: string) =>
  console.log(`[${(performance.now() - t0).toFixed(1).padStart(7)} ms] ${msg}`);

// 1. A dual-stack echo server on an ephemeral port.
const ln = await Listen("tcp", ":0");
log(`listening on ${ln.Addr().String()} (":0" is dual-stack: [::] takes IPv4 too)`);
const served = (async () => {
  for await (const conn of ln) {
    (async () => {
      const buf = new Uint8Array(1024);
      try {
        for (;;) {
          const n = await conn.Read(buf);
          await conn.Write(buf.subarray(0, n));
        }
      } catch (err) {
        log(`server: ${conn.RemoteAddr()?.String()} done: ${Is(err, EOF) ? "EOF" : err}`);
      } finally {
        conn.Close();
      }
    })();
  }
  log("server: listener closed, accept loop ends");
})();
const port = ln.Addr().String().split(":").pop();

// 2. Dial over IPv4 and IPv6 and echo.
for (const host of ["127.0.0.1", "[::1]"]) {
  const c = await DialTimeout("tcp", `${host}:${port}`, 1000) as TCPConn;
  log(`dialed ${c.LocalAddr()?.String()} -> ${c.RemoteAddr()?.String()}`);
  await c.Write(enc.encode(`hello over ${host}`));
  const buf = new Uint8Array(64);
  const n = await c.Read(buf);
  log(`echo: "${dec.decode(buf.subarray(0, n))}"`);

  // 3. Half-close: the server sees EOF, we can still read its last bytes.
  c.CloseWrite();
  try {
    await c.Read(buf);
  } catch (err) {
    log(`after CloseWrite, our Read gets ${Is(err, EOF) ? "EOF" : err} once the server closes`);
  }
  c.Close();
}

// 3b. Happy Eyeballs: a resolver that answers IPv6 first for a name, on a
// port only our IPv4 side serves ([::1] refuses), so the IPv4 fallback
// starts at once instead of after FallbackDelay.
{
  const v4 = await Listen("tcp4", "127.0.0.1:0");
  const p4 = v4.Addr().String().split(":").pop();
  class DualStack extends Resolver {
    override LookupIPAddr(_s: AbortSignal | null, _host: string): Promise<IPAddr[]> {
      return Promise.resolve([
        { IP: ParseIP("::1")!, Zone: "" },
        { IP: ParseIP("127.0.0.1")!, Zone: "" },
      ]);
    }
  }
  const d = new Dialer({ Resolver: new DualStack(), FallbackDelay: 300 });
  const start = performance.now();
  const [c, s] = await Promise.all([d.Dial("tcp", `dual.example:${p4}`), v4.Accept()]);
  log(
    `happy eyeballs: [::1]:${p4} refused, fell back to ${c.RemoteAddr()?.String()} in ${
      (performance.now() - start).toFixed(1)
    } ms (FallbackDelay 300 ms)`,
  );
  c.Close();
  s.Close();
  v4.Close();
}

// 4. Deadlines: a Read with nothing to read fails after 100 ms.
const c = await Dial("tcp", `127.0.0.1:${port}`);
c.SetReadDeadline(new Date(Date.now() + 100));
const start = performance.now();
try {
  await c.Read(new Uint8Array(16));
} catch (err) {
  const e = err as OpError;
  log(
    `read deadline: "${e.message}" after ${(performance.now() - start).toFixed(0)} ms ` +
      `(Timeout()=${e.Timeout()}, Is ErrDeadlineExceeded=${Is(e, ErrDeadlineExceeded)})`,
  );
}

// 5. Extending the deadline lets the Read go on.
c.SetReadDeadline(new Date(Date.now() + 50));
const pending = c.Read(new Uint8Array(16));
c.SetReadDeadline(new Date(Date.now() + 1000));
await new Promise((r) => setTimeout(r, 100));
await c.Write(enc.encode("late"));
log(`extended deadline: Read got ${await pending} bytes after the first deadline passed`);

// 6. Close unblocks a parked Read with ErrClosed.
const parked = c.Read(new Uint8Array(16)).catch((err) => err);
c.Close();
const closedErr = await parked;
log(
  `Close unblocked a parked Read: "${closedErr.message}" (Is ErrClosed=${
    Is(closedErr, ErrClosed)
  })`,
);

// 7. Go's errors for a refused dial and bad input.
for (
  const [network, address] of [["tcp", `127.0.0.1:1`], ["tcp", "::1:80"], ["tcp5", "x:1"], [
    "tcp",
    "127.0.0.1:70000",
  ]]
) {
  try {
    await Dial(network, address);
  } catch (err) {
    log(`Dial(${JSON.stringify(network)}, ${JSON.stringify(address)}): ${(err as Error).message}`);
  }
}

// 8. Clean close: the accept loop ends and the process exits by itself.
ln.Close();
await served;
log("done");
