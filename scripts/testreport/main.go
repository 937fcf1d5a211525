// Command testreport reads `go test -json` on stdin and prints the output of every failed test (and of every
// package that failed to build), so a CI log shows why without the noise of the passing ones.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func main() {
	outputs := map[string]*strings.Builder{}
	var failed []string
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			fmt.Println(sc.Text()) // build errors come as plain text
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			b := outputs[key]
			if b == nil {
				b = &strings.Builder{}
				outputs[key] = b
			}
			b.WriteString(e.Output)
		case "fail":
			failed = append(failed, key)
		}
	}
	for _, k := range failed {
		fmt.Printf("--- FAILED: %s\n", k)
		if b := outputs[k]; b != nil {
			fmt.Print(b.String())
		}
	}
}
