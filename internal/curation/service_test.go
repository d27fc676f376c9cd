package curation_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/curation"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/notify"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/testenv"
)

var centers = []string{"chiang-mai", "khon-kaen", "songkhla", "bangkok"}

type fixture struct {
	ctx      context.Context
	db       *gorm.DB
	catalog  *catalog.Service
	curation *curation.Service
	notify   *notify.Service
	now      time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatalf("load taxonomy: %v", err)
	}
	db := testenv.DB(t)
	f := &fixture{ctx: audit.WithRequestID(context.Background(), "req-test"), db: db,
		now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	f.catalog = catalog.NewService(postgres.NewCatalog(db), tax, clock)
	f.curation = curation.NewService(postgres.NewCuration(db, centers), tax, clock)
	f.notify = notify.NewService(postgres.NewNotifications(db))
	return f
}

func ptr[T any](v T) *T { return &v }

func (f *fixture) user(t *testing.T, role account.Role, center string) account.Principal {
	t.Helper()
	var country, centerID *string
	if role == account.RoleImporter {
		country = ptr("JP")
	}
	if center != "" {
		centerID = &center
	}
	var id uuid.UUID
	err := f.db.Raw(`INSERT INTO users (email, password_hash, role, display_name, country, select_center_id)
		VALUES (?, 'x', ?, 'test user', ?, ?) RETURNING id`,
		uuid.NewString()+"@example.com", string(role), country, centerID).Row().Scan(&id)
	if err != nil {
		t.Fatalf("insert %s user: %v", role, err)
	}
	return account.Principal{UserID: id, Role: role, SelectCenterID: center}
}

// producer is a producer in Lamphun (TH-51): the Chiang Mai center's region.
func (f *fixture) producer(t *testing.T) account.Principal {
	t.Helper()
	p := f.user(t, account.RoleProducer, "")
	_, err := f.catalog.CreateProducer(f.ctx, p, catalog.ProducerInput{
		NameTH: ptr("กลุ่มทอผ้าไหมบ้านหนองเงือก"), NameEN: ptr("Ban Nong Nguek Weavers"), Kind: ptr("community_enterprise"),
		ProvinceCode: ptr("TH-51"), Amphoe: ptr("ป่าซาง"), Tambon: ptr("มะกอก"), EnterpriseLevel: ptr(2),
		Contact: &catalog.ContactInput{Phone: ptr("+66 53 521 234")},
	})
	if err != nil {
		t.Fatalf("CreateProducer: %v", err)
	}
	return p
}

const longDescription = "Hand-woven Lamphun silk brocade with gold thread, dyed with lac and indigo by the weavers of Ban Nong Nguek."

// submitted creates a complete product (export-ready but for photos and
// verifications) and submits it.
func (f *fixture) submitted(t *testing.T, owner account.Principal) catalog.Product {
	t.Helper()
	p, err := f.catalog.CreateProduct(f.ctx, owner, catalog.ProductInput{
		NameTH: ptr("ผ้าไหมยกดอกลำพูน"), NameEN: ptr("Lamphun Brocade Silk"), DescriptionEN: ptr(longDescription),
		Category: ptr("textile"), OTOPStars: catalog.Set(5), OTOPStarsYear: catalog.Set(2024),
		Price: &catalog.MoneyInput{AmountMinor: ptr(int64(450000))}, MOQ: ptr(2), Unit: ptr("piece"),
		MonthlyCapacity: catalog.Set(60), LeadTimeDays: catalog.Set(30), HSCode: catalog.Set("500720"), WeightGrams: catalog.Set(450),
		Certifications: &[]catalog.CertificationInput{{Kind: "gi", Number: "สช 49100006"}, {Kind: "mor_phor_chor", Number: "มผช. 3/2565", ExpiresOn: "2026-12-20"}},
	})
	if err != nil {
		t.Fatalf("CreateProduct: %v", err)
	}
	p, err = f.catalog.SubmitProduct(f.ctx, owner, p.ID)
	if err != nil {
		t.Fatalf("SubmitProduct: %v", err)
	}
	return p
}

