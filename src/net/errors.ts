/**
 * Go's net error types: the message is computed from the data, as in Go.
 *
 * @module
 */

/** A network endpoint address (Go's `net.Addr`). */
export interface Addr {
  /** Name of the network ("tcp", "udp", "unix"). */
  Network(): string;
  /** String form of the address ("127.0.0.1:80"). */
  String(): string;
}

import { isTemporary, isTimeout, SyscallError } from "../poll/errors.ts";

export { SyscallError };

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * The error type returned by net functions: the operation, network and
 * addresses involved, and the cause. Message as Go prints it:
 * `dial tcp 127.0.0.1:1: connect: connection refused`.
 */
export class OpError extends Error {
  /** The operation: "read", "write", "dial", "listen", "accept", "close", "set". */
  readonly Op: string;
  /** The network type: "tcp", "udp", "unix"… */
  readonly Net: string;
  /** The local address, for operations on a connection. */
  readonly Source: Addr | null;
  /** The remote address for dial/read/write, the local one for listen/accept. */
  readonly Addr: Addr | null;
  /** The error that happened during the operation. */
  readonly Err: Error;
  /** An OpError for op on net between source and addr, caused by err. */
  constructor(op: string, net: string, source: Addr | null, addr: Addr | null, err: Error) {
    let s = op;
    if (net !== "") s += " " + net;
    if (source) s += " " + source.String();
    if (addr) s += (source ? "->" : " ") + addr.String();
    super(`${s}: ${errorText(err)}`, { cause: err });
    this.name = "OpError";
    this.Op = op;
    this.Net = net;
    this.Source = source;
    this.Addr = addr;
    this.Err = err;
  }
  /** Go's `Error()`. */
  Error(): string {
    return this.message;
  }
  /** Whether the cause is a timeout (looking through a SyscallError as Go does). */
  Timeout(): boolean {
    if (this.Err instanceof SyscallError) return isTimeout(this.Err.Err);
    return isTimeout(this.Err);
  }
  /** Whether the cause is temporary. Accept errors are treated as Go does. */
  Temporary(): boolean {
    if (this.Op === "accept" && isConnError(this.Err)) return true;
    if (this.Err instanceof SyscallError) return isTemporary(this.Err.Err);
    return isTemporary(this.Err);
  }
}

function isConnError(err: Error): boolean {
  const e = err instanceof SyscallError ? err.Err : err;
  const code = (e as { code?: unknown }).code;
  return code === "ECONNRESET" || code === "ECONNABORTED";
}

/** An address error: `address 1.2.3: missing port in address`. */
export class AddrError extends Error {
  /** What is wrong. */
  readonly Err: string;
  /** The address in question. */
  readonly Addr: string;
  /** An error err about addr. */
  constructor(err: string, addr: string) {
    super(addr !== "" ? `address ${addr}: ${err}` : err);
    this.name = "AddrError";
    this.Err = err;
    this.Addr = addr;
  }
  /** Go's `Error()`. */
  Error(): string {
    return this.message;
  }
  /** Never a timeout. */
  Timeout(): boolean {
    return false;
  }
  /** Never temporary. */
  Temporary(): boolean {
    return false;
  }
}

/** An unknown network name: `unknown network tcp5`. */
export class UnknownNetworkError extends Error {
  /** The network that was asked for. */
  readonly Network: string;
  /** An error for network. */
  constructor(network: string) {
    super(`unknown network ${network}`);
    this.name = "UnknownNetworkError";
    this.Network = network;
  }
  /** Go's `Error()`. */
  Error(): string {
    return this.message;
  }
  /** Never a timeout. */
  Timeout(): boolean {
    return false;
  }
  /** Never temporary. */
  Temporary(): boolean {
    return false;
  }
}

/** An invalid address argument. */
export class InvalidAddrError extends Error {
  /** An error with text. */
  constructor(text: string) {
    super(text);
    this.name = "InvalidAddrError";
  }
  /** Go's `Error()`. */
  Error(): string {
    return this.message;
  }
  /** Never a timeout. */
  Timeout(): boolean {
    return false;
  }
  /** Never temporary. */
  Temporary(): boolean {
    return false;
  }
}

