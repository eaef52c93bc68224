/**
 * fdMutex (Go's internal/poll/fd_mutex.go): a reference count with a closed
 * flag and two locks, one serializing Reads and one serializing Writes.
 * Close marks the mutex closed, fails every waiter, and the last reference
 * to go away destroys the fd.
 *
 * @module
 */

/** Reference counting and read/write serialization for an FD. */
export class FdMutex {
  #closed = false;
  #refs = 0;
  #rlocked = false;
  #wlocked = false;
  // Created on first contention: most fds never have a waiter.
  #rwaiters: (() => void)[] | null = null;
  #wwaiters: (() => void)[] | null = null;

  /** Whether Close has begun. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Adds a reference; false when the mutex is closed. */
  incref(): boolean {
    if (this.#closed) return false;
    this.#refs++;
    return true;
  }

  /**
   * Marks the mutex closed and adds a reference; false when it was closed
   * already. Waiters for the read and write locks are woken to fail.
   */
  increfAndClose(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    this.#refs++;
    // Waiter lists exist only after contention: most closes allocate nothing.
    if (this.#rwaiters !== null) { for (const wake of this.#rwaiters.splice(0)) wake(); }
    if (this.#wwaiters !== null) { for (const wake of this.#wwaiters.splice(0)) wake(); }
    return true;
  }

  /** Drops a reference; true when it was the last one after close. */
  decref(): boolean {
    if (this.#refs <= 0) throw new Error("inconsistent poll.fdMutex");
    this.#refs--;
    return this.#closed && this.#refs === 0;
  }

  /**
   * Takes the read (read=true) or write lock with a reference. Returns true
   * or false (closed) when that is known at once, else a promise of it.
   */
  rwlock(read: boolean): boolean | Promise<boolean> {
    if (this.#closed) return false;
    if (read ? !this.#rlocked : !this.#wlocked) {
      if (read) this.#rlocked = true;
      else this.#wlocked = true;
      this.#refs++;
      return true;
    }
    return this.#waitLock(read);
  }

  async #waitLock(read: boolean): Promise<boolean> {
    await new Promise<void>((resolve) => {
      if (read) (this.#rwaiters ??= []).push(resolve);
      else (this.#wwaiters ??= []).push(resolve);
    });
    // Another caller may have taken the lock first: then wait again.
    return await this.rwlock(read);
  }

  /** Releases the lock and its reference; true when that was the last one after close. */
  rwunlock(read: boolean): boolean {
    if (read) {
      if (!this.#rlocked) throw new Error("inconsistent poll.fdMutex");
      this.#rlocked = false;
      this.#rwaiters?.shift()?.();
    } else {
      if (!this.#wlocked) throw new Error("inconsistent poll.fdMutex");
      this.#wlocked = false;
      this.#wwaiters?.shift()?.();
    }
    return this.decref();
  }
}
