package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/notify"
	"github.com/otopmarket/otop/internal/postgres"
)

// TestAProductChangeAndItsEffectsCommitTogether: a product's update and
// its effects (audit row, notification, published version) are written
// together or not at all, and the certificates are written only when
// they change.
func TestAProductChangeAndItsEffectsCommitTogether(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newOutboxFixture(t)
	store := postgres.NewCatalog(f.db)
	var owner uuid.UUID
	if err := f.db.Raw("SELECT user_id FROM producers WHERE id = ?", f.producer).Row().Scan(&owner); err != nil {
		t.Fatal(err)
	}
	count := func(sql string) int {
		t.Helper()
		var n int
		if err := f.db.Raw(sql, f.product).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	effects := func() [3]int {
		return [3]int{
			count("SELECT count(*) FROM audit_log WHERE entity_id = ?"),
			count("SELECT count(*) FROM notifications WHERE subject_id = ?"),
			count("SELECT count(*) FROM product_published_versions WHERE product_id = ?"),
		}
	}
	certRows := func() int { return count("SELECT count(*) FROM product_certifications WHERE product_id = ?") }
	change := func(stored catalog.Product, name string, certs ...catalog.Certification) (catalog.Product, error) {
		next := stored
		next.NameEN = name
		next.Certifications = append(append([]catalog.Certification{}, stored.Certifications...), certs...)
		fx := catalog.Effects{
			Audit: []audit.Entry{audit.New(ctx, audit.System(), audit.EntityProduct, f.product, "chiang-mai", "test")},
			Notifications: []notify.Notification{{UserID: owner, Kind: notify.KindProductApproved, SubjectType: "product",
				SubjectID: f.product, Data: map[string]any{}}},
			Published: map[string]any{"name_en": name},
		}
		return store.UpdateProduct(ctx, next, stored, fx)
	}

	stored, err := store.Product(ctx, f.product)
	if err != nil {
		t.Fatal(err)
	}
	stale := stored
	stale.Version++
	if _, err := change(stale, "Stale"); !errors.Is(err, errs.ErrPrecondition) {
		t.Fatalf("update from a stale version: %v, want ErrPrecondition", err)
	}
	if got := effects(); got != [3]int{} {
		t.Errorf("after a refused update: audit rows, notifications, published versions = %v, want none", got)
	}
	if again, err := store.Product(ctx, f.product); err != nil || again.NameEN != stored.NameEN || again.Version != stored.Version {
		t.Errorf("after a refused update: %q version %d (%v), want it unchanged", again.NameEN, again.Version, err)
	}

	updated, err := change(stored, "Same certificates")
	if err != nil {
		t.Fatal(err)
	}
	if got := effects(); got != [3]int{1, 1, 1} {
		t.Errorf("after an update: audit rows, notifications, published versions = %v, want one each", got)
	}
	if updated.Version != stored.Version+1 || certRows() != 0 {
		t.Errorf("after an update: version %d, %d certificates; want %d and none", updated.Version, certRows(), stored.Version+1)
	}

	withCert, err := change(updated, "New certificate", catalog.Certification{Kind: "thai_fda", Number: "10-1-12345-1-0001"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := store.Product(ctx, f.product)
	if err != nil {
		t.Fatal(err)
	}
	if certRows() != 1 || len(again.Certifications) != 1 || again.Certifications[0].Number != "10-1-12345-1-0001" ||
		again.Version != withCert.Version || again.NameEN != "New certificate" {
		t.Errorf("after adding a certificate: %d rows, read back %+v at version %d (%q), want it at version %d",
			certRows(), again.Certifications, again.Version, again.NameEN, withCert.Version)
	}
	if _, err := change(updated, "Stale with a certificate", catalog.Certification{Kind: "gmp", Number: "GMP-1"}); !errors.Is(err, errs.ErrPrecondition) {
		t.Fatalf("update with certificates from a stale version: %v, want ErrPrecondition", err)
	}
	if certRows() != 1 {
		t.Errorf("a refused update with certificates left %d certificates, want 1", certRows())
	}
	if got := effects(); got != [3]int{2, 2, 1} {
		t.Errorf("after two updates and two refused: audit rows, notifications, published versions = %v, want 2, 2, 1", got)
	}
}
