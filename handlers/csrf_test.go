package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/anitab-org/bridge-in-tech-bff/emulator"
)

const allowedOrigin = "http://app.example.test:3000"

// TestCSRFMatrix walks method × Origin × Sec-Fetch-Site × X-CSRF × auth kind. The rules (docs/API.md#conventions):
// unsafe requests with a foreign or "null" Origin are refused; with no Origin but Sec-Fetch-Site: cross-site,
// too; unsafe requests authenticated by the cookie need X-CSRF: 1; safe methods pass; Bearer needs no X-CSRF.
func TestCSRFMatrix(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{origins: []string{allowedOrigin}})
	u := emulator.LoadUsers(1)[0]
	c := s.newClient()
	c.mustLogin(u)
	cookie := "bit_session=" + c.cookieValue()
	access, _ := s.msLogin(u)
	self := s.url

	origins := []struct{ name, value string }{
		{"no Origin", ""}, {"our own Origin", self}, {"an allowed Origin", allowedOrigin},
		{"a foreign Origin", "http://evil.example.test"}, {"Origin null", "null"},
	}
	sites := []string{"", "same-origin", "same-site", "cross-site"}
	auths := []string{"cookie", "bearer", "none"}
	for _, method := range []string{http.MethodGet, http.MethodPut} {
		for _, o := range origins {
			for _, site := range sites {
				for _, csrf := range []bool{false, true} {
					for _, auth := range auths {
						want := expectedStatus(method, o.value, self, site, csrf, auth)
						name := fmt.Sprintf("%s with %s, Sec-Fetch-Site %q, X-CSRF %v, auth %s is %d",
							method, o.name, site, csrf, auth, want)
						t.Run(name, func(t *testing.T) {
							req, _ := http.NewRequest(method, s.url+"/api/user", nil)
							if method == http.MethodPut {
								req, _ = http.NewRequest(method, s.url+"/api/user", strings.NewReader(`{"bio":"csrf test"}`))
								req.Header.Set("Content-Type", "application/json")
							}
							if o.value != "" {
								req.Header.Set("Origin", o.value)
							}
							if site != "" {
								req.Header.Set("Sec-Fetch-Site", site)
							}
							if csrf {
								req.Header.Set("X-CSRF", "1")
							}
							switch auth {
							case "cookie":
								req.Header.Set("Cookie", cookie)
							case "bearer":
								req.Header.Set("Authorization", "Bearer "+access)
							}
							resp, err := http.DefaultClient.Do(req)
							if err != nil {
								t.Fatal(err)
							}
							resp.Body.Close()
							if resp.StatusCode != want {
								t.Fatalf("status %d, want %d", resp.StatusCode, want)
							}
						})
					}
				}
			}
		}
	}
}

// expectedStatus is the contract's rule for one row of the matrix.
func expectedStatus(method, origin, self, site string, csrf bool, auth string) int {
	if method != http.MethodGet {
		switch {
		case origin == "null" || (origin != "" && origin != self && origin != allowedOrigin):
			return http.StatusForbidden
		case origin == "" && site == "cross-site":
			return http.StatusForbidden
		case auth == "cookie" && !csrf:
			return http.StatusForbidden
		}
	}
	if auth == "none" {
		return http.StatusUnauthorized
	}
	return http.StatusOK
}

func TestCORSOnlyForAllowedOrigins(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{origins: []string{allowedOrigin}})
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, s.url+"/api/user", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "PUT")
		req.Header.Set("Access-Control-Request-Headers", "content-type,x-csrf")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	ok := preflight(allowedOrigin)
	if ok.Header.Get("Access-Control-Allow-Origin") != allowedOrigin || ok.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("allowed preflight: %d %v", ok.StatusCode, ok.Header)
	}
	for _, h := range []string{"Content-Type", "Authorization", "X-CSRF", "X-Request-ID"} {
		if !strings.Contains(strings.ToLower(ok.Header.Get("Access-Control-Allow-Headers")), strings.ToLower(h)) {
			t.Errorf("preflight does not allow %s: %q", h, ok.Header.Get("Access-Control-Allow-Headers"))
		}
	}
	if bad := preflight("http://evil.example.test"); bad.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("a foreign origin got CORS: %v", bad.Header)
	}
	// Error answers carry the CORS headers too, so the app can read the message.
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/user", nil)
	req.Header.Set("Origin", allowedOrigin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Access-Control-Allow-Origin") != allowedOrigin {
		t.Fatalf("401 without CORS headers: %d %v", resp.StatusCode, resp.Header)
	}
	if !strings.Contains(resp.Header.Get("Vary"), "Origin") {
		t.Fatalf("Vary lacks Origin: %q", resp.Header.Get("Vary"))
	}
}

func TestNoCORSHeadersWithoutAllowedOrigins(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/user", nil)
	req.Header.Set("Origin", "http://anything.example.test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if v := resp.Header.Get("Access-Control-Allow-Origin"); v != "" {
		t.Fatalf("Access-Control-Allow-Origin = %q with no ALLOWED_ORIGINS", v)
	}
}

func TestCSRFRefusalsAreLoggedUnderTheirRoute(t *testing.T) {
	t.Parallel()
	s := newStack(t, stackOpts{})
	a := s.newClient().do(http.MethodPost, "/api/mentorship_relation/send_request", `{}`, "Origin", "http://evil.example.test")
	if a.Status != http.StatusForbidden {
		t.Fatalf("forged POST: %d %s", a.Status, a.Body)
	}
	if !strings.Contains(s.logs.String(), `"route":"/api/mentorship_relation/send_request","status":403`) {
		t.Fatalf("the refusal is not logged under its route:\n%s", s.logs.String())
	}
}
