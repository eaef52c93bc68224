// The floor for the HTTP workloads: the same keep-alive "ok" responder as
// examples/http_hello.ts, in C on one thread with edge-triggered epoll and
// blocking epoll_wait. No runtime, no allocation, no spin: what is left of
// its CPU per request is the kernel's share, which every server pays.
//
// Per read it counts the complete requests ("\r\n\r\n") and answers them in
// one send, as the JS servers do; a short read drains an edge-triggered
// socket, so it skips the EAGAIN read, as netpoll does.
//
// Build: cc -O2 -o http bench/servers/c/http.c
// Usage: ./http [port]   (prints "listening on 127.0.0.1:PORT")
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char response[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";
#define RESPONSE_LEN (sizeof(response) - 1)
#define MAX_BATCH 256
#define MAX_FD 65536

static unsigned char match[MAX_FD]; // "\r\n\r\n" progress per connection
static char out[RESPONSE_LEN * MAX_BATCH];
static char buf[16 << 10];

static void drop(int fd) {
  close(fd); // also removes it from the epoll set
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof a;
  if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096) ||
      getsockname(ls, (struct sockaddr *)&a, &alen)) {
    perror("listen");
    return 1;
  }
  for (int i = 0; i < MAX_BATCH; i++) memcpy(out + i * RESPONSE_LEN, response, RESPONSE_LEN);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
  fflush(stdout);

  struct epoll_event evs[128];
  for (;;) {
    int n = epoll_wait(ep, evs, 128, -1);
    if (n < 0 && errno != EINTR) {
      perror("epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        for (;;) {
          int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (c < 0) break;
          if (c >= MAX_FD) {
            close(c);
            continue;
          }
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // as Go and netpoll
          match[c] = 0;
          struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
        }
        continue;
      }
      for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) break;
        if (r <= 0) {
          drop(fd);
          break;
        }
        int m = match[fd], k = 0;
        for (ssize_t j = 0; j < r;) {
          // A "\r\n\r\n" starting anywhere in [j, j+3] covers buf[j+3]: with
          // no match under way, a byte there above '\r' rules all four out.
          if (m == 0) {
            while (j + 3 < r && (unsigned char)buf[j + 3] > 13) j += 4;
            if (j == r) break;
          }
          char c = buf[j++];
          if (c == ((m & 1) ? '\n' : '\r')) {
            if (++m == 4) {
              k++;
              m = 0;
            }
          } else {
            m = c == '\r';
          }
        }
        match[fd] = m;
        // The answer to one read fits an empty send buffer (wrk waits for
        // it); a short send would mean a misbehaving client: drop it.
        while (k > 0) {
          int b = k < MAX_BATCH ? k : MAX_BATCH;
          if (send(fd, out, b * RESPONSE_LEN, MSG_NOSIGNAL) != (ssize_t)(b * RESPONSE_LEN)) {
            drop(fd);
            r = 0;
            break;
          }
          k -= b;
        }
        // A short read drained the socket, unless the peer's FIN came with
        // this edge: then no other edge follows, and only recv's 0 tells.
        if (r < (ssize_t)sizeof buf && !(evs[i].events & (EPOLLRDHUP | EPOLLHUP))) break;
      }
    }
  }
}
