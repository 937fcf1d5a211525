package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

func TestFindCookieIsStrict(t *testing.T) {
	t.Parallel()
	const name = "bit_session"
	for _, tc := range []struct {
		name    string
		headers []string
		value   string
		state   cookieState
	}{
		{"no Cookie header", nil, "", cookieAbsent},
		{"other cookies only", []string{"a=1; b=2"}, "", cookieAbsent},
		{"a longer name is another cookie", []string{"xbit_session=v; bit_session_x=v"}, "", cookieAbsent},
		{"names are case-sensitive", []string{"BIT_SESSION=v"}, "", cookieAbsent},
		{"one pair", []string{"bit_session=v.w"}, "v.w", cookiePresent},
		{"one pair among others", []string{"a=1; bit_session=v; b=2"}, "v", cookiePresent},
		{"in a second Cookie header", []string{"a=1", "bit_session=v"}, "v", cookiePresent},
		{"an empty value is present but empty", []string{"bit_session="}, "", cookiePresent},
		{"a space before = is malformed", []string{"bit_session =v"}, "", cookieMalformed},
		{"a space after = is malformed", []string{"bit_session= v"}, "", cookieMalformed},
		{"no = at all is malformed", []string{"a=1; bit_session"}, "", cookieMalformed},
		{"twice in one header is malformed", []string{"bit_session=v; bit_session=w"}, "", cookieMalformed},
		{"once in each of two headers is malformed", []string{"bit_session=v", "bit_session=v"}, "", cookieMalformed},
		{"a comma in the value is malformed", []string{"bit_session=v,w"}, "", cookieMalformed},
		{"a backslash in the value is malformed", []string{`bit_session=v\w`}, "", cookieMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := make([][]byte, len(tc.headers))
			for i, h := range tc.headers {
				hs[i] = []byte(h)
			}
			value, state := findCookie(hs, name)
			if value != tc.value || state != tc.state {
				t.Fatalf("findCookie = %q, %v; want %q, %v", value, state, tc.value, tc.state)
			}
		})
	}
}

// The CSRF check and authentication read the cookie with one parser, so a write can never be authenticated by
// a cookie the CSRF check did not see. Each variant is sent over a raw socket, as written: an unsafe request
// without X-CSRF is refused 403 exactly when the cookie is there, and otherwise is not authenticated either.
func TestCSRFCheckAndAuthenticationNeverDisagreeAboutTheCookie(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	c := s.newClient()
	c.mustLogin(emulator.LoadUsers(1)[0])
	v, name := c.cookieValue(), s.codec.Name()
	host := strings.TrimPrefix(s.url, "http://")
	for _, tc := range []struct {
		desc    string
		cookies []string
	}{
		{"the cookie in the only Cookie header", []string{name + "=" + v}},
		{"the cookie in a second Cookie header", []string{"theme=dark", name + "=" + v}},
		{"the cookie written with a space before =", []string{name + " =" + v}},
		{"the cookie written with a space after =", []string{name + "= " + v}},
		{"the cookie twice in one header", []string{name + "=" + v + "; " + name + "=" + v}},
		{"the cookie in each of two headers", []string{name + "=" + v, name + "=" + v}},
		{"the cookie among others, with odd separators", []string{";;a=1;" + name + "=" + v + ";"}},
		{"no session cookie", []string{"theme=dark"}},
		{"a cookie whose name only contains the session's", []string{"x" + name + "=" + v}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			var lines string
			for _, ck := range tc.cookies {
				lines += "Cookie: " + ck + "\r\n"
			}
			conn := s.dialRaw()
			body := `{"bio":"csrf"}`
			conn.send(fmt.Sprintf("PUT /api/user HTTP/1.1\r\nHost: %s\r\n%sContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
				host, lines, len(body), body))
			write := conn.answer()
			conn.send(fmt.Sprintf("GET /api/user HTTP/1.1\r\nHost: %s\r\n%s\r\n", host, lines))
			read := conn.answer()
			csrfSawCookie := write.Status == http.StatusForbidden
			authSawNoCookie := read.Status == http.StatusUnauthorized && read.message(t) == msgNoSession
			if csrfSawCookie == authSawNoCookie {
				t.Fatalf("they disagree: the write got %d %s, the read %d %s", write.Status, write.Body, read.Status, read.Body)
			}
			if write.Status == http.StatusOK {
				t.Fatal("a write without X-CSRF was authenticated by the cookie")
			}
		})
	}
}
