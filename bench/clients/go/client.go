// Load clients on Go's net for bench/compare.ts; each prints one JSON line.
//
//	client pingpong ADDR COUNT [WARMUP]  unmeasured pings for WARMUP seconds (default 0),
//	                                then COUNT 32-byte pings: {"p50":µs,"p99":µs,"warm":pings}
//	client bulk ADDR BYTES [WARMUP] unmeasured BYTES/10 blocks for at least WARMUP seconds
//	                                (default 0: one block), then BYTES measured, in 64 KiB
//	                                writes with concurrent read-back: {"mbps":..,"seconds":..}
//	client churn ADDR CONNS LOOPS [WARMUP [WARMADDRS [SEQADDR]]]
//	                                loops of dial, write 1 B, read 1 B, close: unmeasured
//	                                conns over LOOPS loops to the comma-separated WARMADDRS
//	                                in turn (default ADDR) for WARMUP seconds (default 0), at
//	                                least CONNS/10 in all and at most 12,000 to each (CONNS/10
//	                                in all to ADDR), then CONNS measured to ADDR over LOOPS
//	                                loops and, with SEQADDR, CONNS measured to SEQADDR over 1
//	                                loop: {"connsPerSec":..,"seqConnsPerSec":..,"conns":..,"errors":..,"warm":..}
//	client idle ADDR CONNS          open CONNS conns, then one 32-byte ping each; prints
//	                                {"connected":..,"ok":..,"failures":..,"connectMs":..,"pingMs":..,"totalMs":..}
//	                                and holds the conns open until stdin closes or sends a line.
//
// Build: go build -o /tmp/x/client client.go
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func die(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func emit(v interface{}) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func pingpong(addr string, count int, warmup time.Duration) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		die(err)
	}
	defer c.Close()
	msg := make([]byte, 32)
	for i := range msg {
		msg[i] = 7
	}
	buf := make([]byte, 32)
	// Unmeasured pings first, for a time, as the JS clients (their JIT tiers).
	warm := 0
	for end := time.Now().Add(warmup); time.Now().Before(end); warm++ {
		if _, err := c.Write(msg); err != nil {
			die(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			die(err)
		}
	}
	rtts := make([]float64, 0, count)
	for i := 0; i < count; i++ {
		t := time.Now()
		if _, err := c.Write(msg); err != nil {
			die(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			die(err)
		}
		rtts = append(rtts, float64(time.Since(t).Nanoseconds())/1000)
	}
	sort.Float64s(rtts)
	q := func(p float64) float64 {
		i := int(p * float64(len(rtts)))
		if i >= len(rtts) {
			i = len(rtts) - 1
		}
		return rtts[i]
	}
	emit(map[string]float64{"p50": q(0.5), "p99": q(0.99), "warm": float64(warm)})
}

// echoBytes writes total bytes in 64 KiB chunks while reading them back and
// returns the seconds taken.
func echoBytes(c net.Conn, total int64, chunk, buf []byte) float64 {
	t := time.Now()
	done := make(chan error, 1)
	go func() {
		var got int64
		for got < total {
			n, err := c.Read(buf)
			if err != nil {
				done <- err
				return
			}
			got += int64(n)
		}
		done <- nil
	}()
	for sent := int64(0); sent < total; sent += int64(len(chunk)) {
		if _, err := c.Write(chunk); err != nil {
			die(err)
		}
	}
	if err := <-done; err != nil {
		die(err)
	}
	return time.Since(t).Seconds()
}

// bulk echoes unmeasured tenths (whole chunks) for at least warmup first,
// then total bytes measured.
func bulk(addr string, total int64, warmup time.Duration) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		die(err)
	}
	defer c.Close()
	chunk := make([]byte, 64<<10)
	buf := make([]byte, 64<<10)
	size := int64(len(chunk))
	for end := time.Now().Add(warmup); ; {
		echoBytes(c, (total/10+size-1)/size*size, chunk, buf)
		if !time.Now().Before(end) {
			break
		}
	}
	secs := echoBytes(c, total, chunk, buf)
	emit(map[string]float64{"mbps": float64(total) / 1e6 / secs, "seconds": secs})
}

// churnRun starts conns to addr over loops concurrent goroutines, each a
// dial, a 1-byte write, a 1-byte read and a close: at least min, then more
// until d has passed, at most max; bounded by 30 s as well.
func churnRun(addr string, min, max int64, d time.Duration, loops int) (conns, errs int64, secs float64) {
	var started int64
	t := time.Now()
	until := t.Add(d)
	end := t.Add(30 * time.Second)
	var wg sync.WaitGroup
	for l := 0; l < loops; l++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := []byte{1}
			for {
				now := time.Now()
				if !now.Before(end) || (atomic.LoadInt64(&started) >= min && !now.Before(until)) {
					return
				}
				if atomic.AddInt64(&started, 1) > max {
					return
				}
				c, err := net.Dial("tcp", addr)
				if err != nil {
					atomic.AddInt64(&errs, 1)
					continue
				}
				_, err = c.Write(b)
				if err == nil {
					_, err = io.ReadFull(c, b)
				}
				c.Close()
				if err != nil {
					atomic.AddInt64(&errs, 1)
				} else {
					atomic.AddInt64(&conns, 1)
				}
			}
		}()
	}
	wg.Wait()
	return conns, errs, time.Since(t).Seconds()
}

