/**
 * File: a plain file descriptor the caller owns (Go's os.File, as far as
 * the net package needs one): the result of Conn.File(), and a source for
 * sendfile(2) in TCPConn.ReadFrom.
 *
 * @module
 */

import { O_CLOEXEC, O_RDONLY } from "../../ffi/constants.ts";
import { errnoErr } from "../../ffi/errno.ts";
import * as libc from "../../ffi/libc.ts";
import { EOF, SyscallError } from "./errors.ts";

/** An open file descriptor; Close it when done. */
export class File {
  #fd: number;
  readonly #name: string;

  /**
   * Wraps an fd the caller hands over.
   *
   * @internal
   */
  constructor(fd: number, name: string) {
    this.#fd = fd;
    this.#name = name;
  }

  /** The fd, or -1 once closed. */
  Fd(): number {
    return this.#fd;
  }

  /** The name it was opened with. */
  Name(): string {
    return this.#name;
  }

  /** Reads into b (blocking the thread: use for regular files); rejects with EOF at the end. */
  Read(b: Uint8Array): Promise<number> {
    if (this.#fd < 0) return Promise.reject(new SyscallError("read", errnoErr(9)));
    const n = libc.read(this.#fd, b);
    if (n < 0) return Promise.reject(new SyscallError("read", errnoErr(-n)));
    if (n === 0 && b.byteLength > 0) return Promise.reject(EOF);
    return Promise.resolve(n);
  }

  /** Closes the fd; a second Close throws. */
  Close(): void {
    if (this.#fd < 0) throw new SyscallError("close", errnoErr(9));
    libc.close(this.#fd);
    this.#fd = -1;
  }
}

/**
 * Opens path read-only (close-on-exec), as Go's os.Open, for use with
 * TCPConn.ReadFrom's sendfile path.
 *
 * @example
 * ```ts ignore
 * import { OpenFile } from "@netpoll/net";
 * const f = OpenFile("/etc/hostname");
 * f.Close();
 * ```
 */
export function OpenFile(path: string): File {
  const fd = libc.open(path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) throw new SyscallError("open " + path, errnoErr(-fd));
  return new File(fd, path);
}
