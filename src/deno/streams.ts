/**
 * Web streams over a TCPConn, shaped like `Deno.Conn.readable` and
 * `Deno.Conn.writable`: a pull-based byte stream that reads only when its
 * consumer asks, and a writable whose queue is bounded so a slow peer
 * pushes back on the writer instead of growing memory.
 *
 * @module
 */

import { EOF } from "../poll/errors.ts";
import type { TCPConn } from "../net/tcpsock.ts";

/** Bytes each default-reader pull allocates, as Deno's own conns (64 KiB). */
export const readChunkSize = 64 * 1024;

/** Bytes the writable queues beyond the chunk being written before `ready` waits (64 KiB). */
export const writeHighWaterMark = 64 * 1024;

/**
 * A byte stream reading c: one Read per pull, nothing read ahead. End of
 * stream closes the stream but not the conn (unlike Deno's, denoland/deno#27510);
 * cancel shuts the read side down with CloseRead (onCancel runs first).
 */
export function readableFromConn(
  c: TCPConn,
  onCancel: () => void,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  let cancelled = false;
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: readChunkSize,
    async pull(controller) {
      const request = controller.byobRequest!;
      const view = request.view!;
      let n: number;
      try {
        n = await c.Read(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
      } catch (err) {
        // A Read parked when the stream was cancelled ends with it.
        if (cancelled) return;
        if (err !== EOF) {
          controller.error(err);
          return;
        }
        controller.close();
        request.respond(0);
        return;
      }
      if (!cancelled) request.respond(n);
    },
    cancel() {
      cancelled = true;
      onCancel();
      try {
        c.CloseRead();
      } catch {
        // Already closed: nothing left to shut down.
      }
    },
  });
}

/**
 * A writable writing each chunk in full to c. Its queue holds up to
 * writeHighWaterMark bytes, so `writer.ready` waits while the kernel's
 * buffers are full. close shuts the write side down (the peer reads EOF);
 * abort closes the conn, which also fails a write parked on a full buffer.
 */
export function writableFromConn(c: TCPConn): WritableStream<Uint8Array> {
  const closeQuietly = () => {
    try {
      c.Close();
    } catch {
      // Already closed.
    }
  };
  return new WritableStream<Uint8Array>({
    start(controller) {
      // The spec lets abort wait for the write in flight; closing unblocks it.
      controller.signal.addEventListener("abort", closeQuietly, { once: true });
    },
    async write(chunk) {
      await c.Write(chunk);
    },
    close() {
      c.CloseWrite();
    },
    abort: closeQuietly,
  }, new ByteLengthQueuingStrategy({ highWaterMark: writeHighWaterMark }));
}
