/**
 * Sentinel errors of the poll layer, mirroring Go's internal/poll and io.
 *
 * @module
 */

/** Error returned by I/O on a closed network connection (Go's `poll.ErrNetClosing`). */
export class NetClosingError extends Error {
  constructor() {
    super("use of closed network connection");
    this.name = "NetClosingError";
  }
  /** Go's `Error()`: the message text. */
  Error(): string {
    return this.message;
  }
  /** Never a timeout. */
  Timeout(): boolean {
    return false;
  }
  /** Not temporary. */
  Temporary(): boolean {
    return false;
  }
}

/** Error returned when an I/O deadline passes (Go's `os.ErrDeadlineExceeded`). */
export class DeadlineExceededError extends Error {
  constructor() {
    super("i/o timeout");
    this.name = "DeadlineExceededError";
  }
  /** Go's `Error()`: the message text. */
  Error(): string {
    return this.message;
  }
  /** Always a timeout. */
  Timeout(): boolean {
    return true;
  }
  /** Temporary, as in Go. */
  Temporary(): boolean {
    return true;
  }
}

/** Error returned by Read when no more input is available (Go's `io.EOF`). */
export class EOFError extends Error {
  constructor() {
    super("EOF");
    this.name = "EOFError";
  }
  /** Go's `Error()`: the message text. */
  Error(): string {
    return this.message;
  }
}

/** The closed-connection sentinel; compare with `Is(err, ErrNetClosing)`. */
export const ErrNetClosing: NetClosingError = new NetClosingError();
/** The deadline sentinel; compare with `Is(err, ErrDeadlineExceeded)`. */
export const ErrDeadlineExceeded: DeadlineExceededError = new DeadlineExceededError();
/** The end-of-stream sentinel; Read rejects with this very value. */
export const EOF: EOFError = new EOFError();

/** Error when an fd cannot be registered with the poller (Go's `poll.ErrNotPollable`). */
export const ErrNotPollable: Error = new Error("not pollable");

/** An error that may report whether it is a timeout or temporary. */
interface GoError {
  Timeout?: () => boolean;
  Temporary?: () => boolean;
}

/** Whether err reports itself as a timeout (Go's `timeout` interface). */
export function isTimeout(err: unknown): boolean {
  const t = (err as GoError | null)?.Timeout;
  return typeof t === "function" && t.call(err) === true;
}

/** Whether err reports itself as temporary (Go's `temporary` interface). */
export function isTemporary(err: unknown): boolean {
  const t = (err as GoError | null)?.Temporary;
  return typeof t === "function" && t.call(err) === true;
}

/**
 * An error from a system call, naming the call (Go's `os.SyscallError`):
 * `connect: connection refused`.
 */
export class SyscallError extends Error {
  /** The system call's name. */
  readonly Syscall: string;
  /** The underlying error, usually an {@linkcode Errno}. */
  readonly Err: Error;
  /** An error err from the system call syscall. */
  constructor(syscall: string, err: Error) {
    super(`${syscall}: ${err.message}`, { cause: err });
    this.name = "SyscallError";
    this.Syscall = syscall;
    this.Err = err;
  }
  /** Go's `Error()`. */
  Error(): string {
    return this.message;
  }
  /** Whether the underlying error is a timeout. */
  Timeout(): boolean {
    return isTimeout(this.Err);
  }
  /** Whether the underlying error is temporary. */
  Temporary(): boolean {
    return isTemporary(this.Err);
  }
}
