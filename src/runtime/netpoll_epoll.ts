/**
 * The epoll half of the poller (Go's runtime/netpoll_epoll.go): one epoll
 * fd, an eventfd to break a blocking wait, and the packed event buffers.
 *
 * @module
 */

import {
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLLET,
  EPOLLIN,
  EPOLLOUT,
  EPOLLPRI,
  EPOLLRDHUP,
} from "../../ffi/constants.ts";
import { ENOSYS } from "../../ffi/errno.ts";
import * as libc from "../../ffi/libc.ts";

/** Size of a packed struct epoll_event on x86_64 (u32 events, u64 data). */
const EVENT_SIZE = 12;

/** How many events one wait returns at most (Go uses 128). */
export const MAX_EVENTS = 128;

/** Event data that marks the break eventfd (pollDesc ids start at 1). */
const BREAK_ID = 0;

/** A buffer of epoll events with views to read them without allocation. */
export class EventBuffer {
  /** Raw bytes handed to epoll_wait. */
  readonly bytes: Uint8Array = new Uint8Array(MAX_EVENTS * EVENT_SIZE);
  /** The same bytes as u32 words: event i is words [3i, 3i+1, 3i+2]. */
  readonly words: Uint32Array = new Uint32Array(this.bytes.buffer);
  /** The events mask of event i. */
  events(i: number): number {
    return this.words[i * 3];
  }
  /** The low half of event i's data: a pollDesc id. */
  id(i: number): number {
    return this.words[i * 3 + 1];
  }
  /** The high half of event i's data: the pollDesc's fd sequence tag. */
  tag(i: number): number {
    return this.words[i * 3 + 2];
  }
}

/** The epoll instance: created on first use, kept for the process lifetime, as Go does. */
export class Epoll {
  #epfd = -1;
  #breakfd = -1;
  readonly #ctl = new Uint8Array(EVENT_SIZE);
  readonly #ctlWords = new Uint32Array(this.#ctl.buffer);
  readonly #eight = new Uint8Array(8);

  /** Creates the epoll fd and the break eventfd; returns the negated errno on failure. */
  init(): number {
    if (this.#epfd >= 0) return 0;
    const epfd = libc.epollCreate1(EPOLL_CLOEXEC);
    if (epfd < 0) return epfd;
    const efd = libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd < 0) {
      libc.close(epfd);
      return efd;
    }
    this.#epfd = epfd;
    const r = this.#add(efd, EPOLLIN, BREAK_ID, 0);
    if (r < 0) {
      // Leave nothing half made: the next init starts over.
      this.#epfd = -1;
      libc.close(efd);
      libc.close(epfd);
      return r;
    }
    this.#breakfd = efd;
    return 0;
  }

  /** Registers fd edge-triggered for both directions, once (Go's netpollopen). */
  open(fd: number, id: number, tag: number): number {
    return this.#add(fd, EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLRDHUP | EPOLLET, id, tag);
  }

  #add(fd: number, events: number, id: number, tag: number): number {
    this.#ctlWords[0] = events >>> 0;
    this.#ctlWords[1] = id;
    this.#ctlWords[2] = tag;
    return libc.epollCtl(this.#epfd, EPOLL_CTL_ADD, fd, this.#ctl);
  }

  /** Removes fd from the interest list (Go's netpollclose). */
  close(fd: number): number {
    return libc.epollCtl(this.#epfd, EPOLL_CTL_DEL, fd, this.#ctl);
  }

  /** Polls without blocking; returns the number of events in buf. */
  poll(buf: EventBuffer): number {
    return libc.epollWait(this.#epfd, buf.bytes, MAX_EVENTS, 0);
  }

  /** Whether block() can wait here: libc has epoll_pwait2 and the kernel took it. */
  canBlock: boolean = libc.haveEpollPwait2;

  /** Waits on this thread up to ns nanoseconds; returns the number of events in buf. */
  block(buf: EventBuffer, ns: number): number {
    const r = libc.epollPwait2(this.#epfd, buf.bytes, MAX_EVENTS, ns);
    if (r === -ENOSYS.errno) this.canBlock = false; // a kernel before 5.11, or a sandbox without it
    return r;
  }

  /** Waits on a worker thread up to timeout ms (-1: forever); keep buf alive until it settles. */
  wait(buf: EventBuffer, timeout: number): Promise<number> {
    return libc.epollWaitBlocking(this.#epfd, buf.bytes, MAX_EVENTS, timeout);
  }

  /** Interrupts a blocking wait (Go's netpollBreak). */
  interrupt(): void {
    this.#eight.fill(0);
    this.#eight[0] = 1;
    libc.write(this.#breakfd, this.#eight);
  }

  /** Whether event data id names the break eventfd; if so, drains it. */
  isBreak(id: number): boolean {
    if (id !== BREAK_ID) return false;
    libc.read(this.#breakfd, this.#eight);
    return true;
  }
}