// photos gives a product n photo rows (readiness counts them; no object is needed).
func (f *fixture) photos(t *testing.T, id uuid.UUID, n int) {
	t.Helper()
	for i := range n {
		err := f.db.Exec(`INSERT INTO product_images (id, product_id, position, width, height, bytes, sha256, original_key, variants)
			VALUES (?, ?, ?, 800, 600, 1000, ?, 'k', '[]')`, uuid.New(), id, i, fmt.Sprintf("%064x", uuid.New().ID())).Error
		if err != nil {
			t.Fatalf("insert photo: %v", err)
		}
	}
}

func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Raw(query, args...).Row().Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSubmittedProductReachesItsCentersQueueAndApprovalPublishesIt(t *testing.T) {
	f := newFixture(t)
	owner := f.producer(t)
	p := f.submitted(t, owner)
	curator := f.user(t, account.RoleCurator, "chiang-mai")
	other := f.user(t, account.RoleCurator, "songkhla")
	admin := f.user(t, account.RoleAdmin, "")

	page, err := f.curation.Queue(f.ctx, curator, curation.QueueFilter{})
	if err != nil || len(page.Items) != 1 || page.Items[0].Product.ID != p.ID {
		t.Fatalf("chiang-mai queue = %+v, %v; want the product", page.Items, err)
	}
	item := page.Items[0]
	if item.Producer.Contact == nil || item.Producer.Contact.Phone == "" || item.Changes != nil || item.Readiness.Ready {
		t.Errorf("queue item: contact %+v, changes %+v, ready %v; want contact, no changes, not ready", item.Producer.Contact, item.Changes, item.Readiness.Ready)
	}
	if page, err := f.curation.Queue(f.ctx, other, curation.QueueFilter{}); err != nil || len(page.Items) != 0 {
		t.Errorf("songkhla queue = %d items, %v; want none", len(page.Items), err)
	}
	if _, err := f.curation.Queue(f.ctx, other, curation.QueueFilter{SelectCenter: "chiang-mai"}); !errors.As(err, new(*errs.QueryError)) {
		t.Errorf("curator asking another center's queue: %v, want a query error", err)
	}
	if page, err := f.curation.Queue(f.ctx, admin, curation.QueueFilter{SelectCenter: "chiang-mai"}); err != nil || len(page.Items) != 1 {
		t.Errorf("admin queue of chiang-mai = %d items, %v; want 1", len(page.Items), err)
	}

	if _, err := f.curation.Approve(f.ctx, other, p.ID, catalog.MatchVersion(p.Version)); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("other center's curator approving: %v, want not found", err)
	}
	if _, err := f.curation.Approve(f.ctx, owner, p.ID, catalog.MatchVersion(p.Version)); !errors.Is(err, errs.ErrForbidden) {
		t.Errorf("owner approving: %v, want forbidden", err)
	}
	if _, err := f.curation.Approve(f.ctx, curator, p.ID, nil); !errors.Is(err, errs.ErrPreconditionRequired) {
		t.Errorf("approve without a version: %v, want precondition required", err)
	}
	if _, err := f.curation.Approve(f.ctx, curator, p.ID, catalog.MatchVersion(p.Version-1)); !errors.Is(err, errs.ErrPrecondition) {
		t.Errorf("approve a stale version: %v, want precondition failed", err)
	}
	outbox := f.count(t, "SELECT count(*) FROM search_outbox WHERE product_id = ?", p.ID)
	got, err := f.curation.Approve(f.ctx, curator, p.ID, catalog.MatchVersion(p.Version))
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	// The store answers what it stored without reading it back: it must be what a read gives.
	if stored, err := f.catalog.GetProduct(f.ctx, curator, p.ID); err != nil || !reflect.DeepEqual(stored, got) {
		t.Errorf("approve answered\n%+v\nbut the product reads\n%+v (%v)", got, stored, err)
	}
	if got.Status != catalog.StatusPublished || got.PublishedAt == nil || got.ReviewedBy != curator.UserID || got.ReviewedAt == nil {
		t.Errorf("approved product: status %s, published_at %v, reviewed_by %v, reviewed_at %v", got.Status, got.PublishedAt, got.ReviewedBy, got.ReviewedAt)
	}
	if n := f.count(t, "SELECT count(*) FROM search_outbox WHERE product_id = ?", p.ID); n <= outbox {
		t.Errorf("outbox rows = %d, want more than %d (approval enqueued for search)", n, outbox)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_log WHERE entity_id = ? AND action = 'approve' AND actor_id = ? AND request_id = 'req-test'", p.ID, curator.UserID); n != 1 {
		t.Errorf("approve audit rows = %d, want 1", n)
	}
	feed, err := f.notify.List(f.ctx, owner, notify.Filter{})
	if err != nil || len(feed.Items) != 1 || feed.Items[0].Kind != notify.KindProductApproved || feed.Items[0].SubjectID != p.ID {
		t.Errorf("owner's feed = %+v, %v; want one product_approved", feed.Items, err)
	}
	if _, err := f.curation.Approve(f.ctx, curator, p.ID, catalog.MatchVersion(got.Version)); !errors.Is(err, errs.ErrConflict) {
		t.Errorf("approving a published product: %v, want conflict", err)
	}
}

