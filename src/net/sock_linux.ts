/**
 * Linux socket defaults (Go's net/sock_linux.go).
 *
 * @module
 */

import { MAX_BACKLOG } from "../../ffi/constants.ts";

/** SOMAXCONN from the kernel headers: the fallback backlog. */
const SOMAXCONN = 4096;

let backlog = 0;

/**
 * The listen backlog: /proc/sys/net/core/somaxconn, capped at 65535 (the
 * kernel keeps it in 16 bits), read once.
 */
export function listenerBacklog(): number {
  if (backlog !== 0) return backlog;
  let n = SOMAXCONN;
  try {
    const v = parseInt(Deno.readTextFileSync("/proc/sys/net/core/somaxconn").trim(), 10);
    if (v > 0) n = Math.min(v, MAX_BACKLOG);
  } catch {
    // Not readable (no /proc or no --allow-read): use the header value.
  }
  backlog = n;
  return n;
}
