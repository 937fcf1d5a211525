package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/google/pprof/profile"
)

// A piece is one part of the work a request costs, known by the functions that do it.
type piece struct {
	name  string
	funcs *regexp.Regexp
	// own marks the BFF's own work: what the floor (bench/floor) does not do at all.
	own bool
}

const bff = `github\.com/anitab-org/bridge-in-tech-bff/`

// ledgerPieces is the cost ledger's partition of the BFF's CPU time, in the order a frame is tested against them. A
// sample belongs to the piece of its innermost frame that matches one (a middleware calls the next one inside
// itself, so its own cost is what is not inside an inner piece); a sample with no such frame is the server's
// (fasthttp and Fiber: reading requests, routing, writing answers) or, outside any request, the runtime's.
func ledgerPieces() []piece {
	return []piece{
		{name: "revocation check (Mirror look-up)", funcs: regexp.MustCompile(`^` + bff + `revocation\.`), own: true},
		{name: "cookie open (AES-GCM, the cookie's layout)", funcs: regexp.MustCompile(`^` + bff + `((session|secret)\.|handlers\.(findCookie|validCookieValue|\(\*Server\)\.(sessionCookie|hasCookie))\b)|^main\.open$`)},
		{name: "session resolver beyond the cookie open", funcs: regexp.MustCompile(`^` + bff + `(authn\.|handlers\.\(\*Server\)\.(authRequest|resolve|settle|refuse|writeSession|clearSession)\b)`), own: true},
		{name: "request id", funcs: regexp.MustCompile(`^` + bff + `handlers\.(\(\*Server\)\.requestID|newRequestID|validRequestID|requestIDOf)\b|^math/rand/v2\.`), own: true},
		{name: "metrics", funcs: regexp.MustCompile(`^` + bff + `metrics\.|^github\.com/prometheus/`), own: true},
		{name: "access log path", funcs: regexp.MustCompile(`^log/slog\.`), own: true},
		{name: "observe middleware (route label, timing; feeds metrics and log)", funcs: regexp.MustCompile(`^` + bff + `handlers\.(\(\*Server\)\.observe|methodLabel|isKnownRoute|routeOf)\b`), own: true},
		{name: "disconnect watch", funcs: regexp.MustCompile(`^` + bff + `(handlers\.\(\*Server\)\.watchClient\b|internal/disconnect\.)`), own: true},
		{name: "CSRF gate", funcs: regexp.MustCompile(`^` + bff + `handlers\.\(\*Server\)\.(csrf|originAllowed|scheme)\b`), own: true},
		{name: "CORS", funcs: regexp.MustCompile(`^github\.com/gofiber/fiber/v2/middleware/cors\.`), own: true},
		{name: "body gate", funcs: regexp.MustCompile(`^` + bff + `handlers\.(\(\*Server\)\.(gateBody|refuseBody)|readBody|ambiguousFraming|expectVerdict|bodyEncoded)\b`), own: true},
		{name: "security headers", funcs: regexp.MustCompile(`^` + bff + `handlers\.(\(\*Server\)\.apiHeaders|setAPIHeaders)\b`), own: true},
		{name: "panic guard", funcs: regexp.MustCompile(`^` + bff + `handlers\.\(\*Server\)\.recoverPanics\b`), own: true},
		{name: "circuit breaker", funcs: regexp.MustCompile(`^github\.com/sony/gobreaker/`), own: true},
		{name: "account binding (bit.AccountOfUser, the bound cache)", funcs: regexp.MustCompile(`^` + bff + `(bit\.|handlers\.\(\*Server\)\.(bindAccount|afterAccountCall)\b)`), own: true},
		{name: "MS call (msclient and fasthttp's client, its socket)", funcs: regexp.MustCompile(`^` + bff + `msclient\.|^github\.com/valyala/fasthttp\.\(\*HostClient\)`)},
		{name: "forwarding handler (MS path, answer pass-through)", funcs: regexp.MustCompile(`^` + bff + `handlers\.|^main\.run\.func`)},
	}
}

const (
	serverPiece  = "server: fasthttp and Fiber outside the pieces (read request, route, write answer, sockets)"
	runtimePiece = "runtime outside requests (GC workers, scheduler, timers)"
)

// attribution is one profile's CPU time split over the pieces.
type attribution struct {
	pieces []piece
	total  int64            // CPU nanoseconds in the profile
	byName map[string]int64 // piece name (or serverPiece/runtimePiece) → CPU nanoseconds
}

// attribute splits p's CPU samples over pieces by the innermost matching frame.
func attribute(p *profile.Profile) (attribution, error) {
	vi := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			vi = i
		}
	}
	if vi < 0 {
		return attribution{}, errors.New("not a CPU profile (no cpu/nanoseconds sample type)")
	}
	a := attribution{pieces: ledgerPieces(), byName: map[string]int64{}}
	for _, s := range p.Sample {
		v := s.Value[vi]
		a.total += v
		a.byName[pieceOf(a.pieces, s)] += v
	}
	return a, nil
}

// pieceOf names the piece a sample's stack belongs to. Locations run from the leaf outwards; an inlined call's
// Lines run from the innermost function outwards too.
func pieceOf(pieces []piece, s *profile.Sample) string {
	inServer := false
	for _, loc := range s.Location {
		for _, ln := range loc.Line {
			if ln.Function == nil {
				continue
			}
			name := ln.Function.Name
			for _, pc := range pieces {
				if pc.funcs.MatchString(name) {
					return pc.name
				}
			}
			if strings.HasPrefix(name, "github.com/valyala/fasthttp.") || strings.HasPrefix(name, "github.com/gofiber/fiber/") {
				inServer = true
			}
		}
	}
	if inServer {
		return serverPiece
	}
	return runtimePiece
}

