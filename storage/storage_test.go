package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/testenv"
)

func httpGet(t *testing.T, url string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestPutGetRemoveAndPublicAccess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := testenv.Store(t)
	if err := store.EnsureBucket(ctx); err != nil { // idempotent, sets the policy
		t.Fatalf("EnsureBucket: %v", err)
	}
	public, private := "public/products/p1/i1/w200.jpg", "originals/p1/i1.jpg"
	for _, k := range []string{public, private} {
		if err := store.Put(ctx, k, "image/jpeg", []byte("bytes of "+k)); err != nil {
			t.Fatalf("Put %s: %v", k, err)
		}
	}
	got, err := store.Get(ctx, private, 1<<20)
	if err != nil || string(got) != "bytes of "+private {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if code := httpGet(t, store.URL(public)); code != http.StatusOK {
		t.Errorf("anonymous GET of a variant = %d, want 200", code)
	}
	if code := httpGet(t, store.URL(private)); code != http.StatusForbidden {
		t.Errorf("anonymous GET of an original = %d, want 403", code)
	}
	if _, err := store.Get(ctx, private, 3); !errors.Is(err, errs.ErrTooLarge) {
		t.Errorf("Get over the limit = %v, want ErrTooLarge", err)
	}
	if _, err := store.Get(ctx, "originals/none.jpg", 10); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("Get of a missing object = %v, want ErrNotFound", err)
	}
	var keys []string
	if err := store.List(ctx, "", func(key string, _ time.Time) error { keys = append(keys, key); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{private, public}) {
		t.Errorf("List = %v", keys)
	}
	if err := store.Remove(ctx, public, private, "never/existed"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := store.Get(ctx, public, 100); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("removed object still there: %v", err)
	}
}

func postForm(t *testing.T, url string, fields map[string]string, contentType string, data []byte) int {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	_ = w.WriteField("Content-Type", contentType)
	fw, err := w.CreateFormFile("file", "photo.jpg")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = w.Close()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Logf("POST %s (%s, %d bytes): %d %s", url, contentType, len(data), resp.StatusCode, msg)
	}
	return resp.StatusCode
}

func TestPresignedPostEnforcesItsPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := testenv.Store(t)
	key := "uploads/p1/u1"
	url, fields, err := store.PresignedPost(ctx, key, 1, 1000, time.Now().Add(5*time.Minute))
	if err != nil {
		t.Fatalf("PresignedPost: %v", err)
	}
	tests := []struct {
		name        string
		contentType string
		size        int
		ok          bool
	}{
		{"too large", "image/jpeg", 1001, false},
		{"not an image type", "text/plain", 10, false},
		{"within the policy", "image/jpeg", 500, true},
	}
	for _, tt := range tests {
		code := postForm(t, url, fields, tt.contentType, bytes.Repeat([]byte{0xAB}, tt.size))
		if (code/100 == 2) != tt.ok {
			t.Errorf("%s: status %d, want success=%v", tt.name, code, tt.ok)
		}
	}
	got, err := store.Get(ctx, key, 1000)
	if err != nil || len(got) != 500 {
		t.Fatalf("uploaded object = %d bytes, %v", len(got), err)
	}

	// Another key than the signed one is refused.
	other := map[string]string{}
	for k, v := range fields {
		other[k] = v
	}
	other["key"] = "public/evil.html"
	if code := postForm(t, url, other, "image/jpeg", []byte("x")); code/100 == 2 {
		t.Errorf("upload to another key accepted: %d", code)
	}
}
