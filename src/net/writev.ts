/**
 * Buffers (Go's net.Buffers): many byte slices written with one writev(2)
 * where the destination supports it.
 *
 * @module
 */

import { EOF } from "../poll/errors.ts";

/** A destination that can write many buffers at once. */
export interface BuffersWriter {
  /** Writes all of bufs; resolves the total. */
  writeBuffers(bufs: Uint8Array[]): Promise<number>;
}

/** A plain writer. */
export interface Writer {
  /** Writes all of b. */
  Write(b: Uint8Array): Promise<number>;
}

/**
 * Zero or more runs of bytes to write (Go's `net.Buffers`). On a conn,
 * WriteTo uses writev(2), IOV_MAX buffers per call.
 *
 * @example
 * ```ts ignore
 * import { Buffers, Dial } from "@netpoll/net";
 * const c = await Dial("tcp", "127.0.0.1:8080");
 * const enc = new TextEncoder();
 * await new Buffers([enc.encode("GET / HTTP/1.1\r\n"), enc.encode("Host: x\r\n\r\n")]).WriteTo(c);
 * ```
 */
export class Buffers {
  /** The buffers still to write or read. */
  bufs: Uint8Array[];

  /** Wraps bufs (not copied). */
  constructor(bufs: Uint8Array[]) {
    this.bufs = bufs;
  }

  /** Writes every buffer to w, with writev when w is a conn; resolves the bytes written. */
  async WriteTo(w: Writer | BuffersWriter): Promise<number> {
    const bufs = this.bufs;
    this.bufs = [];
    if ("writeBuffers" in w) return await w.writeBuffers(bufs);
    let n = 0;
    for (const b of bufs) n += await w.Write(b);
    return n;
  }

  /** Reads from the buffers into p, consuming them; rejects with EOF when empty. */
  Read(p: Uint8Array): Promise<number> {
    let n = 0;
    while (n < p.length && this.bufs.length > 0) {
      const b = this.bufs[0];
      const k = Math.min(b.length, p.length - n);
      p.set(b.subarray(0, k), n);
      n += k;
      if (k === b.length) this.bufs.shift();
      else this.bufs[0] = b.subarray(k);
    }
    if (n === 0 && p.length > 0) return Promise.reject(EOF);
    return Promise.resolve(n);
  }
}
