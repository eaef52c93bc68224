// A floor for the churn client: one thread, SLOTS conns in flight, each
// socket(SOCK_NONBLOCK), TCP_NODELAY, connect, epoll_ctl ADD (edge-triggered),
// a 1-byte write as soon as it is writable (at once on loopback), a 1-byte
// read of the echo, close; epoll_wait with timeout 0 (SPIN=1, as netpoll's
// spin) or -1. Prints conns/s and epoll_waits per conn; run it under
// `/usr/bin/time -f "%U %S"` for its CPU per conn.
//
// Build and run against an echo server on PORT (see bench/churn_cpu.ts for
// the warm-up the JS clients get):
//   cc -O2 -o /tmp/churn_epoll bench/clients/c/churn_epoll.c
//   taskset -c 1 /tmp/churn_epoll 127.0.0.10 PORT 10000 4 1
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { IDLE, CONNECTING, WRITTEN };

static struct sockaddr_in sa;
static int ep, left;
static unsigned char state[65536];

static void start(void) {
  if (left <= 0) return;
  left--;
  int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (s < 0 || s >= 65536) { perror("socket"); exit(1); }
  int one = 1;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
    perror("connect");
    exit(1);
  }
  struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.fd = s};
  epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
  char b = 1;
  state[s] = write(s, &b, 1) == 1 ? WRITTEN : CONNECTING;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s IP PORT N SLOTS SPIN\n", argv[0]);
    return 2;
  }
  sa.sin_family = AF_INET;
  sa.sin_port = htons(atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
    fprintf(stderr, "bad IPv4 address %s\n", argv[1]);
    return 2;
  }
  int n = atoi(argv[3]), slots = atoi(argv[4]), spin = atoi(argv[5]);
  left = n;
  ep = epoll_create1(0);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < slots; i++) start();
  struct epoll_event ev[64];
  long polls = 0;
  int done = 0;
  while (done < n) {
    int k = epoll_wait(ep, ev, 64, spin ? 0 : -1);
    polls++;
    for (int i = 0; i < k; i++) {
      int s = ev[i].data.fd;
      char b = 1;
      if (state[s] == CONNECTING && (ev[i].events & EPOLLOUT) && write(s, &b, 1) == 1) {
        state[s] = WRITTEN;
      }
      if (state[s] == WRITTEN && (ev[i].events & EPOLLIN) && read(s, &b, 1) == 1) {
        close(s);
        state[s] = IDLE;
        done++;
        start();
      }
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%s conns/s %.0f epoll_waits/conn %.2f\n", argv[1], n / secs, (double)polls / n);
  return 0;
}
