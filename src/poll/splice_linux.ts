/**
 * Zero-copy transfers (Go's internal/poll/splice_linux.go and
 * sendfile_linux.go): splice(2) from a socket through a pipe into another
 * socket, and sendfile(2) from a file into a socket, parking on the poller
 * when either side would block.
 *
 * @module
 */

import { O_CLOEXEC, O_NONBLOCK, SPLICE_F_MOVE, SPLICE_F_NONBLOCK } from "../../ffi/constants.ts";
import { EAGAIN, EINTR, EINVAL, ENOSYS, errnoErr } from "../../ffi/errno.ts";
import * as libc from "../../ffi/libc.ts";
import type { FD } from "./fd.ts";

/** Largest chunk moved per splice call (Go's maxSpliceSize: the pipe's 1 MiB capacity cap). */
const maxSpliceSize = 1 << 20;
/** Largest chunk per sendfile call (Go's maxSendfileSize). */
const maxSendfileSize = 4 << 20;

const eagain = -EAGAIN.errno;
const eintr = -EINTR.errno;

/**
 * Moves up to remain bytes from src to dst with splice(2) (Go's
 * poll.Splice). Resolves [written, handled]: handled is false when the
 * kernel cannot splice these fds and nothing was moved, so the caller should
 * copy instead. Stops at EOF on src.
 */
export async function Splice(dst: FD, src: FD, remain: number): Promise<[number, boolean]> {
  const [r, rfd, wfd] = libc.pipe2(O_CLOEXEC | O_NONBLOCK);
  if (r < 0) return [0, false];
  let written = 0;
  try {
    await dst.writeLock();
    try {
      await src.readLock();
      try {
        src.prepare(true);
        dst.prepare(false);
        while (remain > 0) {
          // Fill the pipe from src.
          let inPipe: number;
          for (;;) {
            inPipe = libc.splice(
              src.Sysfd,
              wfd,
              Math.min(remain, maxSpliceSize),
              SPLICE_F_MOVE | SPLICE_F_NONBLOCK,
            );
            if (inPipe === eagain) {
              await src.waitRead();
              continue;
            }
            if (inPipe !== eintr) break;
          }
          if (inPipe === -EINVAL.errno && written === 0) return [0, false];
          if (inPipe < 0) throw errnoErr(-inPipe);
          if (inPipe === 0) break; // EOF
          // Drain the pipe into dst.
          let left = inPipe;
          while (left > 0) {
            const n = libc.splice(rfd, dst.Sysfd, left, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n === eagain) {
              await dst.waitWrite();
              continue;
            }
            if (n === eintr) continue;
            if (n < 0) throw errnoErr(-n);
            left -= n;
            written += n;
          }
          remain -= inPipe;
        }
        return [written, true];
      } finally {
        src.readUnlock();
      }
    } finally {
      dst.writeUnlock();
    }
  } finally {
    libc.close(rfd);
    libc.close(wfd);
  }
}

/**
 * Sends up to remain bytes of the file fd src (from its current offset)
 * to dst with sendfile(2) (Go's poll.SendFile). Resolves [written,
 * handled]; handled is false when sendfile cannot be used for src.
 */
export async function SendFile(dst: FD, src: number, remain: number): Promise<[number, boolean]> {
  await dst.writeLock();
  let written = 0;
  try {
    dst.prepare(false);
    while (remain > 0) {
      const n = libc.sendfile(dst.Sysfd, src, Math.min(remain, maxSendfileSize));
      if (n === eagain) {
        await dst.waitWrite();
        continue;
      }
      if (n === eintr) continue;
      if (n < 0) {
        if (written === 0 && (n === -EINVAL.errno || n === -ENOSYS.errno)) return [0, false];
        throw errnoErr(-n);
      }
      if (n === 0) break; // EOF
      written += n;
      remain -= n;
    }
    return [written, true];
  } finally {
    dst.writeUnlock();
  }
}
