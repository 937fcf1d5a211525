package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hostileAnswer is what a raw exchange got back.
type hostileAnswer struct {
	status    int
	header    http.Header
	body      []byte
	continued bool // the BFF said "100 Continue" before its answer
	closed    bool // the BFF closed the connection after its answer
}

func (a hostileAnswer) message() string {
	var m struct{ Message string }
	_ = json.Unmarshal(a.body, &m)
	return m.Message
}

// hostileExchange writes raw to addr on a new connection, exactly as given, and reads one answer. closed is
// true when the answer says Connection: close and the connection then ends once the client stops sending.
func hostileExchange(t *testing.T, addr, raw string) hostileAnswer {
	t.Helper()
	return hostileExchangeWithin(t, addr, raw, 15*time.Second)
}

// hostileExchangeWithin is hostileExchange with its own deadline for the whole exchange.
func hostileExchangeWithin(t *testing.T, addr, raw string, limit time.Duration) hostileAnswer {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(limit))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatalf("writing the request: %v", err)
	}
	br := bufio.NewReader(conn)
	var a hostileAnswer
	if head, err := br.Peek(12); err == nil && string(head) == "HTTP/1.1 100" {
		a.continued = true
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	a.status, a.header = resp.StatusCode, resp.Header
	a.body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Close {
		_ = conn.(*net.TCPConn).CloseWrite()
		_, err := br.ReadByte()
		ne, isNet := err.(net.Error)
		a.closed = err != nil && !(isNet && ne.Timeout())
	}
	return a
}

// gzipBomb is a small gzip stream of n MiB of zeros, compressed twice when twice is set.
func gzipBomb(t *testing.T, n int, twice bool) []byte {
	t.Helper()
	compress := func(in io.Reader) []byte {
		var out bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
		if _, err := io.Copy(zw, in); err != nil {
			t.Fatal(err)
		}
		_ = zw.Close()
		return out.Bytes()
	}
	b := compress(io.LimitReader(zeroReader{}, int64(n)<<20))
	if twice {
		b = compress(bytes.NewReader(b))
	}
	return b
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// rssKiB reads a process's resident memory (VmRSS) and its peak (VmHWM) in KiB.
func rssKiB(t *testing.T, p *proc) (rss, peak int) {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			switch f[0] {
			case "VmRSS:":
				rss, _ = strconv.Atoi(f[1])
			case "VmHWM:":
				peak, _ = strconv.Atoi(f[1])
			}
		}
	}
	return rss, peak
}

// unsignedAccessToken is an MS-shaped access token for id with "alg": "none" and no signature.
func unsignedAccessToken(id int) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
		enc.EncodeToString([]byte(fmt.Sprintf(`{"identity":%d,"type":"access","exp":%d}`, id, time.Now().Add(time.Hour).Unix()))) + "."
}

// msCalls is the emulator's count of calls per route (it runs with -control).
func msCalls(t *testing.T, ms *proc) map[string]int64 {
	t.Helper()
	resp, err := http.Get(ms.url() + "/_emulator/calls")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]int64
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func sumCalls(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
