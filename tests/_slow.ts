// A listener that never completes a connect: backlog 0 and one queued
// connection fill its accept queue, so further SYNs are dropped.
import { AF_INET, AF_INET6, SOCK_STREAM } from "../ffi/constants.ts";
import { Dial, ParseIP } from "../mod.ts";
import { socket } from "../src/net/fd_unix.ts";
import { sockaddrToTCP, TCPAddr } from "../src/net/tcpsock.ts";

/** Listens on host:port with backlog 0 and fills the queue; returns a closer. */
export async function slowListener(
  network: "tcp4" | "tcp6",
  host: string,
  port: number,
): Promise<() => void> {
  const family = network === "tcp6" ? AF_INET6 : AF_INET;
  const ip = ParseIP(host.replace(/[\[\]]/g, ""))!;
  const la = new TCPAddr(ip, port).sockaddr(family);
  const fd = await socket(network, family, SOCK_STREAM, 0, network === "tcp6", la, null, {
    addrFunc: sockaddrToTCP,
    backlog: 0,
    control: () => {},
    deadline: null,
    signal: null,
  });
  const filler = await Dial(network, `${host}:${port}`);
  return () => {
    filler.Close();
    fd.Close();
  };
}
