// Package e2e holds the end-to-end tests: the real binaries built from this tree, started as processes on
// loopback, killed and restarted, and driven over HTTP (and in headless Chromium) the way users drive them.
package e2e
