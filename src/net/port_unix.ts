/**
 * The services database (Go's net/port_unix.go and lookup.go's built-in
 * map): service names to port numbers per protocol.
 *
 * @module
 */

import { AddrError } from "./errors.ts";

/** Go's built-in map, used when /etc/services lacks a name. */
const builtin: Record<string, Record<string, number>> = {
  tcp: {
    ftp: 21,
    ftps: 990,
    gopher: 70,
    http: 80,
    https: 443,
    imap2: 143,
    imap3: 220,
    imaps: 993,
    pop3: 110,
    pop3s: 995,
    smtp: 25,
    ssh: 22,
    telnet: 23,
  },
  udp: { domain: 53 },
};

let services: Map<string, Map<string, number>> | null = null;

/** Reads /etc/services once, on top of the built-in map. */
function readServices(): Map<string, Map<string, number>> {
  if (services !== null) return services;
  const m = new Map<string, Map<string, number>>();
  for (const [proto, names] of Object.entries(builtin)) {
    m.set(proto, new Map(Object.entries(names)));
  }
  let text = "";
  try {
    text = Deno.readTextFileSync("/etc/services");
  } catch {
    // No services file: the built-in map is all there is.
  }
  for (let line of text.split("\n")) {
    const hash = line.indexOf("#");
    if (hash >= 0) line = line.slice(0, hash);
    const f = line.split(/[ \t\r]+/).filter((x) => x !== "");
    if (f.length < 2) continue;
    const [portText, proto] = f[1].split("/");
    const port = Number(portText);
    if (!proto || !Number.isInteger(port) || port < 0 || port > 65535) continue;
    let names = m.get(proto);
    if (names === undefined) m.set(proto, names = new Map());
    for (const name of [f[0], ...f.slice(2)]) {
      if (!names.has(name.toLowerCase())) names.set(name.toLowerCase(), port);
    }
  }
  services = m;
  return m;
}

/** Looks up a service name for network (Go's lookupPortMap); throws "unknown port". */
export function lookupPortMap(network: string, service: string): number {
  let proto = network;
  if (network === "tcp4" || network === "tcp6") proto = "tcp";
  if (network === "udp4" || network === "udp6") proto = "udp";
  const db = readServices();
  const protos = proto === "ip" ? ["tcp", "udp"] : [proto];
  for (const p of protos) {
    const port = db.get(p)?.get(service.toLowerCase());
    if (port !== undefined) return port;
  }
  throw new AddrError("unknown port", `${network}/${service}`);
}
