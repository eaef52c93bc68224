/**
 * fdMutex (Go's internal/poll/fd_mutex.go): a reference count with a closed
 * flag and two locks, one serializing Reads and one serializing Writes.
 * Close marks the mutex closed, fails every waiter, and the last reference
 * to go away destroys the fd.
 *
 * @module
 */

// The state word, as Go packs it: three flag bits, then the reference count
// (at most 2^20 - 1, Go's limit). A small integer, so every idle conn keeps
// one field here instead of four.
const mutexClosed = 1;
const mutexRLock = 2;
const mutexWLock = 4;
const mutexRef = 8;
const mutexRefMask = ((1 << 20) - 1) * mutexRef;
const overflowMsg = "too many concurrent operations on a single file or socket (max 1048575)";

/** Reference counting and read/write serialization for an FD. */
export class FdMutex {
  #state = 0;
  // Made on first contention: most fds never have a waiter. [readers, writers].
  #waiters: [(() => void)[], (() => void)[]] | null = null;

  /** Whether Close has begun. */
  get closed(): boolean {
    return (this.#state & mutexClosed) !== 0;
  }

  /** Adds a reference; false when the mutex is closed. */
  incref(): boolean {
    const s = this.#state;
    if (s & mutexClosed) return false;
    if ((s & mutexRefMask) === mutexRefMask) throw new Error(overflowMsg);
    this.#state = s + mutexRef;
    return true;
  }

  /**
   * Marks the mutex closed and adds a reference; false when it was closed
   * already. Waiters for the read and write locks are woken to fail.
   */
  increfAndClose(): boolean {
    const s = this.#state;
    if (s & mutexClosed) return false;
    if ((s & mutexRefMask) === mutexRefMask) throw new Error(overflowMsg);
    this.#state = (s | mutexClosed) + mutexRef;
    const w = this.#waiters;
    if (w !== null) {
      this.#waiters = null;
      for (const wake of w[0]) wake();
      for (const wake of w[1]) wake();
    }
    return true;
  }

  /** Drops a reference; true when it was the last one after close. */
  decref(): boolean {
    const s = this.#state;
    if ((s & mutexRefMask) === 0) throw new Error("inconsistent poll.fdMutex");
    const n = this.#state = s - mutexRef;
    return (n & (mutexClosed | mutexRefMask)) === mutexClosed;
  }

  /**
   * Takes the read (read=true) or write lock with a reference. Returns true
   * or false (closed) when that is known at once, else a promise of it.
   */
  rwlock(read: boolean): boolean | Promise<boolean> {
    const s = this.#state;
    if (s & mutexClosed) return false;
    const bit = read ? mutexRLock : mutexWLock;
    if ((s & bit) === 0) {
      if ((s & mutexRefMask) === mutexRefMask) throw new Error(overflowMsg);
      this.#state = (s | bit) + mutexRef;
      return true;
    }
    return this.#waitLock(read);
  }

  async #waitLock(read: boolean): Promise<boolean> {
    await new Promise<void>((resolve) => {
      (this.#waiters ??= [[], []])[read ? 0 : 1].push(resolve);
    });
    // Another caller may have taken the lock first: then wait again.
    return await this.rwlock(read);
  }

  /** Releases the lock and its reference; true when that was the last one after close. */
  rwunlock(read: boolean): boolean {
    const s = this.#state;
    const bit = read ? mutexRLock : mutexWLock;
    if ((s & bit) === 0 || (s & mutexRefMask) === 0) {
      throw new Error("inconsistent poll.fdMutex");
    }
    this.#state = s & ~bit;
    this.#waiters?.[read ? 0 : 1].shift()?.();
    return this.decref();
  }
}