func TestRejectionKeepsItsReasonForTheProducerAndValidatesIt(t *testing.T) {
	f := newFixture(t)
	owner := f.producer(t)
	p := f.submitted(t, owner)
	curator := f.user(t, account.RoleCurator, "chiang-mai")
	for name, reason := range map[string]string{
		"empty": "", "short": "blurry", "too long": strings.Repeat("ก", 2001), "NUL": "Photos are \x00 blurred, retake them",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.curation.Reject(f.ctx, curator, p.ID, catalog.MatchVersion(p.Version), reason)
			var ve *errs.ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Field != "reason" {
				t.Fatalf("Reject(%q) = %v, want 422 naming reason", reason, err)
			}
		})
	}
	reason := "ภาพไม่ชัด: please retake the photos in daylight."
	got, err := f.curation.Reject(f.ctx, curator, p.ID, catalog.MatchVersion(p.Version), reason)
	if err != nil || got.Status != catalog.StatusRejected || got.RejectionReason != reason {
		t.Fatalf("Reject = %s %q, %v", got.Status, got.RejectionReason, err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_log WHERE entity_id = ? AND action = 'reject' AND reason = ?", p.ID, reason); n != 1 {
		t.Errorf("reject audit rows = %d, want 1", n)
	}
	feed, err := f.notify.List(f.ctx, owner, notify.Filter{UnreadOnly: true})
	if err != nil || len(feed.Items) != 1 || feed.Items[0].Data["reason"] != reason {
		t.Fatalf("feed = %+v, %v; want the rejection with its reason", feed.Items, err)
	}
	if n, err := f.notify.MarkRead(f.ctx, owner, nil, true); err != nil || n != 1 {
		t.Errorf("MarkRead(all) = %d, %v", n, err)
	}
	if feed, _ := f.notify.List(f.ctx, owner, notify.Filter{UnreadOnly: true}); len(feed.Items) != 0 {
		t.Errorf("unread after marking all read: %d", len(feed.Items))
	}
	// The producer edits and resubmits: the queue marks it resubmitted.
	if _, err := f.catalog.SubmitProduct(f.ctx, owner, p.ID); err != nil {
		t.Fatalf("resubmit: %v", err)
	}
	page, err := f.curation.Queue(f.ctx, curator, curation.QueueFilter{Resubmitted: ptr(true)})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("resubmitted queue = %d, %v; want 1", len(page.Items), err)
	}
	if page, _ := f.curation.Queue(f.ctx, curator, curation.QueueFilter{Resubmitted: ptr(false)}); len(page.Items) != 0 {
		t.Errorf("first-submission queue has %d items, want 0", len(page.Items))
	}
}

