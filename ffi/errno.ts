/**
 * Kernel error numbers as Go's `syscall.Errno`: each value has the kernel
 * name (`code`), Go's text (`message`, from `zerrors_linux_amd64.go`) and
 * Go's `Timeout`/`Temporary` rules. {@linkcode errnoErr} returns one shared
 * instance per number, so errors compare by identity as Go compares by value:
 * `errnoErr(111) === ECONNREFUSED`.
 *
 * @module
 */

// Kernel names by number ("-" marks a gap); generated from Go 1.19 zerrors_linux_amd64.go.
const NAMES: readonly string[] = (
  "- EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EAGAIN ENOMEM EACCES " +
  "EFAULT ENOTBLK EBUSY EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ENFILE EMFILE ENOTTY " +
  "ETXTBSY EFBIG ENOSPC ESPIPE EROFS EMLINK EPIPE EDOM ERANGE EDEADLK ENAMETOOLONG ENOLCK " +
  "ENOSYS ENOTEMPTY ELOOP - ENOMSG EIDRM ECHRNG EL2NSYNC EL3HLT EL3RST ELNRNG EUNATCH " +
  "ENOCSI EL2HLT EBADE EBADR EXFULL ENOANO EBADRQC EBADSLT - EBFONT ENOSTR ENODATA ETIME " +
  "ENOSR ENONET ENOPKG EREMOTE ENOLINK EADV ESRMNT ECOMM EPROTO EMULTIHOP EDOTDOT EBADMSG " +
  "EOVERFLOW ENOTUNIQ EBADFD EREMCHG ELIBACC ELIBBAD ELIBSCN ELIBMAX ELIBEXEC EILSEQ " +
  "ERESTART ESTRPIPE EUSERS ENOTSOCK EDESTADDRREQ EMSGSIZE EPROTOTYPE ENOPROTOOPT " +
  "EPROTONOSUPPORT ESOCKTNOSUPPORT EOPNOTSUPP EPFNOSUPPORT EAFNOSUPPORT EADDRINUSE " +
  "EADDRNOTAVAIL ENETDOWN ENETUNREACH ENETRESET ECONNABORTED ECONNRESET ENOBUFS EISCONN " +
  "ENOTCONN ESHUTDOWN ETOOMANYREFS ETIMEDOUT ECONNREFUSED EHOSTDOWN EHOSTUNREACH EALREADY " +
  "EINPROGRESS ESTALE EUCLEAN ENOTNAM ENAVAIL EISNAM EREMOTEIO EDQUOT ENOMEDIUM EMEDIUMTYPE " +
  "ECANCELED ENOKEY EKEYEXPIRED EKEYREVOKED EKEYREJECTED EOWNERDEAD ENOTRECOVERABLE ERFKILL"
).split(" ");

