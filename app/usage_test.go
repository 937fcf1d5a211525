package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestHelpPrintsUsageAndSucceeds: -h, -help and --help print the usage with every flag on stdout and return
// nil (main then exits 0); nothing is started and stderr stays empty.
func TestHelpPrintsUsageAndSucceeds(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"-h", "-help", "--help"} {
		t.Run(arg+" prints the usage on stdout", func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := Run(context.Background(), Options{Args: []string{arg}, Stdout: &stdout, Stderr: &stderr})
			if err != nil {
				t.Fatalf("Run(%s) = %v", arg, err)
			}
			for _, want := range []string{"Usage: bridge-in-tech-bff", "-demo", "-check-config", "-demo-load-users", "docs/CONFIGURATION.md"} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("usage lacks %q:\n%s", want, stdout.String())
				}
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr is not empty: %q", stderr.String())
			}
		})
	}
	t.Run("an unknown flag prints the usage on stderr and fails", func(t *testing.T) {
		t.Parallel()
		var stdout, stderr bytes.Buffer
		err := Run(context.Background(), Options{Args: []string{"-nope"}, Stdout: &stdout, Stderr: &stderr})
		if err == nil || !strings.Contains(stderr.String(), "Usage: bridge-in-tech-bff") || stdout.Len() != 0 {
			t.Fatalf("err %v, stdout %q, stderr %q", err, stdout.String(), stderr.String())
		}
	})
}
