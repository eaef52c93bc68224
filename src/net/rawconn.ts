/**
 * RawConn (Go's net/rawconn.go): access to the raw fd of a connection,
 * with reads and writes that park on the poller like the library's own.
 *
 * @module
 */

import { OpError } from "./errors.ts";
import type { netFD } from "./fd_unix.ts";

/** Raw access to a connection's file descriptor (Go's `syscall.RawConn`). */
export interface RawConn {
  /** Calls f with the fd; the fd stays open while f runs. */
  Control(f: (fd: number) => void): void;
  /**
   * Calls f with the fd until it returns true, parking until readable in
   * between (f should read, and return false on EAGAIN).
   */
  Read(f: (fd: number) => boolean): Promise<void>;
  /** As Read, for writing: parks until writable while f returns false. */
  Write(f: (fd: number) => boolean): Promise<void>;
}

/** The RawConn of a netFD. */
export class rawConn implements RawConn {
  readonly #fd: netFD;

  /**
   * Wraps a netFD.
   *
   * @internal
   */
  constructor(fd: netFD) {
    this.#fd = fd;
  }

  /** Calls f with the fd; an OpError "raw-control" if the conn is closed. */
  Control(f: (fd: number) => void): void {
    try {
      this.#fd.pfd.RawControl(f);
    } catch (err) {
      throw new OpError("raw-control", this.#fd.net, null, this.#fd.laddr, err as Error);
    }
  }

  /** Calls f until it returns true, parking until readable between calls. */
  async Read(f: (fd: number) => boolean): Promise<void> {
    try {
      await this.#fd.pfd.RawRead(f);
    } catch (err) {
      throw new OpError("raw-read", this.#fd.net, this.#fd.laddr, this.#fd.raddr, err as Error);
    }
  }

  /** Calls f until it returns true, parking until writable between calls. */
  async Write(f: (fd: number) => boolean): Promise<void> {
    try {
      await this.#fd.pfd.RawWrite(f);
    } catch (err) {
      throw new OpError("raw-write", this.#fd.net, this.#fd.laddr, this.#fd.raddr, err as Error);
    }
  }
}