// Go's text by number ("" marks a gap), from the same file's errors table.
const TEXTS: readonly string[] = [
  "", // 0
  "operation not permitted", // 1
  "no such file or directory", // 2
  "no such process", // 3
  "interrupted system call", // 4
  "input/output error", // 5
  "no such device or address", // 6
  "argument list too long", // 7
  "exec format error", // 8
  "bad file descriptor", // 9
  "no child processes", // 10
  "resource temporarily unavailable", // 11
  "cannot allocate memory", // 12
  "permission denied", // 13
  "bad address", // 14
  "block device required", // 15
  "device or resource busy", // 16
  "file exists", // 17
  "invalid cross-device link", // 18
  "no such device", // 19
  "not a directory", // 20
  "is a directory", // 21
  "invalid argument", // 22
  "too many open files in system", // 23
  "too many open files", // 24
  "inappropriate ioctl for device", // 25
  "text file busy", // 26
  "file too large", // 27
  "no space left on device", // 28
  "illegal seek", // 29
  "read-only file system", // 30
  "too many links", // 31
  "broken pipe", // 32
  "numerical argument out of domain", // 33
  "numerical result out of range", // 34
  "resource deadlock avoided", // 35
  "file name too long", // 36
  "no locks available", // 37
  "function not implemented", // 38
  "directory not empty", // 39
  "too many levels of symbolic links", // 40
  "", // 41
  "no message of desired type", // 42
  "identifier removed", // 43
  "channel number out of range", // 44
  "level 2 not synchronized", // 45
  "level 3 halted", // 46
  "level 3 reset", // 47
  "link number out of range", // 48
  "protocol driver not attached", // 49
  "no CSI structure available", // 50
  "level 2 halted", // 51
  "invalid exchange", // 52
  "invalid request descriptor", // 53
  "exchange full", // 54
  "no anode", // 55
  "invalid request code", // 56
  "invalid slot", // 57
  "", // 58
  "bad font file format", // 59
  "device not a stream", // 60
  "no data available", // 61
  "timer expired", // 62
  "out of streams resources", // 63
  "machine is not on the network", // 64
  "package not installed", // 65
  "object is remote", // 66
  "link has been severed", // 67
  "advertise error", // 68
  "srmount error", // 69
  "communication error on send", // 70
  "protocol error", // 71
  "multihop attempted", // 72
  "RFS specific error", // 73
  "bad message", // 74
  "value too large for defined data type", // 75
  "name not unique on network", // 76
  "file descriptor in bad state", // 77
  "remote address changed", // 78
  "can not access a needed shared library", // 79
  "accessing a corrupted shared library", // 80
  ".lib section in a.out corrupted", // 81
  "attempting to link in too many shared libraries", // 82
  "cannot exec a shared library directly", // 83
  "invalid or incomplete multibyte or wide character", // 84
  "interrupted system call should be restarted", // 85
  "streams pipe error", // 86
  "too many users", // 87
  "socket operation on non-socket", // 88
  "destination address required", // 89
  "message too long", // 90
  "protocol wrong type for socket", // 91
  "protocol not available", // 92
  "protocol not supported", // 93
  "socket type not supported", // 94
  "operation not supported", // 95
  "protocol family not supported", // 96
  "address family not supported by protocol", // 97
  "address already in use", // 98
  "cannot assign requested address", // 99
  "network is down", // 100
  "network is unreachable", // 101
  "network dropped connection on reset", // 102
  "software caused connection abort", // 103
  "connection reset by peer", // 104
  "no buffer space available", // 105
  "transport endpoint is already connected", // 106
  "transport endpoint is not connected", // 107
  "cannot send after transport endpoint shutdown", // 108
  "too many references: cannot splice", // 109
  "connection timed out", // 110
  "connection refused", // 111
  "host is down", // 112
  "no route to host", // 113
  "operation already in progress", // 114
  "operation now in progress", // 115
  "stale NFS file handle", // 116
  "structure needs cleaning", // 117
  "not a XENIX named type file", // 118
  "no XENIX semaphores available", // 119
  "is a named type file", // 120
  "remote I/O error", // 121
  "disk quota exceeded", // 122
  "no medium found", // 123
  "wrong medium type", // 124
  "operation canceled", // 125
  "required key not available", // 126
  "key has expired", // 127
  "key has been revoked", // 128
  "key was rejected by service", // 129
  "owner died", // 130
  "state not recoverable", // 131
  "operation not possible due to RF-kill", // 132
];

const cache = new Map<number, Errno>();

/**
 * A kernel error number (Go's `syscall.Errno`). Instances are shared per
 * number, so `new Errno(n)` and {@linkcode errnoErr} return the same object
 * and `err === EPIPE` works; being shared, they carry no stack trace.
 */
export class Errno extends Error {
  /** The kernel error number, e.g. 111. */
  readonly errno!: number;
  /** The kernel name, e.g. "ECONNREFUSED"; "" for a number Linux does not define. */
  readonly code!: string;

