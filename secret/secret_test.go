package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	const raw = "eyJhbGciOiJIUzI1NiJ9.super-secret-token"
	s := String(raw)
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	logger.Info("login", "token", s, "group", slog.GroupValue(slog.Any("inner", s)))
	text := slog.New(slog.NewTextHandler(&buf, nil))
	text.Info("login", "token", s)
	j, err := json.Marshal(map[string]any{"t": s})
	if err != nil {
		t.Fatal(err)
	}
	outs := []string{
		buf.String(), string(j),
		fmt.Sprint(s), fmt.Sprintf("%s %v %+v %#v %q %x %X %d", s, s, s, s, s, s, s, s),
		fmt.Sprintf("%v", struct{ T String }{s}), fmt.Sprintf("%+v", &struct{ T String }{s}),
		fmt.Errorf("wrapped: %w", fmt.Errorf("token %v", s)).Error(),
	}
	for _, out := range outs {
		if strings.Contains(out, raw) || strings.Contains(out, "super-secret") {
			t.Errorf("secret leaked in %q", out)
		}
		if !strings.Contains(out, Redacted) {
			t.Errorf("redaction marker missing in %q", out)
		}
	}
	if s.Reveal() != raw {
		t.Fatalf("Reveal() = %q", s.Reveal())
	}
}
