package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// stackProfile builds a CPU profile with one sample per stack (leaf first), each worth ns nanoseconds.
func stackProfile(t *testing.T, ns int64, stacks ...[]string) *profile.Profile {
	t.Helper()
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}}}
	funcs := map[string]*profile.Function{}
	for _, st := range stacks {
		s := &profile.Sample{Value: []int64{1, ns}}
		for _, name := range st {
			f := funcs[name]
			if f == nil {
				f = &profile.Function{ID: uint64(len(funcs) + 1), Name: name}
				funcs[name] = f
				p.Function = append(p.Function, f)
			}
			loc := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: f}}}
			p.Location = append(p.Location, loc)
			s.Location = append(s.Location, loc)
		}
		p.Sample = append(p.Sample, s)
	}
	if err := p.CheckValid(); err != nil {
		t.Fatalf("test profile: %v", err)
	}
	return p
}

const (
	fServe   = "github.com/valyala/fasthttp.(*Server).serveConn"
	fNext    = "github.com/gofiber/fiber/v2.(*Ctx).Next"
	fReqID   = "github.com/anitab-org/bridge-in-tech-bff/handlers.(*Server).requestID"
	fObserve = "github.com/anitab-org/bridge-in-tech-bff/handlers.(*Server).observe"
	fForward = "github.com/anitab-org/bridge-in-tech-bff/handlers.(*Server).forward.func1"
	fMSDo    = "github.com/anitab-org/bridge-in-tech-bff/msclient.(*Client).Do"
	fBreaker = "github.com/sony/gobreaker/v2.(*CircuitBreaker[go.shape.*uint8]).Execute"
	fMirror  = "github.com/anitab-org/bridge-in-tech-bff/revocation.(*Mirror).Revoked"
	fResolve = "github.com/anitab-org/bridge-in-tech-bff/authn.(*Resolver).Resolve"
	fOpen    = "github.com/anitab-org/bridge-in-tech-bff/session.(*Codec).Open"
	fWrite   = "syscall.write"
	fMalloc  = "runtime.mallocgc"
)

// A sample belongs to its innermost piece: a middleware's own cost excludes what runs inside the next one, a
// socket write inside the MS call is the MS call's, and what no piece holds is the server's or the runtime's.
func TestAttributeInnermostPiece(t *testing.T) {
	chain := []string{fNext, fObserve, fNext, fReqID, fNext, fServe}
	with := func(inner ...string) []string { return append(inner, chain...) }
	p := stackProfile(t, 10,
		with(fWrite, "github.com/valyala/fasthttp.(*HostClient).Do", fMSDo, fBreaker, fMSDo, fForward), // MS call
		with(fBreaker, fMSDo, fForward),                                             // the breaker's own work
		with(fMalloc, fMirror, fResolve, fForward),                                  // revocation look-up, its allocation included
		with(fOpen, fResolve, fForward),                                             // cookie open
		with(fResolve, fForward),                                                    // the resolver's own
		with("github.com/prometheus/client_golang/prometheus.(*histogram).Observe"), // metrics inside observe
		with(fMalloc),                      // observe's own allocation (innermost piece: observe)
		[]string{fReqID, fNext, fServe},    // request id's own
		[]string{fWrite, fServe},           // the server writing an answer
		[]string{"runtime.gcBgMarkWorker"}, // outside any request
	)
	a, err := attribute(p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{
		"MS call (msclient and fasthttp's client, its socket)": 10,
		"circuit breaker":                            10,
		"revocation check (Mirror look-up)":          10,
		"cookie open (AES-GCM, the cookie's layout)": 10,
		"session resolver beyond the cookie open":    10,
		"metrics": 10,
		"observe middleware (route label, timing; feeds metrics and log)": 10,
		"request id": 10,
		serverPiece:  10,
		runtimePiece: 10,
	}
	if a.total != 100 {
		t.Errorf("total %d, want 100", a.total)
	}
	for name, v := range want {
		if a.byName[name] != v {
			t.Errorf("%s: %d ns, want %d", name, a.byName[name], v)
		}
	}
	if len(a.byName) != len(want) {
		t.Errorf("pieces %v, want exactly %v", a.byName, want)
	}

	var out bytes.Buffer
	if err := a.write(&out, 50, 20); err != nil {
		t.Fatal(err)
	}
	// Own work: breaker, revocation, resolver, metrics, observe, request id = 60 % of 50 µs = 30 µs, 150 % of a
	// 20 µs gap.
	for _, s := range []string{"| request id (own) | 0.00 | 10.0 % | 5.00 | 25 % |", "| **the BFF's own work (rows marked own)** | 0.00 | **60.0 %** | **30.00** | 150 % |", "| MS call (msclient and fasthttp's client, its socket) | 0.00 | 10.0 % | 5.00 | – |"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, out.String())
		}
	}
}

