//go:build unix

package disconnect

import (
	"errors"
	"syscall"
)

// peek looks at the socket without consuming: closed reports end of stream or an error (the client is gone),
// end reports whether the watch is over (false: nothing to read yet, wait for readiness).
func peek(fd uintptr) (closed, end bool) {
	var b [1]byte
	for {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EAGAIN):
			return false, false
		case err != nil: // reset, or any other socket error: the connection is unusable
			return true, true
		case n == 0: // orderly shutdown from the peer
			return true, true
		default: // bytes of a pipelined request: the client is still there
			return false, true
		}
	}
}