  /** Returns the shared instance for errno n (prefer {@linkcode errnoErr}). */
  constructor(n: number) {
    const cached = cache.get(n);
    if (cached !== undefined) return cached;
    super(errnoText(n));
    this.name = "Errno";
    this.errno = n;
    const name = Number.isInteger(n) && n > 0 && n < NAMES.length ? NAMES[n] : "-";
    this.code = name === "-" ? "" : name;
    this.stack = `Errno: ${this.message}`;
    cache.set(n, this);
  }

  /** Go's `Error()`: the text, e.g. "connection refused", or "errno 41". */
  Error(): string {
    return this.message;
  }

  /** Whether this is EAGAIN (EWOULDBLOCK) or ETIMEDOUT, as Go's `Errno.Timeout`. */
  Timeout(): boolean {
    const n = this.errno;
    return n === 11 || n === 110;
  }

  /**
   * Whether this is EINTR, EMFILE, ENFILE or a timeout, as Go's
   * `Errno.Temporary`. (ECONNRESET/ECONNABORTED on accept are the net
   * layer's `isConnError`, not this.)
   */
  Temporary(): boolean {
    const n = this.errno;
    return n === 4 || n === 24 || n === 23 || this.Timeout();
  }
}

/** Go's `Errno.Error` text: the table entry, else "errno " + n. */
function errnoText(n: number): string {
  const s = Number.isInteger(n) && n >= 0 && n < TEXTS.length ? TEXTS[n] : "";
  return s !== "" ? s : `errno ${n}`;
}

/** Returns the one shared {@linkcode Errno} for kernel error number n, created on first use. */
export function errnoErr(n: number): Errno {
  return cache.get(n) ?? new Errno(n);
}

