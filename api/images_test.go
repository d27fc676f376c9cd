package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/media/mediatest"
	"github.com/otopmarket/otop/storage"
)

// upload sends file as the multipart field "file".
func (a *catalogAPI) upload(t *testing.T, productID uuid.UUID, token, filename string, file []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(file)
	_ = w.Close()
	target := "/v1/products/" + productID.String() + "/images"
	req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, target, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	a.router.ServeHTTP(rec, req)
	a.assertDocumented(t, http.MethodPost, target, rec)
	return rec
}

// objects lists every key in the test's bucket.
func (a *catalogAPI) objects(t *testing.T) []string {
	t.Helper()
	var keys []string
	err := a.store.List(context.Background(), "", func(key string, _ time.Time) error { keys = append(keys, key); return nil })
	if err != nil {
		t.Fatalf("list bucket: %v", err)
	}
	slices.Sort(keys)
	return keys
}

func (a *catalogAPI) imageRows(t *testing.T, productID uuid.UUID) int {
	t.Helper()
	var n int64
	if err := a.db.Table("product_images").Where("product_id = ?", productID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func photo(seed int64) []byte { return mediatest.JPEG(mediatest.Photo(900, 600, seed), 85) }

func fetch(t *testing.T, url string) (int, []byte) {
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
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestImageUploadStoresCleanVariantsAndAPrivateOriginal(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	product := a.createProduct(t, token)

	const marker = "GPS-SECRET-18.7883N"
	phone := mediatest.WithMetadata(mediatest.WithEXIF(mediatest.JPEG(mediatest.Photo(1800, 1200, 7), 90), 6, marker), marker)
	rec := a.upload(t, product.ID, token, "IMG_0001.JPG", phone)
	if rec.Code != http.StatusCreated {
		t.Fatalf("upload = %d %s", rec.Code, rec.Body)
	}
	img := decode[imageJSON](t, rec)
	if img.Width != 1200 || img.Height != 1800 {
		t.Errorf("size = %dx%d, want 1200x1800 (EXIF orientation 6 applied)", img.Width, img.Height)
	}
	if len(img.URLs) != 2 || img.URLs["w200"] == "" || img.URLs["w800"] == "" || img.Position != 0 {
		t.Errorf("image = %+v, want variants w200 and w800", img)
	}

	// Every stored object, original included, is free of the metadata.
	keys := a.objects(t)
	if len(keys) != 3 {
		t.Fatalf("objects = %v, want the original and two variants", keys)
	}
	for _, key := range keys {
		data, err := a.store.Get(context.Background(), key, 50<<20)
		if err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{marker, "Exif\x00\x00", mediatest.XMPNamespace} {
			if bytes.Contains(data, []byte(leak)) {
				t.Errorf("%s still contains %q", key, leak)
			}
		}
	}
	// Variants are public; the original is not.
	for name, url := range img.URLs {
		if code, body := fetch(t, url); code != http.StatusOK || !bytes.HasPrefix(body, []byte{0xFF, 0xD8}) {
			t.Errorf("variant %s: GET %s = %d", name, url, code)
		}
	}
	original := slices.IndexFunc(keys, func(k string) bool { return strings.HasPrefix(k, "originals/") })
	if code, _ := fetch(t, a.store.URL(keys[original])); code != http.StatusForbidden {
		t.Errorf("anonymous GET of the original = %d, want 403", code)
	}

	// The product shows its image.
	got := decode[productJSON](t, a.do(t, http.MethodGet, "/v1/products/"+product.ID.String(), token, ""))
	if len(got.Images) != 1 || got.Images[0].ID != img.ID {
		t.Fatalf("product images = %+v", got.Images)
	}
}

func TestImageUploadRefusesBadFiles(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	product := a.createProduct(t, token)
	tests := []struct {
		name     string
		filename string
		file     []byte
		status   int
	}{
		{"text file named .jpg", "photo.jpg", []byte("this is not a photo, just text pretending\n"), http.StatusUnsupportedMediaType},
		{"SVG", "logo.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`), http.StatusUnsupportedMediaType},
		{"20000x20000 PNG", "bomb.png", mediatest.BombPNG(20000, 20000), http.StatusUnprocessableEntity},
		{"truncated JPEG", "cut.jpg", photo(1)[:4000], http.StatusUnprocessableEntity},
		{"oversized upload", "huge.jpg", append(photo(2), make([]byte, 16<<20)...), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := a.upload(t, product.ID, token, tt.filename, tt.file)
			assertProblem(t, rec, tt.status)
		})
	}
	if n := a.imageRows(t, product.ID); n != 0 {
		t.Errorf("%d image rows after refused uploads", n)
	}
	if keys := a.objects(t); len(keys) != 0 {
		t.Errorf("objects left after refused uploads: %v", keys)
	}
}

func TestImageRulesPerProduct(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	product := a.createProduct(t, token)
	base := "/v1/products/" + product.ID.String() + "/images"

	var ids []uuid.UUID
	for i := range media.MaxImagesPerProduct {
		rec := a.upload(t, product.ID, token, "p.jpg", photo(int64(100+i)))
		if rec.Code != http.StatusCreated {
			t.Fatalf("upload %d = %d %s", i+1, rec.Code, rec.Body)
		}
		ids = append(ids, decode[imageJSON](t, rec).ID)
	}
	t.Run("the same image twice is refused", func(t *testing.T) {
		rec := a.do(t, http.MethodDelete, base+"/"+ids[9].String(), token, "")
		if rec.Code != http.StatusNoContent {
			t.Fatalf("delete = %d", rec.Code)
		}
		ids = ids[:9]
		assertProblem(t, a.upload(t, product.ID, token, "again.jpg", photo(100)), http.StatusConflict)
	})
	t.Run("an eleventh image is refused", func(t *testing.T) {
		if rec := a.upload(t, product.ID, token, "p.jpg", photo(500)); rec.Code != http.StatusCreated {
			t.Fatalf("tenth upload = %d", rec.Code)
		}
		assertProblem(t, a.upload(t, product.ID, token, "p.jpg", photo(501)), http.StatusConflict)
		if n := a.imageRows(t, product.ID); n != 10 {
			t.Fatalf("rows = %d, want 10", n)
		}
	})
	t.Run("another producer cannot add, delete or reorder", func(t *testing.T) {
		other, _ := a.producer(t)
		assertProblem(t, a.upload(t, product.ID, other, "p.jpg", photo(900)), http.StatusNotFound)
		assertProblem(t, a.do(t, http.MethodDelete, base+"/"+ids[0].String(), other, ""), http.StatusNotFound)
		a.publish(t, product.ID)
		assertProblem(t, a.upload(t, product.ID, other, "p.jpg", photo(901)), http.StatusForbidden)
		assertProblem(t, a.do(t, http.MethodDelete, base+"/"+ids[0].String(), other, ""), http.StatusForbidden)
		assertProblem(t, a.do(t, http.MethodDelete, base+"/"+ids[0].String(), "", ""), http.StatusUnauthorized)
	})
	t.Run("changing the photos of a published product sends it back to review", func(t *testing.T) {
		got := decode[productJSON](t, a.do(t, http.MethodGet, "/v1/products/"+product.ID.String(), token, ""))
		if got.Status != "published" {
			t.Fatalf("status = %s", got.Status)
		}
		if rec := a.do(t, http.MethodDelete, base+"/"+ids[0].String(), token, ""); rec.Code != http.StatusNoContent {
			t.Fatalf("delete = %d", rec.Code)
		}
		got = decode[productJSON](t, a.do(t, http.MethodGet, "/v1/products/"+product.ID.String(), token, ""))
		if got.Status != "pending_review" || len(got.Images) != 9 {
			t.Fatalf("after delete: status %s, %d images", got.Status, len(got.Images))
		}
		for i, img := range got.Images {
			if img.Position != i {
				t.Fatalf("positions not compact: %+v", got.Images)
			}
		}
		ids = ids[1:]
	})
	t.Run("reorder", func(t *testing.T) {
		current := decode[productJSON](t, a.do(t, http.MethodGet, "/v1/products/"+product.ID.String(), token, ""))
		order := make([]string, 0, len(current.Images))
		for i := len(current.Images) - 1; i >= 0; i-- {
			order = append(order, `"`+current.Images[i].ID.String()+`"`)
		}
		rec := a.do(t, http.MethodPut, base+"/order", token, `{"image_ids":[`+strings.Join(order, ",")+`]}`)
		if rec.Code != http.StatusOK {
			t.Fatalf("reorder = %d %s", rec.Code, rec.Body)
		}
		list := decode[listOf[imageJSON]](t, rec)
		if list.Items[0].ID != current.Images[len(current.Images)-1].ID || list.Items[0].Position != 0 {
			t.Fatalf("first after reorder = %+v", list.Items[0])
		}
		assertProblem(t, a.do(t, http.MethodPut, base+"/order", token, `{"image_ids":[`+order[0]+`]}`), http.StatusUnprocessableEntity)
		assertProblem(t, a.do(t, http.MethodPut, base+"/order", token, `{"image_ids":[`+order[0]+`,`+order[0]+`]}`), http.StatusUnprocessableEntity)
	})
	t.Run("deleting removes the objects", func(t *testing.T) {
		before := len(a.objects(t))
		current := decode[productJSON](t, a.do(t, http.MethodGet, "/v1/products/"+product.ID.String(), token, ""))
		victim := current.Images[0]
		if rec := a.do(t, http.MethodDelete, base+"/"+victim.ID.String(), token, ""); rec.Code != http.StatusNoContent {
			t.Fatalf("delete = %d", rec.Code)
		}
		after := a.objects(t)
		if len(after) != before-3 {
			t.Fatalf("objects %d → %d, want 3 fewer", before, len(after))
		}
		for _, k := range after {
			if strings.Contains(k, victim.ID.String()) {
				t.Fatalf("object %s of the deleted image remains", k)
			}
		}
		assertProblem(t, a.do(t, http.MethodDelete, base+"/"+victim.ID.String(), token, ""), http.StatusNotFound)
	})
}

// failingPuts lets the first n object writes through and fails the rest,
// as a MinIO that dies in the middle of an upload.
type failingPuts struct {
	allowed atomic.Int64
}

func (f *failingPuts) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut && f.allowed.Add(-1) < 0 {
		return nil, errors.New("connection reset by peer")
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestMinIOFailureDuringUploadLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	faults := &failingPuts{}
	faults.allowed.Store(1 << 30)
	a := newCatalogAPI(t, func(c *storage.Config) { c.Transport = faults })
	token, _ := a.producer(t)
	product := a.createProduct(t, token)

	faults.allowed.Store(2) // the original and one variant get through, the next write fails
	rec := a.upload(t, product.ID, token, "p.jpg", mediatest.JPEG(mediatest.Photo(1700, 1000, 3), 85))
	assertProblem(t, rec, http.StatusServiceUnavailable)
	if strings.Contains(rec.Body.String(), "connection reset") {
		t.Errorf("503 leaks the internal error: %s", rec.Body)
	}
	if n := a.imageRows(t, product.ID); n != 0 {
		t.Errorf("%d image rows after a failed upload", n)
	}
	if keys := a.objects(t); len(keys) != 0 {
		t.Errorf("objects left after a failed upload: %v", keys)
	}

	faults.allowed.Store(1 << 30) // MinIO is back: the same photo goes through
	if rec := a.upload(t, product.ID, token, "p.jpg", mediatest.JPEG(mediatest.Photo(1700, 1000, 3), 85)); rec.Code != http.StatusCreated {
		t.Fatalf("upload after recovery = %d %s", rec.Code, rec.Body)
	}
}

func TestPresignedUploadFlow(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	product := a.createProduct(t, token)
	base := "/v1/products/" + product.ID.String() + "/images/uploads"

	rec := a.do(t, http.MethodPost, base, token, "")
	if rec.Code != http.StatusCreated {
		t.Fatalf("start upload = %d %s", rec.Code, rec.Body)
	}
	ticket := decode[uploadTicketJSON](t, rec)
	completeURL := ticket.CompleteURL

	assertProblem(t, a.do(t, http.MethodPost, completeURL, token, ""), http.StatusConflict) // nothing uploaded yet

	// The phone posts the file straight to MinIO.
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range ticket.Fields {
		_ = w.WriteField(k, v)
	}
	_ = w.WriteField("Content-Type", "image/jpeg")
	fw, _ := w.CreateFormFile(ticket.FileField, "IMG.JPG")
	_, _ = fw.Write(mediatest.WithEXIF(photo(42), 1, "GPS-SECRET"))
	_ = w.Close()
	req, err := http.NewRequestWithContext(context.Background(), ticket.Method, ticket.URL, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST to MinIO = %d", resp.StatusCode)
	}

	other, _ := a.producer(t)
	assertProblem(t, a.do(t, http.MethodPost, completeURL, other, ""), http.StatusNotFound)

	rec = a.do(t, http.MethodPost, completeURL, token, "")
	if rec.Code != http.StatusCreated {
		t.Fatalf("complete = %d %s", rec.Code, rec.Body)
	}
	img := decode[imageJSON](t, rec)
	if img.Width != 900 || img.Height != 600 {
		t.Fatalf("image = %+v", img)
	}
	for _, k := range a.objects(t) {
		if strings.HasPrefix(k, "uploads/") {
			t.Errorf("the upload object %s was not removed", k)
		}
	}
	assertProblem(t, a.do(t, http.MethodPost, completeURL, token, ""), http.StatusConflict) // completed already
	assertProblem(t, a.do(t, http.MethodPost, base+"/"+uuid.NewString()+"/complete", token, ""), http.StatusNotFound)
}

func TestSweepRemovesOnlyUnreferencedObjects(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	product := a.createProduct(t, token)
	if rec := a.upload(t, product.ID, token, "p.jpg", photo(9)); rec.Code != http.StatusCreated {
		t.Fatalf("upload = %d", rec.Code)
	}
	ctx := context.Background()
	strays := []string{
		fmt.Sprintf("originals/%s/%s.jpg", product.ID, uuid.New()),
		fmt.Sprintf("public/products/%s/%s/w200.jpg", product.ID, uuid.New()),
		fmt.Sprintf("uploads/%s/%s", product.ID, uuid.New()),
	}
	for _, k := range strays {
		if err := a.store.Put(ctx, k, "image/jpeg", []byte("orphan")); err != nil {
			t.Fatal(err)
		}
	}
	kept := a.objects(t)

	// With an hour's grace, nothing this young is touched.
	report, err := a.images.Sweep(ctx, a.store, time.Hour)
	if err != nil || report.Removed != 0 {
		t.Fatalf("sweep with grace = %+v, %v", report, err)
	}
	report, err = a.images.Sweep(ctx, a.store, -time.Minute)
	if err != nil || report.Removed != len(strays) {
		t.Fatalf("sweep = %+v, %v; want %d removed", report, err, len(strays))
	}
	left := a.objects(t)
	for _, k := range strays {
		if slices.Contains(left, k) {
			t.Errorf("orphan %s survived", k)
		}
	}
	if len(left) != len(kept)-len(strays) {
		t.Errorf("objects = %v, want the image's own 2 kept", left)
	}
}

// postToStore sends a file straight to MinIO with an upload ticket, as a phone does.
func postToStore(t *testing.T, ticket uploadTicketJSON, data []byte) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range ticket.Fields {
		_ = w.WriteField(k, v)
	}
	_ = w.WriteField("Content-Type", "image/jpeg")
	fw, _ := w.CreateFormFile(ticket.FileField, "IMG.JPG")
	_, _ = fw.Write(data)
	_ = w.Close()
	req, err := http.NewRequestWithContext(context.Background(), ticket.Method, ticket.URL, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST to MinIO = %d", resp.StatusCode)
	}
}

func TestUploadTicketsAreBoundedClaimedOnceAndPurged(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	product := a.createProduct(t, token)
	base := "/v1/products/" + product.ID.String() + "/images/uploads"

	tickets := make([]uploadTicketJSON, 0, media.MaxOpenUploads)
	for range media.MaxOpenUploads {
		rec := a.do(t, http.MethodPost, base, token, "")
		if rec.Code != http.StatusCreated {
			t.Fatalf("ticket %d = %d %s", len(tickets)+1, rec.Code, rec.Body)
		}
		tickets = append(tickets, decode[uploadTicketJSON](t, rec))
	}
	assertProblem(t, a.do(t, http.MethodPost, base, token, ""), http.StatusConflict)

	// Two completions of one upload at once: one processes it, the other is refused.
	postToStore(t, tickets[0], photo(77))
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, tickets[0].CompleteURL, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			a.router.ServeHTTP(rec, req)
			codes[i] = rec.Code
		}()
	}
	wg.Wait()
	slices.Sort(codes)
	if codes[0] != http.StatusCreated || codes[1] != http.StatusConflict {
		t.Errorf("parallel completions answered %v, want one 201 and one 409", codes)
	}
	var images int64
	if err := a.db.Raw("SELECT count(*) FROM product_images WHERE product_id = ?", product.ID).Scan(&images).Error; err != nil || images != 1 {
		t.Errorf("%d images after two completions of one upload (%v)", images, err)
	}
	// A failed completion gives the claim back: once the file is there, it completes.
	assertProblem(t, a.do(t, http.MethodPost, tickets[1].CompleteURL, token, ""), http.StatusConflict)
	postToStore(t, tickets[1], photo(78))
	if rec := a.do(t, http.MethodPost, tickets[1].CompleteURL, token, ""); rec.Code != http.StatusCreated {
		t.Errorf("completing after a failed try = %d %s", rec.Code, rec.Body)
	}

	// Tickets older than a day are deleted by the sweep.
	if err := a.db.Exec("UPDATE image_uploads SET created_at = now() - interval '2 days', expires_at = now() - interval '2 days' WHERE product_id = ?", product.ID).Error; err != nil {
		t.Fatal(err)
	}
	report, err := a.images.Sweep(context.Background(), a.store, time.Hour)
	if err != nil || report.Tickets != media.MaxOpenUploads {
		t.Errorf("sweep = %+v, %v; want the %d tickets purged", report, err, media.MaxOpenUploads)
	}
	if rec := a.do(t, http.MethodPost, base, token, ""); rec.Code != http.StatusCreated {
		t.Errorf("a new ticket after the purge = %d", rec.Code)
	}
}

func TestAProducerListsAtMostTheProductQuota(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	first := a.createProduct(t, token)
	err := a.db.Exec(`INSERT INTO products (producer_id, name_th, name_en, category, province_code, cluster_id, region, select_center_id)
		SELECT producer_id, name_th, name_en, category, province_code, cluster_id, region, select_center_id
		FROM products, generate_series(2, ?) WHERE id = ?`, catalog.MaxProductsPerProducer, first.ID).Error
	if err != nil {
		t.Fatal(err)
	}
	pr := assertProblem(t, a.do(t, http.MethodPost, "/v1/products", token, productBody), http.StatusConflict)
	if !strings.Contains(pr.Detail, "at most") {
		t.Errorf("detail %q does not state the limit", pr.Detail)
	}
	if rec := a.do(t, http.MethodDelete, "/v1/products/"+first.ID.String(), token, ""); rec.Code/100 != 2 {
		t.Fatalf("archive = %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, http.MethodPost, "/v1/products", token, productBody); rec.Code != http.StatusCreated {
		t.Errorf("after archiving one = %d %s", rec.Code, rec.Body)
	}
}
