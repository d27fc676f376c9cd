package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery.
const (
	HeaderSignature  = "Otop-Signature"
	HeaderEvent      = "Otop-Event"
	HeaderEventID    = "Otop-Event-Id"
	HeaderDeliveryID = "Otop-Delivery-Id"
)

// SecretPrefix starts every endpoint secret, so that one found in a log or
// a repository is recognisable.
const SecretPrefix = "whsec_"

// NewSecret returns a new endpoint secret: 32 random bytes, base64url.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Sign returns the Otop-Signature header of body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the
// whole secret>". The timestamp is signed too, so that a captured delivery
// cannot be replayed later with a fresh one.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + signature(secret, ts, body)
}

func signature(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Errors of Verify.
var (
	ErrBadSignatureHeader = errors.New("webhook: malformed signature header")
	ErrSignatureMismatch  = errors.New("webhook: no signature matches")
	ErrSignatureTooOld    = errors.New("webhook: timestamp outside the tolerance")
)

// Verify checks a delivery as a receiver should: header is the
// Otop-Signature header, body the raw body as received, now the
// receiver's clock. The signed timestamp must lie within tolerance of now
// (5 minutes is usual), and one v1 signature must match (compared in
// constant time).
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrBadSignatureHeader
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrBadSignatureHeader
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrSignatureTooOld
	}
	want := []byte(signature(secret, ts, body))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}
