// The "STAT\n" control reply of the idle-workload servers: a GC (when run
// with --v8-flags=--expose-gc), then {"heapUsed":N} on stdout; returns the
// same line for the control conn.
export function statLine(): Uint8Array {
  (globalThis as { gc?: () => void }).gc?.();
  const line = JSON.stringify({ heapUsed: Deno.memoryUsage().heapUsed }) + "\n";
  const bytes = new TextEncoder().encode(line);
  Deno.stdout.writeSync(bytes);
  return bytes;
}