/** A literal network address that failed to parse: `invalid IP address: 1.2.3`. */
export class ParseError extends Error {
  /** What was expected: "IP address", "CIDR address". */
  readonly Type: string;
  /** The malformed text. */
  readonly Text: string;
  /** An error for text that is not a valid type. */
  constructor(type: string, text: string) {
    super(`invalid ${type}: ${text}`);
    this.name = "ParseError";
    this.Type = type;
    this.Text = text;
  }
  /** Go's `Error()`. */
  Error(): string {
    return this.message;
  }
  /** Never a timeout. */
  Timeout(): boolean {
    return false;
  }
  /** Never temporary. */
  Temporary(): boolean {
    return false;
  }
}

/** Operations whose cause Go unwraps: `OpError.Err`, `SyscallError.Err`, `Error.cause`. */
function unwrap(err: unknown): unknown {
  if (err instanceof OpError || err instanceof SyscallError) return err.Err;
  if (err instanceof Error) return err.cause;
  return undefined;
}

/**
 * Reports whether any error in err's chain is target (Go's `errors.Is`).
 *
 * @example
 * ```ts
 * import { Dial, ErrClosed, Is } from "@netpoll/net";
 * try {
 *   await Dial("tcp", "127.0.0.1:1");
 * } catch (err) {
 *   console.log(Is(err, ErrClosed)); // false: connection refused
 * }
 * ```
 */
export function Is(err: unknown, target: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 100; depth++) {
    if (e === target) return true;
    const is = (e as { Is?: (t: unknown) => boolean }).Is;
    if (typeof is === "function" && is.call(e, target)) return true;
    e = unwrap(e);
  }
  return false;
}

/**
 * Finds the first error in err's chain that is an instance of cls (Go's `errors.As`).
 */
export function As<T>(
  err: unknown,
  // deno-lint-ignore no-explicit-any
  cls: abstract new (...args: any[]) => T,
): T | undefined {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 100; depth++) {
    if (e instanceof cls) return e;
    e = unwrap(e);
  }
  return undefined;
}

/** Options for {@linkcode DNSError}. */
export interface DNSErrorInit {
  /** Description of the error. */
  Err: string;
  /** The name looked for. */
  Name: string;
  /** The server used, "" if none. */
  Server?: string;
  /** Whether the lookup timed out. */
  IsTimeout?: boolean;
  /** Whether the error is temporary. */
  IsTemporary?: boolean;
  /** Whether the host could not be found. */
  IsNotFound?: boolean;
}

/** A name resolution error: `lookup nosuch.invalid: no such host`. */
export class DNSError extends Error {
  /** Description of the error. */
  readonly Err: string;
  /** The name looked for. */
  readonly Name: string;
  /** The server used, "" if none. */
  readonly Server: string;
  /** Whether the lookup timed out. */
  readonly IsTimeout: boolean;
  /** Whether the error is temporary. */
  readonly IsTemporary: boolean;
  /** Whether the host could not be found. */
  readonly IsNotFound: boolean;
  /** A DNS error from its fields. */
  constructor(init: DNSErrorInit) {
    const server = init.Server ?? "";
    super(`lookup ${init.Name}${server !== "" ? " on " + server : ""}: ${init.Err}`);
    this.name = "DNSError";
    this.Err = init.Err;
    this.Name = init.Name;
    this.Server = server;
    this.IsTimeout = init.IsTimeout ?? false;
    this.IsTemporary = init.IsTemporary ?? false;
    this.IsNotFound = init.IsNotFound ?? false;
  }
  /** Go's `Error()`. */
  Error(): string {
    return this.message;
  }
  /** Whether the lookup timed out. */
  Timeout(): boolean {
    return this.IsTimeout;
  }
  /** Whether the error is known to be temporary. */
  Temporary(): boolean {
    return this.IsTimeout || this.IsTemporary;
  }
}
