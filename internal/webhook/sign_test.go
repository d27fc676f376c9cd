package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/webhook"
)

// receiverCheck verifies a signature header the way the README tells a
// receiver to, without the package's Verify: split t and v1, HMAC-SHA256
// of "<t>.<body>" keyed by the whole secret, hex, constant-time compare.
func receiverCheck(secret, header string, body []byte) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	return hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(sig))
}

func TestASignatureVerifiesOnlyForItsBodyTimestampAndSecret(t *testing.T) {
	secret, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, webhook.SecretPrefix) || len(secret) != len(webhook.SecretPrefix)+43 {
		t.Fatalf("secret %q is not whsec_ and 32 bytes in base64url", secret)
	}
	at := time.Date(2026, 5, 1, 3, 4, 5, 0, time.UTC)
	body := []byte(`{"id":"e1","type":"order.placed","data":{"total":1200}}`)
	header := webhook.Sign(secret, at, body)
	if !strings.HasPrefix(header, "t="+strconv.FormatInt(at.Unix(), 10)+",v1=") {
		t.Fatalf("header %q does not start with the timestamp", header)
	}
	if !receiverCheck(secret, header, body) {
		t.Fatalf("a receiver's own check refuses %q", header)
	}
	if err := webhook.Verify(secret, header, body, at.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	sig := strings.TrimPrefix(header, "t="+ts+",v1=")
	cases := []struct {
		name           string
		secret, header string
		body           []byte
		now            time.Time
		want           error
	}{
		{"a changed body", secret, header, []byte(`{"id":"e1","type":"order.placed","data":{"total":1}}`), at, webhook.ErrSignatureMismatch},
		{"a changed timestamp", secret, "t=" + strconv.FormatInt(at.Unix()+1, 10) + ",v1=" + sig, body, at, webhook.ErrSignatureMismatch},
		{"another secret", secret + "x", header, body, at, webhook.ErrSignatureMismatch},
		{"too old", secret, header, body, at.Add(6 * time.Minute), webhook.ErrSignatureTooOld},
		{"from the future", secret, header, body, at.Add(-6 * time.Minute), webhook.ErrSignatureTooOld},
		{"no signature", secret, "t=" + ts, body, at, webhook.ErrBadSignatureHeader},
		{"no timestamp", secret, "v1=" + sig, body, at, webhook.ErrBadSignatureHeader},
		{"garbage", secret, "nonsense", body, at, webhook.ErrBadSignatureHeader},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := webhook.Verify(c.secret, c.header, c.body, c.now, 5*time.Minute); !errors.Is(err, c.want) {
				t.Errorf("Verify = %v, want %v", err, c.want)
			}
			if errors.Is(c.want, webhook.ErrSignatureMismatch) && receiverCheck(c.secret, c.header, c.body) {
				t.Errorf("a receiver's own check accepts it")
			}
		})
	}
	t.Run("one of several v1 signatures matches (secret rotation)", func(t *testing.T) {
		h := "t=" + ts + ",v1=" + strings.Repeat("0", 64) + ",v1=" + sig
		if err := webhook.Verify(secret, h, body, at, time.Minute); err != nil {
			t.Errorf("Verify = %v", err)
		}
	})
}
