package handlers

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// Request bodies: never decoded, never larger than BODY_LIMIT, and never more than BODY_MEMORY of them in memory
// at once beyond what fasthttp pre-reads of each.
//
// fasthttp streams request bodies (StreamRequestBody): before the handler it reads at most prefetchedBody bytes
// of a body; gateBody reads the rest, bounded by BODY_LIMIT, once the body has a share of the BODY_MEMORY budget.
// So the memory bodies take is at most prefetchedBody per connection plus BODY_MEMORY in all, however many
// clients send maximum-size bodies at once and whatever their JSON's shape: a body counts twice (as read, and as
// what is decoded from it: the copy the field-type check makes of its fields, or BridgeInTech's decoders, whose
// decoded text is never longer than the body) plus bit.DecodeOverhead (64 KiB: what those decoders hold besides
// the text, a bound that does not grow with the body). A body whose declared length is over the limit is refused from its headers:
// with Expect: 100-continue before any of it is sent (no 100 Continue), else after fasthttp's first 8 KiB.
const (
	// prefetchedBody is what fasthttp reads of every body before the handler runs (readBodyWithStreaming's
	// 8 KiB); bodies this small need no share of the budget, so ordinary requests never wait for one.
	prefetchedBody = 8 << 10
	// bodyBudgetWait is how long a large body may wait for a share of BODY_MEMORY before it gets 503 (the
	// server's bodyWait; tests shorten it).
	bodyBudgetWait = 5 * time.Second
)

const (
	msgBodyEncoded     = "Request bodies must not be compressed: send them without Content-Encoding."
	msgBodyUnreadable  = "The request body could not be read."
	msgBodyMemoryBusy  = "The server is busy receiving other large request bodies. Please try again."
	msgBodyLengthClash = "The request declares its body length in conflicting ways."
)

// configureBodies sets the fasthttp server's side of the body rules; New calls it once.
func (s *Server) configureBodies() {
	srv := s.app.Server()
	srv.StreamRequestBody = true
	srv.MaxRequestBodySize = s.cfg.BodyLimit
	// Expect: 100-continue: refuse what gateBody would refuse before the client sends the body.
	srv.ExpectHandler = func(ctx *fasthttp.RequestCtx) int {
		status, msg := expectVerdict(&ctx.Request.Header, s.cfg.BodyLimit)
		if status != fasthttp.StatusContinue {
			writeRawJSON(ctx, status, msg)
		}
		return status
	}
}

// expectVerdict is 100 for a request whose body may be sent, else the status and message that refuse it.
func expectVerdict(h *fasthttp.RequestHeader, limit int) (int, string) {
	switch {
	case bodyEncoded(h):
		return fiber.StatusUnsupportedMediaType, msgBodyEncoded
	case h.ContentLength() > limit:
		return fiber.StatusRequestEntityTooLarge, msgBodyTooLarge
	}
	return fasthttp.StatusContinue, ""
}

// writeRawJSON answers {"message": msg} on a fasthttp context that never reaches the Fiber chain.
func writeRawJSON(ctx *fasthttp.RequestCtx, status int, msg string) {
	body, _ := jsonMessage(msg)
	ctx.Response.Header.SetContentType(fiber.MIMEApplicationJSON)
	setAPIHeaders(&ctx.Response.Header)
	ctx.Response.SetBody(body)
	ctx.Response.SetStatusCode(status)
}

// bodyEncoded reports whether the request declares a Content-Encoding other than identity, in any of its
// Content-Encoding headers.
func bodyEncoded(h *fasthttp.RequestHeader) bool {
	for _, v := range h.PeekAll(fiber.HeaderContentEncoding) {
		for _, part := range strings.Split(string(v), ",") {
			if p := strings.TrimSpace(part); p != "" && !strings.EqualFold(p, "identity") {
				return true
			}
		}
	}
	return false
}