/** EPERM (1): "operation not permitted". */
export const EPERM: Errno = errnoErr(1);
/** ENOENT (2): "no such file or directory". */
export const ENOENT: Errno = errnoErr(2);
/** ESRCH (3): "no such process". */
export const ESRCH: Errno = errnoErr(3);
/** EINTR (4): "interrupted system call". */
export const EINTR: Errno = errnoErr(4);
/** EIO (5): "input/output error". */
export const EIO: Errno = errnoErr(5);
/** EBADF (9): "bad file descriptor". */
export const EBADF: Errno = errnoErr(9);
/** EAGAIN (11): "resource temporarily unavailable". */
export const EAGAIN: Errno = errnoErr(11);
/** ENOMEM (12): "cannot allocate memory". */
export const ENOMEM: Errno = errnoErr(12);
/** EACCES (13): "permission denied". */
export const EACCES: Errno = errnoErr(13);
/** EFAULT (14): "bad address". */
export const EFAULT: Errno = errnoErr(14);
/** EBUSY (16): "device or resource busy". */
export const EBUSY: Errno = errnoErr(16);
/** EEXIST (17): "file exists". */
export const EEXIST: Errno = errnoErr(17);
/** ENOTDIR (20): "not a directory". */
export const ENOTDIR: Errno = errnoErr(20);
/** EISDIR (21): "is a directory". */
export const EISDIR: Errno = errnoErr(21);
/** EINVAL (22): "invalid argument". */
export const EINVAL: Errno = errnoErr(22);
/** ENFILE (23): "too many open files in system". */
export const ENFILE: Errno = errnoErr(23);
/** EMFILE (24): "too many open files". */
export const EMFILE: Errno = errnoErr(24);
/** ENOSPC (28): "no space left on device". */
export const ENOSPC: Errno = errnoErr(28);
/** EPIPE (32): "broken pipe". */
export const EPIPE: Errno = errnoErr(32);
/** ERANGE (34): "numerical result out of range". */
export const ERANGE: Errno = errnoErr(34);
/** ENAMETOOLONG (36): "file name too long". */
export const ENAMETOOLONG: Errno = errnoErr(36);
/** ENOSYS (38): "function not implemented". */
export const ENOSYS: Errno = errnoErr(38);
/** ENOTEMPTY (39): "directory not empty". */
export const ENOTEMPTY: Errno = errnoErr(39);
/** ELOOP (40): "too many levels of symbolic links". */
export const ELOOP: Errno = errnoErr(40);
/** EPROTO (71): "protocol error". */
export const EPROTO: Errno = errnoErr(71);
/** ENOTSOCK (88): "socket operation on non-socket". */
export const ENOTSOCK: Errno = errnoErr(88);
/** EDESTADDRREQ (89): "destination address required". */
export const EDESTADDRREQ: Errno = errnoErr(89);
/** EMSGSIZE (90): "message too long". */
export const EMSGSIZE: Errno = errnoErr(90);
/** EPROTOTYPE (91): "protocol wrong type for socket". */
export const EPROTOTYPE: Errno = errnoErr(91);
/** ENOPROTOOPT (92): "protocol not available". */
export const ENOPROTOOPT: Errno = errnoErr(92);
/** EPROTONOSUPPORT (93): "protocol not supported". */
export const EPROTONOSUPPORT: Errno = errnoErr(93);
/** ESOCKTNOSUPPORT (94): "socket type not supported". */
export const ESOCKTNOSUPPORT: Errno = errnoErr(94);
/** EOPNOTSUPP (95): "operation not supported". */
export const EOPNOTSUPP: Errno = errnoErr(95);
/** EPFNOSUPPORT (96): "protocol family not supported". */
export const EPFNOSUPPORT: Errno = errnoErr(96);
/** EAFNOSUPPORT (97): "address family not supported by protocol". */
export const EAFNOSUPPORT: Errno = errnoErr(97);
/** EADDRINUSE (98): "address already in use". */
export const EADDRINUSE: Errno = errnoErr(98);
/** EADDRNOTAVAIL (99): "cannot assign requested address". */
export const EADDRNOTAVAIL: Errno = errnoErr(99);
/** ENETDOWN (100): "network is down". */
export const ENETDOWN: Errno = errnoErr(100);
/** ENETUNREACH (101): "network is unreachable". */
export const ENETUNREACH: Errno = errnoErr(101);
/** ENETRESET (102): "network dropped connection on reset". */
export const ENETRESET: Errno = errnoErr(102);
/** ECONNABORTED (103): "software caused connection abort". */
export const ECONNABORTED: Errno = errnoErr(103);
/** ECONNRESET (104): "connection reset by peer". */
export const ECONNRESET: Errno = errnoErr(104);
/** ENOBUFS (105): "no buffer space available". */
export const ENOBUFS: Errno = errnoErr(105);
/** EISCONN (106): "transport endpoint is already connected". */
export const EISCONN: Errno = errnoErr(106);
/** ENOTCONN (107): "transport endpoint is not connected". */
export const ENOTCONN: Errno = errnoErr(107);
/** ESHUTDOWN (108): "cannot send after transport endpoint shutdown". */
export const ESHUTDOWN: Errno = errnoErr(108);
/** ETIMEDOUT (110): "connection timed out". */
export const ETIMEDOUT: Errno = errnoErr(110);
/** ECONNREFUSED (111): "connection refused". */
export const ECONNREFUSED: Errno = errnoErr(111);
/** EHOSTDOWN (112): "host is down". */
export const EHOSTDOWN: Errno = errnoErr(112);
/** EHOSTUNREACH (113): "no route to host". */
export const EHOSTUNREACH: Errno = errnoErr(113);
/** EALREADY (114): "operation already in progress". */
export const EALREADY: Errno = errnoErr(114);
/** EINPROGRESS (115): "operation now in progress". */
export const EINPROGRESS: Errno = errnoErr(115);
/** ECANCELED (125): "operation canceled". */
export const ECANCELED: Errno = errnoErr(125);
/** EWOULDBLOCK is EAGAIN on Linux (the same instance). */
export const EWOULDBLOCK: Errno = EAGAIN;
/** ENOTSUP is EOPNOTSUPP on Linux (the same instance). */
export const ENOTSUP: Errno = EOPNOTSUPP;
