// The same keep-alive "ok" responder as examples/http_hello.ts, on Go's net.
// Pipelined requests in one read get their responses in one write.
// Build: go build -o /tmp/x/http http.go; run: GOMAXPROCS=1 /tmp/x/http [port]
package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
)

var response = []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")

// countRequests counts complete requests ("\r\n\r\n") in b, carrying a partial tail in *m.
func countRequests(b []byte, m *int) int {
	count := 0
	st := *m
	n := len(b)
	for i := 0; i < n; {
		// A "\r\n\r\n" starting anywhere in [i, i+3] covers b[i+3]: with no
		// match under way, a byte there above '\r' rules all four starts out.
		if st == 0 {
			for i+3 < n && b[i+3] > 13 {
				i += 4
			}
			if i == n {
				break
			}
		}
		c := b[i]
		i++
		want := byte(13)
		if st&1 == 1 {
			want = 10
		}
		if c == want {
			st++
			if st == 4 {
				count++
				st = 0
			}
		} else if c == 13 {
			st = 1
		} else {
			st = 0
		}
	}
	*m = st
	return count
}

func serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 16<<10)
	state := 0
	batch := response
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		k := countRequests(buf[:n], &state)
		if k == 0 {
			continue
		}
		if len(batch) != k*len(response) {
			batch = bytes.Repeat(response, k)
		}
		if _, err := c.Write(batch); err != nil {
			return
		}
	}
}

func main() {
	port := "0"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
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
		go serve(c)
	}
}