func TestTwoCuratorsDecidingAtOnceOneWins(t *testing.T) {
	f := newFixture(t)
	owner := f.producer(t)
	p := f.submitted(t, owner)
	a, b := f.user(t, account.RoleCurator, "chiang-mai"), f.user(t, account.RoleAdmin, "")
	var wg sync.WaitGroup
	results := make([]error, 2)
	for i, who := range []account.Principal{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 0 {
				_, results[i] = f.curation.Approve(f.ctx, who, p.ID, catalog.MatchVersion(p.Version))
			} else {
				_, results[i] = f.curation.Reject(f.ctx, who, p.ID, catalog.MatchVersion(p.Version), "Not ready for export yet, sorry.")
			}
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range results {
		switch {
		case err == nil:
			won++
		case errors.Is(err, errs.ErrPrecondition), errors.Is(err, errs.ErrConflict):
		default:
			t.Errorf("loser's error = %v, want precondition failed or conflict", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d decisions won, want exactly 1 (%v)", won, results)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_log WHERE entity_id = ? AND action IN ('approve', 'reject')", p.ID); n != 1 {
		t.Errorf("decision audit rows = %d, want 1", n)
	}
}

func TestResubmittedPublishedProductShowsWhatChanged(t *testing.T) {
	f := newFixture(t)
	owner := f.producer(t)
	p := f.submitted(t, owner)
	curator := f.user(t, account.RoleCurator, "chiang-mai")
	p, err := f.curation.Approve(f.ctx, curator, p.ID, catalog.MatchVersion(p.Version))
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	f.photos(t, p.ID, 1)
	if _, err := f.catalog.UpdateProduct(f.ctx, owner, p.ID, nil, catalog.ProductInput{
		Price: &catalog.MoneyInput{AmountMinor: ptr(int64(480000))}, NameEN: ptr("Lamphun Gold Brocade Silk"),
	}); err != nil {
		t.Fatalf("edit: %v", err)
	}
	page, err := f.curation.Queue(f.ctx, curator, curation.QueueFilter{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("queue = %d, %v", len(page.Items), err)
	}
	ch := page.Items[0].Changes
	if ch == nil {
		t.Fatalf("a resubmitted published product has no changes")
	}
	var fields []string
	for _, c := range ch.Fields {
		fields = append(fields, c.Field)
	}
	if strings.Join(fields, ",") != "name_en,price" || len(ch.PhotosAdded) != 1 || len(ch.PhotosRemoved) != 0 {
		t.Errorf("changes = %v, photos +%v -%v; want name_en,price and one photo added", fields, ch.PhotosAdded, ch.PhotosRemoved)
	}
}

func TestVerificationCountsUntilTheClaimChanges(t *testing.T) {
	f := newFixture(t)
	owner := f.producer(t)
	p := f.submitted(t, owner)
	curator := f.user(t, account.RoleCurator, "chiang-mai")
	got, err := f.curation.Verify(f.ctx, curator, p.ID, curation.VerifyInput{Kind: "gi", Verdict: catalog.Verified})
	if err != nil || !got.Certifications[0].Verification.IsVerified() || got.Certifications[0].Verification.By != curator.UserID {
		t.Fatalf("Verify gi = %+v, %v", got.Certifications, err)
	}
	if _, err := f.curation.Verify(f.ctx, curator, p.ID, curation.VerifyInput{Kind: "halal", Verdict: catalog.Verified}); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("verifying a certificate the product lacks: %v, want not found", err)
	}
	if _, err := f.curation.Verify(f.ctx, curator, p.ID, curation.VerifyInput{Kind: curation.StarsKind, Verdict: catalog.Disputed}); err == nil {
		t.Errorf("a dispute without a note was accepted")
	}
	got, err = f.curation.Verify(f.ctx, curator, p.ID, curation.VerifyInput{Kind: curation.StarsKind, Verdict: catalog.Verified})
	if err != nil || got.VerifiedStars() != 5 {
		t.Fatalf("Verify stars: %d, %v", got.VerifiedStars(), err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_log WHERE entity_id = ? AND entity_type = 'certification' AND action = 'verify'", p.ID); n != 2 {
		t.Errorf("verify audit rows = %d, want 2", n)
	}
	// Editing one certificate and the stars clears those verifications only.
	got, err = f.catalog.UpdateProduct(f.ctx, owner, p.ID, nil, catalog.ProductInput{
		OTOPStars:      catalog.Set(4),
		Certifications: &[]catalog.CertificationInput{{Kind: "gi", Number: "สช 49100006"}, {Kind: "mor_phor_chor", Number: "มผช. 4/2566", ExpiresOn: "2027-12-20"}},
	})
	if err != nil {
		t.Fatalf("edit: %v", err)
	}
	if !got.Certifications[0].Verification.IsVerified() || got.Certifications[1].Verification.IsVerified() || got.StarsVerification.IsVerified() {
		t.Errorf("after the edit: gi verified %v (want true), มผช. verified %v (want false), stars verified %v (want false)",
			got.Certifications[0].Verification.IsVerified(), got.Certifications[1].Verification.IsVerified(), got.StarsVerification.IsVerified())
	}
	public := catalog.PublicView(got)
	if public.Certifications[0].Verification.By != uuid.Nil {
		t.Errorf("the public view names the verifying curator")
	}
}

func TestTopotopFollowsReadiness(t *testing.T) {
	f := newFixture(t)
	owner := f.producer(t)
	p := f.submitted(t, owner)
	curator := f.user(t, account.RoleCurator, "chiang-mai")
	admin := f.user(t, account.RoleAdmin, "")
	p, err := f.curation.Approve(f.ctx, curator, p.ID, catalog.MatchVersion(p.Version))
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	_, err = f.curation.SetTopotop(f.ctx, curator, p.ID, curation.TopotopInput{Topotop: true})
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("designating an unready product: %v, want 422", err)
	}
	var unmet []string
	for _, fe := range ve.Fields {
		unmet = append(unmet, fe.Field)
	}
	if strings.Join(unmet, ",") != "readiness.photos,readiness.certificate,readiness.otop_stars" {
		t.Errorf("unmet = %v", unmet)
	}
	if _, err := f.curation.SetTopotop(f.ctx, curator, p.ID, curation.TopotopInput{Topotop: true, Override: true, Note: "Flagship of the fair"}); err == nil {
		t.Errorf("a curator overrode the readiness check")
	}
	if got, err := f.curation.SetTopotop(f.ctx, admin, p.ID, curation.TopotopInput{Topotop: true, Override: true, Note: "Flagship of the 2026 fair"}); err != nil || !got.Topotop {
		t.Fatalf("admin override: %v", err)
	}
	if _, err := f.curation.SetTopotop(f.ctx, admin, p.ID, curation.TopotopInput{Topotop: false, Note: "back to the rules"}); err != nil {
		t.Fatalf("remove: %v", err)
	}

	f.photos(t, p.ID, 3)
	for _, in := range []curation.VerifyInput{{Kind: "gi", Verdict: catalog.Verified}, {Kind: curation.StarsKind, Verdict: catalog.Verified}} {
		if _, err := f.curation.Verify(f.ctx, curator, p.ID, in); err != nil {
			t.Fatalf("Verify %s: %v", in.Kind, err)
		}
	}
	r, err := f.curation.Readiness(f.ctx, owner, p.ID)
	if err != nil || !r.Ready {
		t.Fatalf("readiness = %+v, %v; want ready", r, err)
	}
	got, err := f.curation.SetTopotop(f.ctx, curator, p.ID, curation.TopotopInput{Topotop: true, Note: "Ready for export"})
	if err != nil || !got.Topotop {
		t.Fatalf("SetTopotop: %v", err)
	}
	// The producer shortens the English description: not ready, no longer TOPOTOP.
	got, err = f.catalog.UpdateProduct(f.ctx, owner, p.ID, nil, catalog.ProductInput{DescriptionEN: ptr("Silk.")})
	if err != nil || got.Topotop {
		t.Fatalf("after an edit that breaks readiness: topotop %v, %v", got.Topotop, err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_log WHERE entity_id = ? AND action = 'topotop_dropped'", p.ID); n != 1 {
		t.Errorf("topotop_dropped audit rows = %d, want 1", n)
	}
	if n := f.count(t, "SELECT count(*) FROM notifications WHERE subject_id = ? AND kind = 'topotop_dropped'", p.ID); n != 2 {
		t.Errorf("topotop_dropped notifications = %d, want 2 (the admin's removal and the edit)", n)
	}
}

func TestDailyJobWarnsOnceAndDropsTopotopAnExpiryMadeUnready(t *testing.T) {
	f := newFixture(t)
	owner := f.producer(t)
	p := f.submitted(t, owner)
	curator := f.user(t, account.RoleCurator, "chiang-mai")
	p, err := f.curation.Approve(f.ctx, curator, p.ID, catalog.MatchVersion(p.Version))
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	f.photos(t, p.ID, 3)
	// Only the มผช. certificate (expiring 2026-12-20) is verified.
	for _, in := range []curation.VerifyInput{{Kind: "mor_phor_chor", Verdict: catalog.Verified}, {Kind: curation.StarsKind, Verdict: catalog.Verified}} {
		if _, err := f.curation.Verify(f.ctx, curator, p.ID, in); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	}
	if _, err := f.curation.SetTopotop(f.ctx, curator, p.ID, curation.TopotopInput{Topotop: true}); err != nil {
		t.Fatalf("SetTopotop: %v", err)
	}
	for range 2 {
		warned, dropped, err := f.curation.Daily(f.ctx)
		if err != nil || warned != 1 || dropped != 0 {
			t.Fatalf("Daily on 2026-12-01 = %d warned, %d dropped, %v; want 1, 0", warned, dropped, err)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM notifications WHERE kind = 'certificate_expiring' AND subject_id = ?", p.ID); n != 1 {
		t.Errorf("expiry notices = %d after two runs, want 1", n)
	}
	f.now = time.Date(2026, 12, 21, 9, 0, 0, 0, time.UTC)
	if _, dropped, err := f.curation.Daily(f.ctx); err != nil || dropped != 1 {
		t.Fatalf("Daily after the expiry dropped %d, %v; want 1", dropped, err)
	}
	if n := f.count(t, "SELECT count(*) FROM products WHERE id = ? AND topotop", p.ID); n != 0 {
		t.Errorf("the product is still TOPOTOP after its only verified certificate expired")
	}
	if n := f.count(t, "SELECT count(*) FROM audit_log WHERE entity_id = ? AND action = 'topotop_dropped' AND actor_role = 'system'", p.ID); n != 1 {
		t.Errorf("system topotop_dropped rows = %d, want 1", n)
	}
}

func TestAuditLogRefusesUpdateAndDelete(t *testing.T) {
	f := newFixture(t)
	owner := f.producer(t)
	p := f.submitted(t, owner)
	for _, stmt := range []string{
		"UPDATE audit_log SET reason = 'rewritten' WHERE entity_id = ?",
		"DELETE FROM audit_log WHERE entity_id = ?",
		"TRUNCATE audit_log",
	} {
		t.Run(strings.Fields(stmt)[0], func(t *testing.T) {
			args := []any{p.ID}
			if strings.HasPrefix(stmt, "TRUNCATE") {
				args = nil
			}
			if err := f.db.Exec(stmt, args...).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("%s: %v, want refused as append-only", stmt, err)
			}
		})
	}
	if n := f.count(t, "SELECT count(*) FROM audit_log WHERE entity_id = ? AND action = 'submit' AND reason = ''", p.ID); n != 1 {
		t.Errorf("submit rows = %d, want 1 untouched", n)
	}
}

func TestAuditAndSummaryAreScopedToTheCuratorsCenter(t *testing.T) {
	f := newFixture(t)
	owner := f.producer(t)
	p := f.submitted(t, owner)
	q := f.submitted(t, owner)
	curator := f.user(t, account.RoleCurator, "chiang-mai")
	other := f.user(t, account.RoleCurator, "bangkok")
	admin := f.user(t, account.RoleAdmin, "")
	f.now = f.now.Add(36 * time.Hour)
	if _, err := f.curation.Approve(f.ctx, curator, p.ID, catalog.MatchVersion(p.Version)); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	if _, err := f.curation.Reassign(f.ctx, curator, q.ID, nil, "bangkok", "Sold through the Bangkok center"); !errors.Is(err, errs.ErrForbidden) {
		t.Errorf("a curator reassigning: %v, want forbidden", err)
	}
	if _, err := f.curation.Reassign(f.ctx, admin, q.ID, nil, "bangkok", "Sold through the Bangkok center"); err != nil {
		t.Fatalf("Reassign: %v", err)
	}
	mine, err := f.curation.Audit(f.ctx, curator, curation.AuditFilter{})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	for _, e := range mine.Items {
		if e.SelectCenterID != "chiang-mai" {
			t.Errorf("a chiang-mai curator sees a %s row of %q", e.Action, e.SelectCenterID)
		}
	}
	theirs, err := f.curation.Audit(f.ctx, other, curation.AuditFilter{Action: audit.ActionReassign})
	if err != nil || len(theirs.Items) != 1 || theirs.Items[0].EntityID != q.ID {
		t.Errorf("bangkok curator's reassign rows = %+v, %v; want the reassigned product", theirs.Items, err)
	}
	all, err := f.curation.Audit(f.ctx, admin, curation.AuditFilter{Limit: 1})
	if err != nil || len(all.Items) != 1 || all.NextCursor == "" {
		t.Fatalf("admin's first page = %d items, cursor %q, %v", len(all.Items), all.NextCursor, err)
	}
	if _, err := f.curation.Audit(f.ctx, owner, curation.AuditFilter{}); !errors.Is(err, errs.ErrForbidden) {
		t.Errorf("a producer reading the audit log: %v, want forbidden", err)
	}
	sums, err := f.curation.Summary(f.ctx, admin)
	if err != nil || len(sums) != 4 {
		t.Fatalf("Summary = %+v, %v; want 4 centers", sums, err)
	}
	cm := sums[0]
	if cm.SelectCenterID != "chiang-mai" || cm.Approved30d != 1 || cm.Pending != 0 || cm.MedianDecisionHours == nil || *cm.MedianDecisionHours < 35.9 {
		t.Errorf("chiang-mai summary = %+v (median %v); want 1 approved after 36 h, none pending", cm, cm.MedianDecisionHours)
	}
	if bkk := sums[3]; bkk.Pending != 1 || bkk.OldestSubmittedAt == nil {
		t.Errorf("bangkok summary = %+v; want the reassigned product pending", bkk)
	}
	if own, err := f.curation.Summary(f.ctx, curator); err != nil || len(own) != 1 {
		t.Errorf("a curator's summary = %+v, %v; want their center only", own, err)
	}
}

func TestBatchDecisionsApplyEachOnItsOwn(t *testing.T) {
	f := newFixture(t)
	owner := f.producer(t)
	a, b := f.submitted(t, owner), f.submitted(t, owner)
	curator := f.user(t, account.RoleCurator, "chiang-mai")
	results, err := f.curation.Decide(f.ctx, curator, []curation.DecisionRequest{
		{ID: a.ID, Version: a.Version, Decision: curation.Approve},
		{ID: b.ID, Version: b.Version + 1, Decision: curation.Reject, Reason: "Prices are missing tiers."},
		{ID: uuid.New(), Version: 1, Decision: curation.Approve},
	})
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	if results[0].Err != nil || results[0].Product.Status != catalog.StatusPublished ||
		!errors.Is(results[1].Err, errs.ErrPrecondition) || !errors.Is(results[2].Err, errs.ErrNotFound) {
		t.Errorf("results = %v / %v / %v", results[0].Err, results[1].Err, results[2].Err)
	}
	if _, err := f.curation.Decide(f.ctx, curator, make([]curation.DecisionRequest, curation.MaxDecisions+1)); err == nil {
		t.Errorf("a batch over the limit was accepted")
	}
}

// The queue is walked a page at a time: with every filter the pages hold
// each matching product once, oldest submission first (ties by id), each
// with its producer and, for resubmissions, what changed.
func TestQueuePagesFollowTheSubmissionOrderUnderEachFilter(t *testing.T) {
	f := newFixture(t)
	owner := f.producer(t)
	curator := f.user(t, account.RoleCurator, "chiang-mai")
	type want struct {
		id          uuid.UUID
		submitted   time.Time
		resubmitted bool
		food        bool
	}
	var all []want
	start := f.now
	for i := range 9 {
		// Two products share each submission minute, so that ties are
		// broken by id across page boundaries.
		f.now = start.Add(time.Duration(i/2) * time.Minute)
		p := f.submitted(t, owner)
		w := want{id: p.ID, submitted: *p.SubmittedAt}
		if i%3 == 1 { // published, then edited: back in the queue as a resubmission
			p, err := f.curation.Approve(f.ctx, curator, p.ID, catalog.MatchVersion(p.Version))
			if err != nil {
				t.Fatalf("Approve: %v", err)
			}
			p, err = f.catalog.UpdateProduct(f.ctx, owner, p.ID, nil, catalog.ProductInput{NameEN: ptr(fmt.Sprintf("Lamphun Brocade Silk %d", i))})
			if err != nil {
				t.Fatalf("edit: %v", err)
			}
			w.resubmitted, w.submitted = true, *p.SubmittedAt
		}
		if i%4 == 0 {
			if err := f.db.Exec("UPDATE products SET category = 'food' WHERE id = ?", p.ID).Error; err != nil {
				t.Fatalf("set category: %v", err)
			}
			w.food = true
		}
		all = append(all, w)
	}
	// Another center's product is in no page of this curator.
	other := f.submitted(t, owner)
	admin := f.user(t, account.RoleAdmin, "")
	if _, err := f.curation.Reassign(f.ctx, admin, other.ID, catalog.MatchVersion(other.Version), "bangkok",
		"Sold through the Bangkok center's export desk"); err != nil {
		t.Fatalf("Reassign: %v", err)
	}
	slices.SortFunc(all, func(a, b want) int {
		if c := a.submitted.Compare(b.submitted); c != 0 {
			return c
		}
		return strings.Compare(a.id.String(), b.id.String())
	})

	for _, c := range []struct {
		name   string
		filter curation.QueueFilter
		keep   func(want) bool
	}{
		{"no filter", curation.QueueFilter{}, func(want) bool { return true }},
		{"resubmitted", curation.QueueFilter{Resubmitted: ptr(true)}, func(w want) bool { return w.resubmitted }},
		{"first submissions", curation.QueueFilter{Resubmitted: ptr(false)}, func(w want) bool { return !w.resubmitted }},
		{"category", curation.QueueFilter{Category: "food"}, func(w want) bool { return w.food }},
		{"category and resubmitted", curation.QueueFilter{Category: "food", Resubmitted: ptr(true)},
			func(w want) bool { return w.food && w.resubmitted }},
	} {
		var expected, got []uuid.UUID
		for _, w := range all {
			if c.keep(w) {
				expected = append(expected, w.id)
			}
		}
		filter := c.filter
		filter.Limit = 2
		for pages := 0; ; pages++ {
			if pages > len(all) {
				t.Fatalf("%s: the cursor never ends", c.name)
			}
			page, err := f.curation.Queue(f.ctx, curator, filter)
			if err != nil {
				t.Fatalf("%s: Queue: %v", c.name, err)
			}
			for _, it := range page.Items {
				got = append(got, it.Product.ID)
				if it.Producer.NameEN != "Ban Nong Nguek Weavers" || it.Producer.Contact == nil || it.Producer.Contact.Phone != "+66 53 521 234" {
					t.Errorf("%s: item %s has producer %q, contact %+v", c.name, it.Product.ID, it.Producer.NameEN, it.Producer.Contact)
				}
				if resubmitted := it.Product.ReviewedAt != nil; (it.Changes != nil) != resubmitted {
					t.Errorf("%s: item %s: changes %v, resubmitted %v", c.name, it.Product.ID, it.Changes, resubmitted)
				}
			}
			if page.NextCursor == "" {
				break
			}
			filter.Cursor = page.NextCursor
		}
		if !slices.Equal(got, expected) {
			t.Errorf("%s: pages hold %v, want %v", c.name, got, expected)
		}
	}
}
