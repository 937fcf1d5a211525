package storeopen

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, url  string
		kind       Kind
		target     string
		errPart    string
		notInError string
	}{
		{"a postgres URL is PostgreSQL", "postgres://u:p@db:5432/bit", Postgres, "postgres://u:p@db:5432/bit", "", ""},
		{"a postgresql URL (Heroku's older form) is PostgreSQL", "postgresql://u@h/d?sslmode=require", Postgres, "postgresql://u@h/d?sslmode=require", "", ""},
		{"the scheme's case does not matter", "POSTGRES://h/d", Postgres, "POSTGRES://h/d", "", ""},
		{"a plain path is an SQLite file", "/var/lib/bit/bit.db", SQLite, "/var/lib/bit/bit.db", "", ""},
		{"a relative path is an SQLite file", "bit.db", SQLite, "bit.db", "", ""},
		{"sqlite: names a file", "sqlite:data/bit.db", SQLite, "data/bit.db", "", ""},
		{"sqlite:// names a file", "sqlite:///tmp/bit.db", SQLite, "/tmp/bit.db", "", ""},
		{"a file: URI is passed as is", "file:bit.db?cache=private", SQLite, "file:bit.db?cache=private", "", ""},
		{"an empty URL is refused", "", "", "", "empty", ""},
		{"sqlite: without a file is refused", "sqlite:", "", "", "names no file", ""},
		{"another scheme is refused without quoting the URL", "mysql://root:hunter2@db/bit", "", "", `"mysql"`, "hunter2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind, target, err := Parse(tc.url)
			if tc.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errPart) {
					t.Fatalf("err = %v, want one containing %q", err, tc.errPart)
				}
				if tc.notInError != "" && strings.Contains(err.Error(), tc.notInError) {
					t.Errorf("error %q shows %q", err, tc.notInError)
				}
				return
			}
			if err != nil || kind != tc.kind || target != tc.target {
				t.Errorf("got %s %q %v, want %s %q", kind, target, err, tc.kind, tc.target)
			}
		})
	}
}

func TestOpenSQLiteFileWorks(t *testing.T) {
	s, kind, err := Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "bit.db"))
	if err != nil || kind != SQLite {
		t.Fatalf("kind %s, err %v", kind, err)
	}
	defer func() { _ = s.Close() }()
	if _, err := s.PutAdditionalInfo(t.Context(), bit.AdditionalInfo{UserID: 1, Timezone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestOpenPostgresWithNoServerIsUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, kind, err := Open(ctx, "postgres://u:pw@"+addr+"/bit?sslmode=disable")
	if kind != Postgres || !errors.Is(err, bit.ErrUnavailable) {
		t.Errorf("kind %s, err %v; want postgres and ErrUnavailable", kind, err)
	}
}

func TestCheckStopsOnlyMalformedURLs(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		ok        bool
	}{
		{"a well-formed URL of a server that is not there passes", "postgres://u:hunter2@127.0.0.1:1/bit?sslmode=disable", true},
		{"an SQLite path passes", "sqlite:bit.db", true},
		{"a port that is not a number is refused", "postgres://u:hunter2@db:notaport/bit", false},
		{"an unknown sslmode is refused", "postgres://u:hunter2@db/bit?sslmode=sometimes", false},
		{"another scheme is refused", "mysql://u:hunter2@db/bit", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.url)
			if (err == nil) != tc.ok {
				t.Fatalf("Check = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}
