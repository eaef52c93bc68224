/**
 * The `--allow-net` courtesy guard. Sockets opened through FFI bypass
 * Deno's permission sandbox, so the library asks `Deno.permissions` itself
 * before each connect and listen and refuses what `--allow-net` does not
 * grant, with the error Deno would give. It is a courtesy to the user's
 * flags, not a security boundary: any code with `--allow-ffi` can skip it.
 *
 * @module
 */

import type { IP } from "./ip.ts";
import { JoinHostPort, SplitHostPort } from "./ipsock.ts";

/** Deno's spelling of a net permission target: "127.0.0.1:8080", "[::1]:8080", "localhost:80". */
export function netPermissionHost(host: string, port: number): string {
  return JoinHostPort(host === "" ? "0.0.0.0" : host, String(port));
}

/**
 * Throws a `Deno.errors.NotCapable` with Deno's message unless net access
 * to host ("hostname:port") is granted. A host Deno cannot parse is not
 * granted.
 */
export function checkNetPermission(host: string): void {
  if (netUnrestricted()) return;
  let state: Deno.PermissionState;
  try {
    state = Deno.permissions.querySync({ name: "net", host }).state;
  } catch {
    state = "denied";
  }
  if (state !== "granted") {
    throw new Deno.errors.NotCapable(
      `Requires net access to "${host}", run again with the --allow-net flag`,
    );
  }
}

/**
 * Deno's status object for net access to every host, kept from the first
 * query: Deno updates that very object when the permission is revoked, so
 * reading its state costs nothing, where a query per dial costs an op.
 */
let unrestricted: Deno.PermissionStatus | null | undefined;

function netUnrestricted(): boolean {
  if (unrestricted === undefined) {
    try {
      unrestricted = Deno.permissions.querySync({ name: "net" });
    } catch {
      unrestricted = null;
    }
  }
  // "granted" with partial set means some hosts are denied (--deny-net):
  // then each host must be asked.
  return unrestricted !== null && unrestricted.state === "granted" && !unrestricted.partial;
}

/** The guard for connecting to ip:port; Deno names the IP literal without its zone. */
export function checkDialPermission(ip: IP | null, port: number): void {
  // Most processes run with all of --allow-net: then skip spelling the host.
  if (netUnrestricted()) return;
  checkNetPermission(netPermissionHost(ip === null || ip.length === 0 ? "" : ip.String(), port));
}

/**
 * The guard for listening on address ("host:port" as given to Listen) once
 * the port is resolved: Deno checks the host name as given, and an empty
 * host as "0.0.0.0".
 */
export function checkListenPermission(address: string, port: number): void {
  const [host] = SplitHostPort(address);
  checkNetPermission(netPermissionHost(host.replace(/%.*$/, ""), port));
}
