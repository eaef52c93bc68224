// An echo server on Go's net, the Go twin of examples/echo_server.ts.
// With "idle" as the second argument every conn gets a 30 s read deadline
// and a 4 KiB buffer (the 10k-idle-connections workload), and a conn whose first bytes are
// "STAT\n" makes the server print {"heapUsed":N} (after a GC) on stdout.
// Build: go build -o /tmp/x/echo echo.go; run: GOMAXPROCS=1 /tmp/x/echo [port|host:port] [idle]
package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"time"
)

func serve(c net.Conn, idle bool) {
	defer c.Close()
	if idle {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
	}
	size := 64 << 10
	if idle {
		size = 4 << 10 // as the other idle-workload servers
	}
	buf := make([]byte, size)
	first := true
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		if first && idle && bytes.HasPrefix(buf[:n], []byte("STAT\n")) {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			line := fmt.Sprintf("{\"heapUsed\":%d}\n", ms.HeapAlloc)
			os.Stdout.WriteString(line)
			c.Write([]byte(line))
			return
		}
		first = false
		if _, err := c.Write(buf[:n]); err != nil {
			return
		}
	}
}

func main() {
	port := "0"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	idle := len(os.Args) > 2 && os.Args[2] == "idle"
	addr := port
	if !strings.Contains(addr, ":") {
		addr = "127.0.0.1:" + port
	}
	// "tcp4": "tcp" on 0.0.0.0 would listen on a dual-stack IPv6 socket.
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go serve(c, idle)
	}
}
