package handlers

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// wireExchange writes raw on a new connection and reads one answer. closed reports whether the BFF said
// Connection: close and then did close the connection.
func wireExchange(t *testing.T, s *stack, raw string) (a answer, firstLine string, closed bool) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	head, err := br.Peek(12)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	firstLine = string(head)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a = answer{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if !resp.Close {
		return a, firstLine, false // no Connection: close: the BFF means to read the next request
	}
	// The BFF said it closes; stop sending (as a client does) and see that it does, after what it may discard.
	_ = conn.(*net.TCPConn).CloseWrite()
	if _, err := br.ReadByte(); err == nil {
		t.Fatal("more bytes after an answer that closes the connection")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the connection was not closed")
	}
	return a, firstLine, true
}

// Requests whose framing is ambiguous (a proxy in front might read them otherwise: request smuggling) are refused
// with 400 and the connection closed; bodies that are too large or compressed are refused before they are sent.
func TestAmbiguousOrRefusedBodiesCloseTheConnection(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	host := strings.TrimPrefix(s.url, "http://")
	post := "POST /api/user/resend_email HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
	body := `{"email":"a@b.co"}`
	for _, tc := range []struct {
		name   string
		raw    string
		status int
	}{
		{"Content-Length and Transfer-Encoding together are refused", post +
			"Content-Length: 18\r\nTransfer-Encoding: chunked\r\n\r\n12\r\n" + body + "\r\n0\r\n\r\n", 400},
		{"two different Content-Lengths are refused", post +
			"Content-Length: 18\r\nContent-Length: 5\r\n\r\n" + body, 400},
		{"Transfer-Encoding chunked, identity is refused", post +
			"Transfer-Encoding: chunked, identity\r\n\r\n12\r\n" + body + "\r\n0\r\n\r\n", 400},
		{"a folded Transfer-Encoding is refused", post +
			"Transfer-Encoding:\r\n chunked\r\n\r\n12\r\n" + body + "\r\n0\r\n\r\n", 400},
		{"a declared 1 GiB body under Expect: 100-continue gets 413, never 100 Continue", post +
			"Content-Length: 1073741824\r\nExpect: 100-continue\r\n\r\n", 413},
		{"a gzip body under Expect: 100-continue gets 415, never 100 Continue", post +
			"Content-Length: 18\r\nContent-Encoding: gzip\r\nExpect: 100-continue\r\n\r\n", 415},
		// Without Expect, fasthttp reads the first 8 KiB of every body before the handler runs; no more.
		{"a declared 1 GiB body is refused after at most 8 KiB of it", post + "Content-Length: 1073741824\r\n\r\n" +
			strings.Repeat("x", 8<<10), 413},
		{"a gzip body is discarded undecoded", post + "Content-Length: 18\r\nContent-Encoding: gzip\r\n\r\n" + body, 415},
		{"a chunked body over the limit is refused", post + "Transfer-Encoding: chunked\r\n\r\n" +
			"100001\r\n" + strings.Repeat("x", 1<<20+1) + "\r\n0\r\n\r\n", 413},
		{"a body a little over the limit is read to its end and refused", post + "Content-Length: 1048577\r\n\r\n" +
			strings.Repeat("x", 1<<20+1), 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.ms.Calls("POST /user/resend_email")
			a, first, closed := wireExchange(t, s, tc.raw)
			if strings.HasPrefix(first, "HTTP/1.1 100") {
				t.Fatalf("the BFF said 100 Continue first")
			}
			if a.Status != tc.status || !strings.HasPrefix(a.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("answer %d %q %s, want %d JSON", a.Status, a.Header.Get("Content-Type"), a.Body, tc.status)
			}
			if !closed {
				t.Fatal("the connection stayed open after a refused body")
			}
			if s.ms.Calls("POST /user/resend_email") != before {
				t.Fatal("MS was called")
			}
		})
	}
}
