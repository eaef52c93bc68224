/**
 * The static host table (Go's net/hosts.go): the hosts file parsed into
 * name → addresses and address → names. The table is kept for 5 seconds,
 * then kept for another 5 if the file's modification time and size have not
 * changed, and read again otherwise.
 *
 * @module
 */

import { parseIPZone } from "./ip.ts";

/** How long a read of the hosts file is trusted before the file is stat'ed again. */
const cacheMaxAge = 5000;

interface HostsTable {
  /** Lower-case absolute name → literal addresses, in file order. */
  byName: Map<string, string[]>;
  /** Canonical literal address (with %zone) → absolute names as written. */
  byAddr: Map<string, string[]>;
  /** When the table must be checked against the file again (ms since the epoch). */
  expire: number;
  /** The file the table was read from. */
  path: string;
  /** The file's modification time when read (ms since the epoch). */
  mtime: number;
  /** The file's size when read. */
  size: number;
}

let hostsPath = "/etc/hosts";

const hosts: HostsTable = {
  byName: new Map(),
  byAddr: new Map(),
  expire: 0,
  path: "",
  mtime: 0,
  size: 0,
};

/**
 * Points the table at another hosts file (tests use fixtures) and returns
 * the previous path. The next lookup reads the new file.
 */
export function setHostsPath(path: string): string {
  const prev = hostsPath;
  hostsPath = path;
  return prev;
}

/**
 * Adds the trailing dot of an absolute name to a name with dots in it
 * ("example.com" → "example.com."); dotless names such as "localhost" are
 * left alone, as local names from the hosts file are (Go's absDomainName).
 */
export function absDomainName(s: string): string {
  if (s.includes(".") && s[s.length - 1] !== ".") return s + ".";
  return s;
}

/** ASCII-only lower-casing, as Go does for host names. */
function lowerASCII(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/**
 * The canonical text of an IP literal ("fe80::1%lo0" for an IPv6 address
 * with a zone); "" when s is not one. Classful forms ("127.1") are not IPs.
 */
function parseLiteralIP(s: string): string {
  const [ip, zone] = parseIPZone(s);
  if (ip === null) return "";
  if (zone === "") return ip.String();
  return ip.String() + "%" + zone;
}

/** Whether the path may be read without Deno asking the user. */
function mayRead(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "read", path }).state === "granted";
  } catch {
    return false;
  }
}

/** Empties the table, so that the next lookup tries the file again. */
function clear(path: string): void {
  hosts.byName = new Map();
  hosts.byAddr = new Map();
  hosts.expire = 0;
  hosts.path = path;
  hosts.mtime = 0;
  hosts.size = 0;
}

/** Brings the table up to date with the hosts file. */
function readHosts(): void {
  const now = Date.now();
  const hp = hostsPath;

  if (now < hosts.expire && hosts.path === hp && hosts.byName.size > 0) return;

  if (!mayRead(hp)) {
    clear(hp);
    return;
  }

  let mtime = 0;
  let size = 0;
  let statOK = false;
  try {
    const st = Deno.statSync(hp);
    mtime = st.mtime?.getTime() ?? 0;
    size = st.size;
    statOK = true;
  } catch {
    // The read below fails too, or the file has just appeared.
  }
  if (statOK && hosts.path === hp && hosts.mtime === mtime && hosts.size === size) {
    hosts.expire = now + cacheMaxAge;
    return;
  }

  let text: string;
  try {
    text = Deno.readTextFileSync(hp);
  } catch {
    clear(hp);
    return;
  }

  const byName = new Map<string, string[]>();
  const byAddr = new Map<string, string[]>();
  for (let line of text.split("\n")) {
    const hash = line.indexOf("#");
    if (hash >= 0) line = line.slice(0, hash); // a comment
    const f = line.split(/[ \r\t]+/).filter((x) => x !== "");
    if (f.length < 2) continue;
    const addr = parseLiteralIP(f[0]);
    if (addr === "") continue;
    for (let i = 1; i < f.length; i++) {
      const name = absDomainName(f[i]);
      const key = absDomainName(lowerASCII(f[i]));
      append(byName, key, addr);
      append(byAddr, addr, name);
    }
  }

  hosts.byName = byName;
  hosts.byAddr = byAddr;
  hosts.expire = now + cacheMaxAge;
  hosts.path = hp;
  hosts.mtime = mtime;
  hosts.size = size;
}

function append(m: Map<string, string[]>, key: string, value: string): void {
  const list = m.get(key);
  if (list === undefined) m.set(key, [value]);
  else list.push(value);
}

/**
 * The addresses the hosts file lists for host, in file order, as canonical
 * literals ("127.0.0.1", "fe80::1%lo0"); empty when there are none or the
 * file cannot be read. Names match case-insensitively (ASCII), with or
 * without a trailing dot. The result is a fresh copy.
 */
export function lookupStaticHost(host: string): string[] {
  readHosts();
  if (hosts.byName.size === 0) return [];
  const ips = hosts.byName.get(absDomainName(lowerASCII(host)));
  return ips === undefined ? [] : [...ips];
}

/**
 * The names the hosts file lists for the IP literal addr, in file order,
 * with their case kept and a trailing dot on names that contain a dot;
 * empty when there are none, addr is not an IP literal or the file cannot
 * be read. The result is a fresh copy.
 */
export function lookupStaticAddr(addr: string): string[] {
  readHosts();
  const key = parseLiteralIP(addr);
  if (key === "" || hosts.byAddr.size === 0) return [];
  const names = hosts.byAddr.get(key);
  return names === undefined ? [] : [...names];
}