// An inlined call is several Lines in one Location, innermost first: the inlined piece wins.
func TestAttributeInlinedFrames(t *testing.T) {
	p := stackProfile(t, 7, []string{fForward, fServe})
	mirror := &profile.Function{ID: 99, Name: fMirror}
	p.Function = append(p.Function, mirror)
	p.Location[0].Line = append([]profile.Line{{Function: mirror}}, p.Location[0].Line...)
	a, err := attribute(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.byName["revocation check (Mirror look-up)"]; got != 7 {
		t.Errorf("inlined Mirror look-up: %d ns, want 7 (%v)", got, a.byName)
	}
}

func TestAttributeRefusesOtherProfiles(t *testing.T) {
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "alloc_space", Unit: "bytes"}}}
	if _, err := attribute(p); err == nil {
		t.Error("a heap profile was attributed as CPU time")
	}
	var out bytes.Buffer
	if err := (attribution{}).write(&out, 1, 1); err == nil {
		t.Error("an empty profile printed a table")
	}
}

// The floor's own functions fall in the same pieces as the BFF's, so the two profiles compare piece by piece: its
// cookie open, its HostClient call, its handler closure; and the comparison's rows add up to the difference.
func TestAttributeComparesWithTheFloor(t *testing.T) {
	bffP := stackProfile(t, 10,
		[]string{fOpen, fResolve, fForward, fServe},
		[]string{fWrite, fMSDo, fForward, fServe},
		[]string{fReqID, fServe},
		[]string{fWrite, fServe},
	)
	floorP := stackProfile(t, 10,
		[]string{"main.open", "main.run.func1", fServe},
		[]string{fWrite, "github.com/valyala/fasthttp.(*HostClient).Do", "main.run.func1", fServe},
		[]string{"main.run.func1", fServe},
		[]string{fWrite, fServe},
	)
	a, err := attribute(bffP)
	if err != nil {
		t.Fatal(err)
	}
	fl, err := attribute(floorP)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int64{
		"cookie open (AES-GCM, the cookie's layout)":           10,
		"MS call (msclient and fasthttp's client, its socket)": 10,
		"forwarding handler (MS path, answer pass-through)":    10,
		serverPiece: 10,
	} {
		if fl.byName[name] != want {
			t.Errorf("floor %s: %d, want %d (%v)", name, fl.byName[name], want, fl.byName)
		}
	}
	var out bytes.Buffer
	if err := a.compare(&out, 40, fl, 30); err != nil {
		t.Fatal(err)
	}
	// BFF 40 µs in four equal parts; floor 30 µs in four equal parts (7.5 each).
	for _, s := range []string{
		"| request id | 10.00 | 0.00 | +10.00 | 100 % |",
		"| forwarding handler (MS path, answer pass-through) | 0.00 | 7.50 | -7.50 | -75 % |",
		"| cookie open (AES-GCM, the cookie's layout) | 10.00 | 7.50 | +2.50 | 25 % |",
		"| **total CPU per request** | **40.00** | **30.00** | **+10.00** | 100 % |",
	} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("comparison lacks %q:\n%s", s, out.String())
		}
	}
}
