package main

import (
	"bytes"
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// dockerBuildLine is the Dockerfile's `RUN ... go build ...` line, without RUN, and its output path.
func dockerBuildLine(t *testing.T) (cmdline, output string) {
	t.Helper()
	df, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var froms []string
	var user string
	for _, line := range strings.Split(string(df), "\n") {
		switch fields := strings.Fields(line); {
		case len(fields) == 0:
		case fields[0] == "FROM":
			froms = append(froms, line)
		case fields[0] == "USER":
			user = fields[1]
		case fields[0] == "RUN" && strings.Contains(line, "go build"):
			cmdline = strings.TrimSpace(strings.TrimPrefix(line, "RUN"))
		}
	}
	if len(froms) < 2 {
		t.Errorf("the Dockerfile is not multi-stage: %q", froms)
	}
	if last := froms[len(froms)-1]; !strings.Contains(last, "distroless/static") && !strings.Contains(last, "FROM scratch") {
		t.Errorf("the final stage is neither distroless/static nor scratch: %s", last)
	}
	if user == "" || strings.HasPrefix(user, "root") || strings.HasPrefix(user, "0") {
		t.Errorf("the image runs as %q, not as an unprivileged user", user)
	}
	m := regexp.MustCompile(`-o (\S+)`).FindStringSubmatch(cmdline)
	if m == nil || !strings.Contains(cmdline, "CGO_ENABLED=0") {
		t.Fatalf("the Dockerfile's go build line %q must set CGO_ENABLED=0 and name its output with -o", cmdline)
	}
	if !strings.Contains(string(df), "COPY --from=build "+m[1]+" ") {
		t.Errorf("the final stage does not copy the built %s", m[1])
	}
	return cmdline, m[1]
}

// TestDockerfileBuildGivesStaticBinariesThatAnswerHelp runs the Dockerfile's own `go build` line (no Docker
// engine needed), for the BFF as written and for cmd/msemu with the same flags, then checks each binary is
// statically linked (no ELF interpreter, no shared libraries) and that -h prints its usage and exits 0.
func TestDockerfileBuildGivesStaticBinariesThatAnswerHelp(t *testing.T) {
	t.Parallel()
	cmdline, output := dockerBuildLine(t)
	dir := t.TempDir()
	env, argv := splitBuildLine(t, cmdline)
	if len(argv) < 3 || argv[0] != "go" || argv[1] != "build" || argv[len(argv)-1] != "." {
		t.Fatalf("the Dockerfile's build line %q is not `go build ... .`", cmdline)
	}
	cases := []struct {
		name, pkg, bin, usage string
	}{
		{"the BFF", ".", "bridge-in-tech-bff", "Usage: bridge-in-tech-bff"},
		{"the emulator", "./cmd/msemu", "msemu", "Usage: msemu"},
	}
	for _, tc := range cases {
		t.Run(tc.name+" builds static and answers -h with its usage and exit 0", func(t *testing.T) {
			bin := filepath.Join(dir, tc.bin)
			args := append([]string{}, argv[1:len(argv)-1]...)
			for i := range args {
				if args[i] == output {
					args[i] = bin
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			build := exec.CommandContext(ctx, "go", append(args, tc.pkg)...)
			build.Env = append(os.Environ(), env...)
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("%s go %s: %v\n%s", strings.Join(env, " "), strings.Join(append(args, tc.pkg), " "), err, out)
			}
			if dyn := dynamicLinking(t, bin); len(dyn) > 0 {
				t.Errorf("%s is not static: %v", bin, dyn)
			}
			var stdout, stderr bytes.Buffer
			help := exec.CommandContext(ctx, bin, "-h")
			help.Stdout, help.Stderr = &stdout, &stderr
			if err := help.Run(); err != nil {
				t.Fatalf("%s -h: %v\nstdout: %s\nstderr: %s", bin, err, stdout.String(), stderr.String())
			}
			if !strings.HasPrefix(stdout.String(), tc.usage) {
				t.Errorf("%s -h printed %q on stdout", bin, stdout.String())
			}
		})
	}
}

// splitBuildLine splits a shell command line of the simple form the Dockerfile uses into its leading VAR=value
// assignments and its words; double quotes group, and anything that needs a real shell ($, `, ', \, ;, |, &)
// fails the test rather than being run differently from how docker would run it.
func splitBuildLine(t *testing.T, line string) (env, argv []string) {
	t.Helper()
	if strings.ContainsAny(line, "$`'\\;|&<>") {
		t.Fatalf("the build line %q needs a shell; keep it to words, double quotes and VAR=value", line)
	}
	var word strings.Builder
	inWord, quoted := false, false
	for _, r := range line + " " {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				argv = append(argv, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quotes in %q", line)
	}
	for len(argv) > 0 && regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`).MatchString(argv[0]) {
		env, argv = append(env, argv[0]), argv[1:]
	}
	return env, argv
}

// dynamicLinking lists what makes an ELF binary depend on the system at run time: an interpreter (ld.so) and
// shared libraries. A static binary, as distroless/static and scratch need, has neither.
func dynamicLinking(t *testing.T, path string) []string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var found []string
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			found = append(found, "an ELF interpreter")
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	return append(found, libs...)
}

// TestDynamicLinkingIsNoticed shows the static check can fail: the system's own shell is dynamically linked.
func TestDynamicLinkingIsNoticed(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	if real, err := filepath.EvalSymlinks(sh); err == nil {
		sh = real
	}
	if dyn := dynamicLinking(t, sh); len(dyn) == 0 {
		t.Fatalf("%s reads as static", sh)
	}
}
