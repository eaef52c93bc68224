/**
 * Kernel constants for Linux (x86_64 and arm64 share these values), named as
 * in the kernel headers so they can be grepped against man pages.
 *
 * @module
 */

/** Address families. */
export const AF_UNIX = 1;
/** IPv4 address family. */
export const AF_INET = 2;
/** IPv6 address family. */
export const AF_INET6 = 10;

/** Socket types. */
export const SOCK_STREAM = 1;
/** Datagram socket type. */
export const SOCK_DGRAM = 2;
/** Sequenced-packet socket type. */
export const SOCK_SEQPACKET = 5;
/** Socket type flag: non-blocking. */
export const SOCK_NONBLOCK = 0o4000;
/** Socket type flag: close on exec. */
export const SOCK_CLOEXEC = 0o2000000;

/** Socket option levels. */
export const SOL_SOCKET = 1;
/** IPPROTO_TCP level. */
export const IPPROTO_TCP = 6;
/** IPPROTO_IPV6 level. */
export const IPPROTO_IPV6 = 41;

/** SOL_SOCKET options. */
export const SO_REUSEADDR = 2;
/** Pending socket error. */
export const SO_ERROR = 4;
/** Send buffer size. */
export const SO_SNDBUF = 7;
/** Receive buffer size. */
export const SO_RCVBUF = 8;
/** TCP keep-alive. */
export const SO_KEEPALIVE = 9;
/** Linger on close. */
export const SO_LINGER = 13;
/** Reuse port. */
export const SO_REUSEPORT = 15;

/** IPPROTO_TCP options. */
export const TCP_NODELAY = 1;
/** Idle time before keep-alive probes. */
export const TCP_KEEPIDLE = 4;
/** Interval between keep-alive probes. */
export const TCP_KEEPINTVL = 5;
/** Number of keep-alive probes. */
export const TCP_KEEPCNT = 6;

/** IPPROTO_IPV6 option: accept only IPv6. */
export const IPV6_V6ONLY = 26;

/** shutdown(2) how. */
export const SHUT_RD = 0;
/** Shut down the write side. */
export const SHUT_WR = 1;
/** Shut down both sides. */
export const SHUT_RDWR = 2;

/** send(2) flag: no SIGPIPE on a broken stream. */
export const MSG_NOSIGNAL = 0x4000;
/** send/recv flag: out-of-band (TCP urgent) data. */
export const MSG_OOB = 0x1;

/** epoll events. */
export const EPOLLIN = 0x1;
/** Urgent (out-of-band) data. */
export const EPOLLPRI = 0x2;
/** Writable. */
export const EPOLLOUT = 0x4;
/** Error condition. */
export const EPOLLERR = 0x8;
/** Hang up. */
export const EPOLLHUP = 0x10;
/** Peer closed its write side. */
export const EPOLLRDHUP = 0x2000;
/** Edge-triggered. */
export const EPOLLET = 0x80000000;
/** epoll_create1 flag: close on exec. */
export const EPOLL_CLOEXEC = 0o2000000;
/** epoll_ctl ops. */
export const EPOLL_CTL_ADD = 1;
/** Remove an fd from the interest list. */
export const EPOLL_CTL_DEL = 2;
/** Change an fd's events. */
export const EPOLL_CTL_MOD = 3;

/** eventfd flags. */
export const EFD_CLOEXEC = 0o2000000;
/** Non-blocking eventfd. */
export const EFD_NONBLOCK = 0o4000;

/** Largest listen(2) backlog Go uses (it is a uint16 in the kernel). */
export const MAX_BACKLOG = 65535;

/** SOL_SOCKET option: allow broadcast datagrams. */
export const SO_BROADCAST = 6;
/** Ancillary message type: file descriptors (SOL_SOCKET level). */
export const SCM_RIGHTS = 1;
/** recvmsg flag: the datagram was truncated. */
export const MSG_TRUNC = 0x20;
/** recvmsg flag: the control data was truncated. */
export const MSG_CTRUNC = 0x8;
/** fcntl: duplicate with close-on-exec. */
export const F_DUPFD_CLOEXEC = 1030;
/** fcntl: get file status flags. */
export const F_GETFL = 3;
/** fcntl: set file status flags. */
export const F_SETFL = 4;
/** open(2): read only. */
export const O_RDONLY = 0;
/** open(2)/pipe2(2): non-blocking. */
export const O_NONBLOCK = 0o4000;
/** open(2)/pipe2(2): close on exec. */
export const O_CLOEXEC = 0o2000000;
/** splice(2): move pages if possible. */
export const SPLICE_F_MOVE = 1;
/** splice(2): do not block on the pipe. */
export const SPLICE_F_NONBLOCK = 2;
/** recvmsg flag: received fds are close-on-exec from the start. */
export const MSG_CMSG_CLOEXEC = 0x40000000;
