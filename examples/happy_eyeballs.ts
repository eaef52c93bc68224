// Happy Eyeballs, visualised: a slow IPv6 listener (backlog 0, queue full,
// so connects hang) and a fast IPv4 one on the same port; a Resolver that
// answers IPv6 first. The IPv6 attempt starts at once, the IPv4 fallback
// after FallbackDelay, and the first connection wins.
// Usage: deno run --allow-ffi --allow-read --allow-net examples/happy_eyeballs.ts [fallbackDelayMs]
import { AF_INET6, SOCK_STREAM } from "../ffi/constants.ts";
import { Dial, Dialer, type IPAddr, Listen, ParseIP, Resolver, TCPAddr } from "../mod.ts";
import { socket } from "../src/net/fd_unix.ts";
import { sockaddrToTCP } from "../src/net/tcpsock.ts";

const fallbackDelay = Number(Deno.args[0] ?? "300");
const t0 = performance.now();
const log = (msg: string) =>
  console.log(`[${(performance.now() - t0).toFixed(1).padStart(7)} ms] ${msg}`);

// The fast IPv4 listener picks the port; the slow IPv6 one shares it.
const fast = await Listen("tcp4", "127.0.0.1:0");
const port = (fast.Addr() as TCPAddr).Port;
const slowFd = await socket(
  "tcp6",
  AF_INET6,
  SOCK_STREAM,
  0,
  true,
  new TCPAddr(ParseIP("::1"), port).sockaddr(AF_INET6),
  null,
  { addrFunc: sockaddrToTCP, backlog: 0, control: () => {}, deadline: null, signal: null },
);
const filler = await Dial("tcp6", `[::1]:${port}`);
console.log(`listening on 127.0.0.1:${port} (fast) and [::1]:${port} (slow: queue full)`);

class DualStack extends Resolver {
  override LookupIPAddr(_s: AbortSignal | null, host: string): Promise<IPAddr[]> {
    log(`resolve ${host} → ::1, 127.0.0.1 (IPv6 first: it is the primary family)`);
    return Promise.resolve([{ IP: ParseIP("::1")!, Zone: "" }, {
      IP: ParseIP("127.0.0.1")!,
      Zone: "",
    }]);
  }
}

const d = new Dialer({
  FallbackDelay: fallbackDelay,
  Timeout: 5000,
  Resolver: new DualStack(),
  Control: (network, address) => log(`attempt: socket for ${network} ${address}`),
});
const accepted = fast.Accept();
const start = performance.now();
const c = await d.Dial("tcp", `dual.example:${port}`);
log(
  `connected to ${c.RemoteAddr()?.String()} after ${
    (performance.now() - start).toFixed(1)
  } ms (FallbackDelay ${fallbackDelay} ms)`,
);

c.Close();
(await accepted).Close();
filler.Close();
slowFd.Close();
fast.Close();
