package disconnect

import (
	"io"
	"net"
	"testing"
	"time"
)

// pair returns the server side and the client side of one loopback TCP connection.
func pair(t testing.TB) (server, client *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return s.(*net.TCPConn), c.(*net.TCPConn)
}

// watch starts a watch whose gone calls land in the returned channel.
func watch(conn net.Conn) (gone chan struct{}, stop func()) {
	gone = make(chan struct{}, 2)
	stop = Watch(conn, func() { gone <- struct{}{} })
	return gone, stop
}

// passesBytes checks that what the client writes next reaches the server whole. It sets no read deadline of its
// own, so a deadline a watch left behind (a read failing at once with a timeout) shows here.
func passesBytes(t *testing.T, server, client net.Conn, msg string) {
	t.Helper()
	if _, err := client.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(server, buf); err != nil || string(buf) != msg {
		t.Fatalf("the server read %q, %v; want %q", buf, err, msg)
	}
}

func waitGone(t *testing.T, gone chan struct{}) {
	t.Helper()
	select {
	case <-gone:
	case <-time.After(10 * time.Second):
		t.Fatal("the client left but gone was not called")
	}
}

func TestGoneWhenTheClientCloses(t *testing.T) {
	t.Parallel()
	for name, leave := range map[string]func(c *net.TCPConn) error{
		"close": func(c *net.TCPConn) error { return c.Close() },
		"reset": func(c *net.TCPConn) error {
			if err := c.SetLinger(0); err != nil {
				return err
			}
			return c.Close()
		},
		"half-close": func(c *net.TCPConn) error { return c.CloseWrite() },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			server, client := pair(t)
			gone, stop := watch(server)
			if err := leave(client); err != nil {
				t.Fatal(err)
			}
			waitGone(t, gone)
			stop()
			if len(gone) != 0 {
				t.Fatal("gone called twice")
			}
		})
	}
}

// A watch ended by stop reports nothing, and leaves the connection as it was: the server reads the client's
// next bytes normally, with no deadline left behind.
func TestStopLeavesTheConnectionUsable(t *testing.T) {
	t.Parallel()
	server, client := pair(t)
	gone, stop := watch(server)
	stop()
	passesBytes(t, server, client, "next")
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := server.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("after the client closed: %d, %v", n, err)
	}
	if len(gone) != 0 {
		t.Fatal("gone called after stop")
	}
}

// A pipelined next request ends the watch without calling gone and without consuming a byte of it.
func TestPipelinedBytesEndTheWatchUnread(t *testing.T) {
	t.Parallel()
	server, client := pair(t)
	gone, stop := watch(server)
	if _, err := client.Write([]byte("GET / HTTP/1.1\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := client.Close(); err != nil { // closing after the bytes: still not "gone", the watch has ended
		t.Fatal(err)
	}
	stop()
	if len(gone) != 0 {
		t.Fatal("gone called for a client that sent more bytes")
	}
	got, err := io.ReadAll(server)
	if err != nil || string(got) != "GET / HTTP/1.1\r\n" {
		t.Fatalf("the pipelined bytes were consumed: %q, %v", got, err)
	}
}

// Many watches on one connection in a row, as keep-alive requests make them, each start and stop cleanly.
func TestWatchesInARow(t *testing.T) {
	t.Parallel()
	server, client := pair(t)
	for i := range 200 {
		gone, stop := watch(server)
		stop()
		if len(gone) != 0 {
			t.Fatalf("round %d: gone called", i)
		}
	}
	gone, stop := watch(server)
	defer stop()
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	waitGone(t, gone)
}

func TestConnectionsThatAreNotSocketsAreNotWatched(t *testing.T) {
	t.Parallel()
	a, b := net.Pipe()
	gone, stop := watch(a)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	stop()
	if len(gone) != 0 {
		t.Fatal("a pipe was watched")
	}
	_ = a.Close()
}

// BenchmarkWatch is the cost a watched request pays: start a watch on a loopback socket and stop it.
func BenchmarkWatch(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			_, _ = io.Copy(io.Discard, c)
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	gone := func() { b.Error("gone called") }
	b.ReportAllocs()
	for b.Loop() {
		Watch(c, gone)()
	}
}

// A delayed watch notices a client that left before the delay as soon as it starts.
func TestWatchAfterNoticesAnEarlierLeave(t *testing.T) {
	t.Parallel()
	server, client := pair(t)
	gone := make(chan struct{}, 2)
	stop := WatchAfter(server, 20*time.Millisecond, func() { gone <- struct{}{} })
	defer stop()
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	waitGone(t, gone)
}

// A delayed watch stopped before its delay never starts: the connection is untouched and gone never called.
func TestWatchAfterStoppedEarlyNeverWatches(t *testing.T) {
	t.Parallel()
	server, client := pair(t)
	gone := make(chan struct{}, 2)
	stop := WatchAfter(server, time.Hour, func() { gone <- struct{}{} })
	stop()
	passesBytes(t, server, client, "x")
	if len(gone) != 0 {
		t.Fatal("gone called")
	}
}

// stop racing the delay's end: whichever wins, stop returns with no watch left behind, many times over.
func TestWatchAfterStopRacesTheTimer(t *testing.T) {
	t.Parallel()
	server, client := pair(t)
	for i := range 300 {
		stop := WatchAfter(server, time.Duration(i%5)*100*time.Microsecond, func() { t.Error("gone called") })
		time.Sleep(time.Duration(i%7) * 50 * time.Microsecond)
		stop()
	}
	passesBytes(t, server, client, "y")
}

// BenchmarkWatchAfterQuickRequest is the cost for a request that ends before the delay: a timer set and stopped.
func BenchmarkWatchAfterQuickRequest(b *testing.B) {
	server, _ := pair(b)
	gone := func() { b.Error("gone called") }
	b.ReportAllocs()
	for b.Loop() {
		WatchAfter(server, time.Second, gone)()
	}
}

// One Delayed used for many requests in turn, its stop racing the delay: no watch is left behind, gone is never
// called for a client that stays, and the connection still passes bytes; then, used once more, it notices a
// client that leaves. A late timer of an earlier use can only start the current use's watch, on its connection.
func TestDelayedReusedAcrossRequests(t *testing.T) {
	t.Parallel()
	server, client := pair(t)
	var d Delayed
	for i := range 300 {
		d.Start(server, time.Duration(i%5)*100*time.Microsecond, func() { t.Error("gone called for a client that stayed") })
		time.Sleep(time.Duration(i%7) * 50 * time.Microsecond)
		d.Stop()
	}
	passesBytes(t, server, client, "z")
	gone := make(chan struct{}, 2)
	d.Start(server, time.Millisecond, func() { gone <- struct{}{} })
	defer d.Stop()
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	waitGone(t, gone)
}

// A Delayed reused for a quick request allocates nothing: the timer is reset, not made again.
func TestDelayedQuickRequestAllocatesNothing(t *testing.T) {
	server, _ := pair(t)
	var d Delayed
	gone := func() { t.Error("gone called") }
	d.Start(server, time.Hour, gone)
	d.Stop()
	if n := testing.AllocsPerRun(100, func() {
		d.Start(server, time.Hour, gone)
		d.Stop()
	}); n != 0 {
		t.Fatalf("a reused Delayed allocates %v times per request, want 0", n)
	}
}
