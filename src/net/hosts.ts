/**
 * The static host table (Go's net/hosts.go): /etc/hosts parsed into name →
 * addresses and address → names, cached for 5 s and re-read when the file
 * changes.
 *
 * @module
 */

import { ParseIP, parseIPZone } from "./ip.ts";

const cacheMaxAge = 5000;

interface HostsCache {
  byName: Map<string, string[]>;
  byAddr: Map<string, string[]>;
  expire: number;
  path: string;
  mtime: number;
  size: number;
}

let hostsPath = "/etc/hosts";
let cache: HostsCache | null = null;

/** Points the table at another file (tests use fixtures); returns the previous path. */
export function setHostsPath(path: string): string {
  const prev = hostsPath;
  hostsPath = path;
  return prev;
}

/** An IP literal in canonical text, with its zone; "" if s is not one. */
function parseLiteralIP(s: string): string {
  const [ip, zone] = s.includes(":") ? parseIPZone(s) : [ParseIP(s), ""];
  if (ip === null) return "";
  return zone === "" ? ip.String() : `${ip.String()}%${zone}`;
}

/** Adds the trailing dot of a fully qualified name, as Go's absDomainName. */
function absDomainName(s: string): string {
  return s.endsWith(".") ? s : s + ".";
}

function readHosts(): HostsCache | null {
  const now = Date.now();
  if (cache !== null && cache.path === hostsPath && now < cache.expire && cache.byName.size > 0) {
    return cache;
  }
  let mtime = 0;
  let size = 0;
  try {
    const st = Deno.statSync(hostsPath);
    mtime = st.mtime?.getTime() ?? 0;
    size = st.size;
  } catch {
    return cache?.path === hostsPath ? cache : null;
  }
  if (cache !== null && cache.path === hostsPath && cache.mtime === mtime && cache.size === size) {
    cache.expire = now + cacheMaxAge;
    return cache;
  }
  let text: string;
  try {
    text = Deno.readTextFileSync(hostsPath);
  } catch {
    return null;
  }
  const byName = new Map<string, string[]>();
  const byAddr = new Map<string, string[]>();
  for (let line of text.split("\n")) {
    const hash = line.indexOf("#");
    if (hash >= 0) line = line.slice(0, hash);
    const f = line.split(/[ \t\r]+/).filter((x) => x !== "");
    if (f.length < 2) continue;
    const addr = parseLiteralIP(f[0]);
    if (addr === "") continue;
    for (const name of f.slice(1)) {
      const key = absDomainName(name.toLowerCase());
      byName.set(key, [...(byName.get(key) ?? []), addr]);
      byAddr.set(addr, [...(byAddr.get(addr) ?? []), absDomainName(name)]);
    }
  }
  cache = { byName, byAddr, expire: now + cacheMaxAge, path: hostsPath, mtime, size };
  return cache;
}

/** The addresses /etc/hosts lists for host, in file order (empty if none). */
export function lookupStaticHost(host: string): string[] {
  const h = readHosts();
  return [...(h?.byName.get(absDomainName(host.toLowerCase())) ?? [])];
}

/** The names /etc/hosts lists for an address (empty if none). */
export function lookupStaticAddr(addr: string): string[] {
  const h = readHosts();
  const key = parseLiteralIP(addr);
  if (key === "") return [];
  return [...(h?.byAddr.get(key) ?? [])];
}
