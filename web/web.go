// Package web embeds the demo client: a small page in plain HTML and JavaScript (no build step) that uses the
// BFF exactly as the React app should, with fetch(..., {credentials: 'include', headers: {'X-CSRF': '1'}}).
// Demo mode serves it at "/".
package web

import (
	"embed"
	"io/fs"
)

//go:embed demo
var files embed.FS

// Demo is the demo client's files, index.html at the root.
func Demo() fs.FS {
	sub, err := fs.Sub(files, "demo")
	if err != nil {
		panic(err) // "demo" is embedded above; this cannot fail
	}
	return sub
}
