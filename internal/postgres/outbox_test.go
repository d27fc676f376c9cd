package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
)

// outboxFixture is a producer with one product, written with plain SQL so
// that the triggers are what is under test.
type outboxFixture struct {
	db       *gorm.DB
	outbox   *postgres.Outbox
	producer uuid.UUID
	product  uuid.UUID
}

func newOutboxFixture(t *testing.T) outboxFixture {
	t.Helper()
	return newOutboxFixtureOn(t, testenv.DB(t))
}

func newOutboxFixtureOn(t *testing.T, db *gorm.DB) outboxFixture {
	t.Helper()
	f := outboxFixture{db: db, producer: uuid.New(), product: uuid.New(),
		outbox: postgres.NewOutbox(db, func(code string) (string, string) { return "ลำพูน", "Lamphun" },
			func(key string) string { return "http://img.example/" + key })}
	user := uuid.New()
	exec(t, db, `INSERT INTO users (id, email, password_hash, role, display_name) VALUES (?, ?, 'x', 'producer', 'P')`, user, user.String()+"@example.com")
	exec(t, db, `INSERT INTO producers (id, user_id, name_th, name_en, kind, province_code, cluster_id, region, amphoe, tambon, enterprise_level)
		VALUES (?, ?, 'กลุ่มทอผ้า', 'Weavers', 'community_enterprise', 'TH-51', 'upper-north-1', 'north', 'ป่าซาง', 'มะกอก', 3)`, f.producer, user)
	exec(t, db, `INSERT INTO products (id, producer_id, name_th, name_en, category, province_code, cluster_id, region, select_center_id,
		price_minor, moq, unit, description_en, hs_code) VALUES (?, ?, 'ผ้าไหมยกดอก', 'Brocade silk', 'textile', 'TH-51', 'upper-north-1', 'north', 'chiang-mai',
		450000, 2, 'piece', 'Hand-woven.', '500720')`, f.product, f.producer)
	return f
}

func exec(t *testing.T, db *gorm.DB, sql string, args ...any) {
	t.Helper()
	if err := db.Exec(sql, args...).Error; err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (f outboxFixture) pending(t *testing.T) int {
	t.Helper()
	n, err := f.outbox.Pending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOutboxRowsAreWrittenByTheChangesThatAffectTheIndex(t *testing.T) {
	t.Parallel()
	f := newOutboxFixture(t)
	steps := []struct {
		name  string
		sql   string
		args  []any
		added int
	}{
		{"editing a draft stays private", "UPDATE products SET name_en = 'Brocade silk scarf' WHERE id = ?", []any{f.product}, 0},
		{"a certificate on a draft stays private", "INSERT INTO product_certifications (product_id, position, kind, number) VALUES (?, 0, 'gi', 'GI-1')", []any{f.product}, 0},
		{"publishing enqueues", "UPDATE products SET status = 'published', published_at = now() WHERE id = ?", []any{f.product}, 1},
		{"editing a published product enqueues", "UPDATE products SET price_minor = 400000 WHERE id = ?", []any{f.product}, 1},
		{"a certificate of a published product enqueues", "UPDATE product_certifications SET number = 'GI-2' WHERE product_id = ?", []any{f.product}, 1},
		{"renaming the producer enqueues its published products", "UPDATE producers SET name_en = 'Nong Nguek Weavers' WHERE id = ?", []any{f.producer}, 1},
		{"another producer field does not", "UPDATE producers SET story_en = 'Since 1985.' WHERE id = ?", []any{f.producer}, 0},
		{"leaving the published state enqueues", "UPDATE products SET status = 'archived' WHERE id = ?", []any{f.product}, 1},
		{"editing it afterwards does not", "UPDATE products SET name_en = 'Old scarf' WHERE id = ?", []any{f.product}, 0},
	}
	for _, s := range steps {
		before := f.pending(t)
		exec(t, f.db, s.sql, s.args...)
		if got := f.pending(t) - before; got != s.added {
			t.Errorf("%s: %d outbox rows added, want %d", s.name, got, s.added)
		}
	}
}

func TestOutboxRolledBackChangeLeavesNoRow(t *testing.T) {
	t.Parallel()
	f := newOutboxFixture(t)
	_ = f.db.Transaction(func(tx *gorm.DB) error {
		exec(t, tx, "UPDATE products SET status = 'published', published_at = now() WHERE id = ?", f.product)
		return gorm.ErrInvalidTransaction // roll back
	})
	if n := f.pending(t); n != 0 {
		t.Fatalf("%d outbox rows after a rolled-back change", n)
	}
}

func TestSearchDocumentsReadThePublicState(t *testing.T) {
	t.Parallel()
	f := newOutboxFixture(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	// Verified certificates count while unexpired (halal expired); the
	// unverified organic claim never counts.
	exec(t, f.db, `INSERT INTO product_certifications (product_id, position, kind, number, expires_on, verification, verified_at) VALUES
		(?, 0, 'thai_fda', 'FDA-1', '2027-01-01', 'verified', now()), (?, 1, 'halal', 'H-1', '2026-11-20', 'verified', now()),
		(?, 2, 'gi', 'GI-1', NULL, 'verified', now()), (?, 3, 'organic', 'ORG-1', NULL, 'unverified', NULL)`, f.product, f.product, f.product, f.product)
	exec(t, f.db, `INSERT INTO product_images (id, product_id, position, width, height, bytes, sha256, original_key, variants)
		VALUES (?, ?, 0, 800, 600, 1000, ?, 'originals/x.jpg', '[{"name":"w200","width":200,"height":150,"key":"public/products/x/w200.jpg","content_type":"image/jpeg"}]')`,
		uuid.New(), f.product, "aa00000000000000000000000000000000000000000000000000000000000000")

	docs, err := f.outbox.SearchDocuments(ctx, []string{f.product.String()}, now)
	if err != nil || len(docs) != 0 {
		t.Fatalf("draft: %d documents, %v; want none", len(docs), err)
	}
	exec(t, f.db, "UPDATE products SET status = 'published', published_at = now() WHERE id = ?", f.product)
	docs, err = f.outbox.SearchDocuments(ctx, []string{f.product.String(), uuid.NewString()}, now)
	if err != nil || len(docs) != 1 {
		t.Fatalf("published: %d documents, %v; want 1", len(docs), err)
	}
	d := docs[0]
	if d.NameEN != "Brocade silk" || d.ProducerNameEN != "Weavers" || d.ProvinceNameEN != "Lamphun" || d.HSCode != "500720" ||
		d.ImageURL != "http://img.example/public/products/x/w200.jpg" || d.PriceMinor != 450000 || d.ClusterID != "upper-north-1" {
		t.Errorf("document = %+v", d)
	}
	if !slices.Equal(d.Certifications, []string{"gi", "thai_fda"}) {
		t.Errorf("certifications = %v, want the verified unexpired kinds [gi thai_fda]", d.Certifications)
	}
	if !slices.Equal(d.CertificateNumbers, []string{"FDA-1", "H-1", "GI-1", "ORG-1"}) {
		t.Errorf("certificate numbers = %v", d.CertificateNumbers)
	}

	var all []catalog.SearchDocument
	err = f.outbox.PublishedDocuments(ctx, now, 1, func(batch []catalog.SearchDocument) error { all = append(all, batch...); return nil })
	if err != nil || len(all) != 1 || all[0].ID != f.product.String() {
		t.Fatalf("PublishedDocuments = %d docs, %v", len(all), err)
	}
}