// gateBody is the first middleware that looks at a request body: 415 for an encoded body, 400 for conflicting
// length headers, 413 for a body over BODY_LIMIT (before reading it when its length is declared), 503 when the
// BODY_MEMORY budget stays full. It reads the body once, raw, and leaves it as the request's body, so every
// handler reads exactly the bytes the client sent (c.Request().Body(), never Fiber's decoding c.Body()).
func (s *Server) gateBody(c *fiber.Ctx) error {
	h := &c.Request().Header
	if ambiguousFraming(h.RawHeaders()) {
		c.Context().SetConnectionClose() // where this request ends is unclear: nothing more is read from it
		return s.fail(c, fiber.StatusBadRequest, msgBodyLengthClash)
	}
	if bodyEncoded(h) {
		return s.refuseBody(c, fiber.StatusUnsupportedMediaType, msgBodyEncoded) // discarded, never decoded
	}
	n := h.ContentLength() // -1 chunked, -2 none declared (no body)
	if n > s.cfg.BodyLimit {
		return s.refuseBody(c, fiber.StatusRequestEntityTooLarge, msgBodyTooLarge)
	}
	stream := c.Context().RequestBodyStream()
	if stream == nil {
		return c.Next()
	}
	weight := int64(n)
	if n < 0 {
		weight = int64(s.cfg.BodyLimit)
	}
	// A body is held once as read and once more, at most, as what is decoded from it, plus the decoders' constant;
	// never more than the whole budget, so one largest body always fits (config checks BODY_MEMORY ≥ 2 × limit).
	large := weight > prefetchedBody
	weight = min(2*weight+bit.DecodeOverhead, int64(s.cfg.BodyMemory))
	if large {
		ctx, cancel := context.WithTimeout(c.UserContext(), s.bodyWait)
		err := s.bodyBudget.Acquire(ctx, weight)
		cancel()
		if err != nil {
			c.Set(fiber.HeaderRetryAfter, "1")
			return s.refuseBody(c, fiber.StatusServiceUnavailable, msgBodyMemoryBusy)
		}
		defer s.bodyBudget.Release(weight)
	}
	body, err := readBody(stream, n, s.cfg.BodyLimit)
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return s.refuseBody(c, fiber.StatusRequestEntityTooLarge, msgBodyTooLarge)
		}
		c.Context().SetConnectionClose()
		return s.fail(c, fiber.StatusBadRequest, msgBodyUnreadable)
	}
	c.Request().SetBodyRaw(body)
	return c.Next()
}

var errBodyTooLarge = errors.New("request body over the limit")

// A refused body's connection is closed the way nginx does it ("lingering close"): the answer is written first,
// then what the client still sends is read and thrown away (never kept, never decoded) for at most lingerTime or
// lingerBytes, then the connection is closed. Closing at once with unread data on it makes the kernel reset the
// connection, and a client still sending its body could lose the answer.
const (
	lingerTime  = 2 * time.Second
	lingerBytes = 8 << 20
)

// refuseBody answers status and msg for a body that is not used, and ends the connection after the answer with
// a lingering close. The answer is sent by the lingering goroutine itself (fasthttp writes no answer for a
// hijacked connection that asks for none), with Connection: close, so the client never reuses the connection.
func (s *Server) refuseBody(c *fiber.Ctx, status int, msg string) error {
	err := s.fail(c, status, msg)
	c.Response().Header.SetConnectionClose()
	if c.Request().Header.ConnectionClose() || c.Context().RequestBodyStream() == nil {
		return err // nothing more will come, or the client closes anyway: a plain close
	}
	answer := []byte(c.Response().String())
	c.Context().HijackSetNoResponse(true)
	c.Context().Hijack(func(conn net.Conn) { // fasthttp closes conn when this returns
		_ = conn.SetWriteDeadline(time.Now().Add(lingerTime))
		if _, werr := conn.Write(answer); werr != nil {
			return
		}
		_ = conn.SetReadDeadline(time.Now().Add(lingerTime))
		_, _ = io.Copy(io.Discard, io.LimitReader(conn, lingerBytes))
	})
	return err
}

// ambiguousFraming reports, for a request's raw header block, what RFC 9112 says a server must not guess at
// (§6.1, §6.3, §5.2): Content-Length together with Transfer-Encoding, Content-Length given more than once with
// different values, or a header folded onto a continuation line. fasthttp reads the first two its own way (it
// lets chunked win) and accepts folding; a proxy in front may read them otherwise, which is how requests are
// smuggled, so such a request gets 400 and its connection is closed.
func ambiguousFraming(raw []byte) bool {
	// It reads the header block in place (bytes.SplitSeq, no copy): it runs on every request.
	var first []byte // the first Content-Length's value
	lengths, chunked := 0, false
	for line := range bytes.SplitSeq(raw, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			return true
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		switch {
		case bytes.EqualFold(name, []byte(fiber.HeaderContentLength)):
			value = bytes.TrimSpace(value)
			if lengths > 0 && !bytes.Equal(value, first) {
				return true
			}
			first, lengths = value, lengths+1
		case bytes.EqualFold(name, []byte(fiber.HeaderTransferEncoding)):
			chunked = true
		}
	}
	return chunked && lengths > 0
}

// readBody reads a body of declared length n (or, for n < 0, up to EOF) of at most limit bytes.
func readBody(r io.Reader, n, limit int) ([]byte, error) {
	if n >= 0 {
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, err
		}
		return body, nil
	}
	var buf bytes.Buffer
	read, err := buf.ReadFrom(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if read > int64(limit) {
		return nil, errBodyTooLarge
	}
	return buf.Bytes(), nil
}