// attributeCmd prints the split of a CPU profile as a Markdown table; with -us, the CPU microseconds a request
// costs (measured beside the profile), each piece's share is also given in microseconds per request.
func attributeCmd(args []string) error {
	fs := flag.NewFlagSet("attribute", flag.ExitOnError)
	path := fs.String("profile", "", "CPU profile (pprof format)")
	us := fs.Float64("us", 0, "the process's CPU µs per request while the profile was taken (0: shares only)")
	gap := fs.Float64("gap", 0, "the CPU µs per request by which the BFF exceeds the floor (0: no gap column)")
	floor := fs.String("floor", "", "a CPU profile of bench/floor under the same load: compare piece by piece")
	floorUS := fs.Float64("floor-us", 0, "the floor's CPU µs per request while its profile was taken (with -floor)")
	_ = fs.Parse(args)
	a, err := attributeFile(*path)
	if err != nil {
		return err
	}
	if *floor == "" {
		return a.write(os.Stdout, *us, *gap)
	}
	if *us <= 0 || *floorUS <= 0 {
		return errors.New("attribute: -floor needs -us and -floor-us")
	}
	fl, err := attributeFile(*floor)
	if err != nil {
		return err
	}
	return a.compare(os.Stdout, *us, fl, *floorUS)
}

func attributeFile(path string) (attribution, error) {
	f, err := os.Open(path)
	if err != nil {
		return attribution{}, fmt.Errorf("attribute: %w", err)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return attribution{}, fmt.Errorf("attribute: parse %s: %w", path, err)
	}
	a, err := attribute(p)
	if err != nil {
		return attribution{}, fmt.Errorf("attribute: %s: %w", path, err)
	}
	return a, nil
}

// compare prints, piece by piece, the µs per request of the BFF (a, us of CPU per request) and of the floor (fl,
// flUS), and the difference: where the BFF's extra CPU per request goes.
func (a attribution) compare(w io.Writer, us float64, fl attribution, flUS float64) error {
	if a.total == 0 || fl.total == 0 {
		return errors.New("attribute: a profile has no samples")
	}
	per := func(x attribution, perReq float64, name string) float64 {
		return perReq * float64(x.byName[name]) / float64(x.total)
	}
	var b strings.Builder
	b.WriteString("| piece | BFF µs per request | floor µs per request | BFF − floor, µs | share of the difference |\n|---|---:|---:|---:|---:|\n")
	names := make([]string, 0, len(a.pieces)+2)
	for _, pc := range a.pieces {
		names = append(names, pc.name)
	}
	names = append(names, serverPiece, runtimePiece)
	diff := us - flUS
	for _, n := range names {
		x, y := per(a, us, n), per(fl, flUS, n)
		fmt.Fprintf(&b, "| %s | %.2f | %.2f | %+.2f |", n, x, y, x-y)
		if diff > 0 {
			fmt.Fprintf(&b, " %.0f %% |\n", 100*(x-y)/diff)
		} else {
			b.WriteString(" – |\n")
		}
	}
	fmt.Fprintf(&b, "| **total CPU per request** | **%.2f** | **%.2f** | **%+.2f** | 100 %% |\n", us, flUS, diff)
	_, err := io.WriteString(w, b.String())
	return err
}

// write prints the table: the pieces in ledger order, then the server and the runtime, then the sum of the BFF's
// own work.
func (a attribution) write(w io.Writer, us, gap float64) error {
	if a.total == 0 {
		return errors.New("attribute: the profile has no samples")
	}
	share := func(v int64) float64 { return float64(v) / float64(a.total) }
	var b strings.Builder
	fmt.Fprintf(&b, "| piece | CPU samples, s | share of the BFF's CPU |")
	if us > 0 {
		b.WriteString(" µs per request |")
	}
	if gap > 0 {
		b.WriteString(" share of the A−F gap |")
	}
	b.WriteString("\n|---|---:|---:|")
	if us > 0 {
		b.WriteString("---:|")
	}
	if gap > 0 {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	row := func(name string, v int64, own bool) {
		mark := ""
		if own {
			mark = " (own)"
		}
		fmt.Fprintf(&b, "| %s%s | %.2f | %.1f %% |", name, mark, float64(v)/1e9, 100*share(v))
		if us > 0 {
			fmt.Fprintf(&b, " %.2f |", us*share(v))
		}
		if gap > 0 {
			if own {
				fmt.Fprintf(&b, " %.0f %% |", 100*us*share(v)/gap)
			} else {
				b.WriteString(" – |")
			}
		}
		b.WriteString("\n")
	}
	var own int64
	for _, pc := range a.pieces {
		v := a.byName[pc.name]
		row(pc.name, v, pc.own)
		if pc.own {
			own += v
		}
	}
	row(serverPiece, a.byName[serverPiece], false)
	row(runtimePiece, a.byName[runtimePiece], false)
	fmt.Fprintf(&b, "| **the BFF's own work (rows marked own)** | %.2f | **%.1f %%** |", float64(own)/1e9, 100*share(own))
	if us > 0 {
		fmt.Fprintf(&b, " **%.2f** |", us*share(own))
	}
	if gap > 0 {
		fmt.Fprintf(&b, " %.0f %% |", 100*us*share(own)/gap)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
