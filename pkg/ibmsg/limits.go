package ibmsg

import (
	"fmt"
	"io"
)

// Limits bounds what parsers accept. The zero value means the defaults.
type Limits struct {
	// MaxSectionBytes caps a decoded section (after base64 and
	// decompression) and a raw message. Default 256 MiB.
	MaxSectionBytes int64
	// MaxHeaders caps the header fields of one MIME header block. Default 1000.
	MaxHeaders int
	// MaxLineBytes caps one header line. Default 1 MiB.
	MaxLineBytes int
	// MaxDecodedBytes caps the decoded sections of one message together,
	// so that many small sections that each inflate to just under
	// MaxSectionBytes cannot add up. Default 4 × MaxSectionBytes.
	MaxDecodedBytes int64
}

// Default limits.
const (
	DefaultMaxSectionBytes = 256 << 20
	DefaultMaxHeaders      = 1000
	DefaultMaxLineBytes    = 1 << 20
)

func (l Limits) maxSection() int64 {
	if l.MaxSectionBytes > 0 {
		return l.MaxSectionBytes
	}
	return DefaultMaxSectionBytes
}

func (l Limits) maxDecoded() int64 {
	if l.MaxDecodedBytes > 0 {
		return l.MaxDecodedBytes
	}
	return 4 * l.maxSection()
}

func (l Limits) maxHeaders() int {
	if l.MaxHeaders > 0 {
		return l.MaxHeaders
	}
	return DefaultMaxHeaders
}

func (l Limits) maxLine() int {
	if l.MaxLineBytes > 0 {
		return l.MaxLineBytes
	}
	return DefaultMaxLineBytes
}

// readAllLimited reads r up to max bytes; more is ErrTooLarge.
func readAllLimited(r io.Reader, max int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrTooLarge, what, max)
	}
	return b, nil
}