// churn runs unmeasured warm-up conns to warmAddrs in turn (other addresses
// of the same server, so that the measured destinations keep their ports),
// then count measured ones to addr over loops and, when seqAddr is not
// empty, count measured ones to seqAddr over one loop.
func churn(addr string, count int64, loops int, warmup time.Duration, warmAddrs, seqAddr string) {
	min := (count + 9) / 10
	until := time.Now().Add(warmup)
	var warm, errs int64
	for _, to := range strings.Split(warmAddrs, ",") {
		need := min - warm
		if need < 0 {
			need = 0
		}
		max := int64(12000)
		if to == addr {
			max = need
		}
		left := time.Until(until)
		if left < 0 {
			left = 0
		}
		w, e, _ := churnRun(to, need, max, left, loops)
		warm += w
		errs += e
	}
	conns, e, secs := churnRun(addr, count, count, 0, loops)
	errs += e
	out := map[string]float64{"connsPerSec": float64(conns) / secs}
	if seqAddr != "" {
		c, e, s := churnRun(seqAddr, count, count, 0, 1)
		out["seqConnsPerSec"] = float64(c) / s
		conns += c
		errs += e
	}
	out["conns"] = float64(conns)
	out["errors"] = float64(errs)
	out["warm"] = float64(warm)
	emit(out)
}

func idle(addr string, n int) {
	deadline := time.Now().Add(120 * time.Second)
	conns := make([]net.Conn, n)
	t0 := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 128)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := net.DialTimeout("tcp", addr, 30*time.Second)
			if err == nil {
				conns[i] = c
			}
		}(i)
	}
	wg.Wait()
	t1 := time.Now()
	var ok, connected int64
	for i := 0; i < n; i++ {
		if conns[i] == nil {
			continue
		}
		connected++
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			c.SetDeadline(deadline)
			msg := make([]byte, 32)
			if _, err := c.Write(msg); err != nil {
				return
			}
			if _, err := io.ReadFull(c, msg); err != nil {
				return
			}
			atomic.AddInt64(&ok, 1)
		}(conns[i])
	}
	wg.Wait()
	t2 := time.Now()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	emit(map[string]float64{
		"connected": float64(connected), "ok": float64(ok), "failures": float64(int64(n) - ok),
		"connectMs": ms(t1.Sub(t0)), "pingMs": ms(t2.Sub(t1)), "totalMs": ms(t2.Sub(t0)),
	})
	// Hold the conns until the harness has measured the server.
	done := make(chan struct{})
	go func() {
		bufio.NewReader(os.Stdin).ReadString('\n')
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(120 * time.Second):
	}
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}

func main() {
	if len(os.Args) < 4 {
		die(fmt.Errorf("usage: client pingpong|bulk|churn|idle ADDR ARG [LOOPS|WARMUP] ..."))
	}
	mode, addr := os.Args[1], os.Args[2]
	num, err := strconv.ParseFloat(os.Args[3], 64)
	if err != nil {
		die(err)
	}
	var warmup time.Duration
	if len(os.Args) > 4 && (mode == "pingpong" || mode == "bulk") {
		secs, err := strconv.ParseFloat(os.Args[4], 64)
		if err != nil {
			die(err)
		}
		warmup = time.Duration(secs * float64(time.Second))
	}
	switch mode {
	case "pingpong":
		pingpong(addr, int(num), warmup)
	case "bulk":
		bulk(addr, int64(num), warmup)
	case "churn":
		loops := 4
		if len(os.Args) > 4 {
			loops, _ = strconv.Atoi(os.Args[4])
		}
		if len(os.Args) > 5 {
			secs, err := strconv.ParseFloat(os.Args[5], 64)
			if err != nil {
				die(err)
			}
			warmup = time.Duration(secs * float64(time.Second))
		}
		warmAddrs, seqAddr := addr, ""
		if len(os.Args) > 6 {
			warmAddrs = os.Args[6]
		}
		if len(os.Args) > 7 {
			seqAddr = os.Args[7]
		}
		churn(addr, int64(num), loops, warmup, warmAddrs, seqAddr)
	case "idle":
		idle(addr, int(num))
	default:
		die(fmt.Errorf("unknown mode %q", mode))
	}
}
