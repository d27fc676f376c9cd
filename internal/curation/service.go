package curation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/keyset"
	"github.com/otopmarket/otop/internal/notify"
)

// Service applies the Select centers' rules. Every decision names the
// version of the product it was made on; a product changed meanwhile is
// refused (errs.ErrPrecondition) and nothing is written.
type Service struct {
	store  Store
	places Places
	now    func() time.Time
}

// NewService returns the curation service. clock gives the current time.
func NewService(store Store, places Places, clock func() time.Time) *Service {
	return &Service{store: store, places: places, now: clock}
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func actorOf(p account.Principal) audit.Actor { return audit.Actor{ID: p.UserID, Role: string(p.Role)} }

func requireStaff(p account.Principal) error {
	if p.Anonymous() {
		return errs.New(errs.ErrUnauthenticated, "sign in first")
	}
	if !p.Staff() {
		return errs.New(errs.ErrForbidden, "only Select center staff may do this")
	}
	return nil
}

// curatedProduct loads a product the caller may curate: 404 for a product
// they cannot see at all, 403 for one they can see but not curate.
func (s *Service) curatedProduct(ctx context.Context, p account.Principal, id uuid.UUID) (catalog.Product, error) {
	return s.productFor(ctx, p, id, func(prod catalog.Product) bool { return p.CanCurate(prod.SelectCenterID) },
		"only curators of the product's Select center and admins may do this")
}

// privilegedProduct loads a product for its owner or its staff (readiness,
// history): 404 for those who cannot see it, 403 for the public of a
// published product.
func (s *Service) privilegedProduct(ctx context.Context, p account.Principal, id uuid.UUID) (catalog.Product, error) {
	return s.productFor(ctx, p, id, func(prod catalog.Product) bool { return catalog.Privileged(p, prod) },
		"only the product's producer and its Select center's staff may see this")
}

// productFor loads a product p may see and act on as allowed says; a
// product p cannot see does not exist for them.
func (s *Service) productFor(ctx context.Context, p account.Principal, id uuid.UUID, allowed func(catalog.Product) bool, forbidden string) (catalog.Product, error) {
	if p.Anonymous() {
		return catalog.Product{}, errs.New(errs.ErrUnauthenticated, "sign in first")
	}
	prod, err := s.store.Product(ctx, id)
	if err != nil {
		return catalog.Product{}, err
	}
	if !catalog.CanSee(p, prod) {
		return catalog.Product{}, fmt.Errorf("product %s: %w", id, errs.ErrNotFound)
	}
	if !allowed(prod) {
		return catalog.Product{}, errs.New(errs.ErrForbidden, forbidden)
	}
	return prod, nil
}

// checkVersion requires the version a decision was made on.
func checkVersion(prod catalog.Product, ifm catalog.IfMatch) error {
	switch {
	case ifm == nil:
		return errs.New(errs.ErrPreconditionRequired, "send If-Match with the ETag of the version you reviewed")
	case !ifm.Matches(prod.Version):
		return fmt.Errorf("product %s is at version %d, not %v: %w", prod.ID, prod.Version, []int(ifm), errs.ErrPrecondition)
	}
	return nil
}

// checkText validates free text a curator writes: trimmed, between min and
// max characters, valid UTF-8 without control characters (tab and newlines
// are kept).
func checkText(field, s string, minChars, maxChars int, v *errs.ValidationError) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		v.Add(field, "must be valid UTF-8 text")
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }):
		v.Add(field, "must not contain control characters")
	case n < minChars && minChars > 0 && n == 0:
		v.Add(field, "is required")
	case n < minChars:
		v.Add(field, fmt.Sprintf("must be at least %d characters", minChars))
	case n > maxChars:
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxChars))
	}
	return s
}

// ---------------------------------------------------------------------------
// Decisions

// Approve publishes a product under review. ifm names the version the
// curator reviewed: none is errs.ErrPreconditionRequired, a stale one
// errs.ErrPrecondition.
// The decision, its audit row, the producer's notification and the search
// outbox row commit together.
func (s *Service) Approve(ctx context.Context, p account.Principal, id uuid.UUID, ifm catalog.IfMatch) (catalog.Product, error) {
	return s.decide(ctx, p, id, ifm, Approve, "")
}

// Reject sends a product under review back to its producer with a reason
// (10–2000 characters) that only they and staff see.
func (s *Service) Reject(ctx context.Context, p account.Principal, id uuid.UUID, ifm catalog.IfMatch, reason string) (catalog.Product, error) {
	return s.decide(ctx, p, id, ifm, Reject, reason)
}

func (s *Service) decide(ctx context.Context, p account.Principal, id uuid.UUID, ifm catalog.IfMatch, d Decision, reason string) (catalog.Product, error) {
	cur, err := s.curatedProduct(ctx, p, id)
	if err != nil {
		return catalog.Product{}, err
	}
	var v errs.ValidationError
	if d == Reject {
		reason = checkText("reason", reason, MinReasonChars, MaxReasonChars, &v)
	}
	if err := v.Err(); err != nil {
		return catalog.Product{}, err
	}
	if err := checkVersion(cur, ifm); err != nil {
		return catalog.Product{}, err
	}
	if cur.Status != catalog.StatusPendingReview {
		return catalog.Product{}, errs.Newf(errs.ErrConflict, "only a product pending review can be decided; this one is %s", cur.Status)
	}
	now := s.timestamp()
	next := cur
	next.ReviewedBy, next.ReviewedAt, next.UpdatedAt = p.UserID, &now, now
	var fx catalog.Effects
	e := audit.New(ctx, actorOf(p), audit.EntityProduct, cur.ID, cur.SelectCenterID, string(d))
	e.Before["status"] = cur.Status
	e.Before["submitted_at"] = cur.SubmittedAt
	note := notify.Notification{UserID: cur.OwnerID, SubjectType: "product", SubjectID: cur.ID,
		Data: map[string]any{"name_en": cur.NameEN, "name_th": cur.NameTH}}
	switch d {
	case Approve:
		next.Status, next.PublishedAt, next.RejectionReason = catalog.StatusPublished, &now, ""
		note.Kind = notify.KindProductApproved
		fx.Published = catalog.PublicFields(next)
	case Reject:
		next.Status, next.RejectionReason = catalog.StatusRejected, reason
		next.Topotop = false
		e.Reason = reason
		note.Kind = notify.KindProductRejected
		note.Data["reason"] = reason
	}
	e.After["status"] = next.Status
	fx.Audit = append(fx.Audit, e)
	fx.Notifications = append(fx.Notifications, note)
	return s.store.UpdateProduct(ctx, next, cur, fx)
}

// DecisionRequest is one item of a batch of decisions.
type DecisionRequest struct {
	ID       uuid.UUID
	Version  int
	Decision Decision
	Reason   string
}

// DecisionResult is the outcome of one item of a batch: the product as it
// now is, or the error that item met (the same an individual request gets).
type DecisionResult struct {
	ID      uuid.UUID
	Product catalog.Product
	Err     error
}

// Decide applies up to MaxDecisions decisions, each on its own: one that
// fails leaves the others applied.
func (s *Service) Decide(ctx context.Context, p account.Principal, reqs []DecisionRequest) ([]DecisionResult, error) {
	if err := requireStaff(p); err != nil {
		return nil, err
	}
	switch {
	case len(reqs) == 0:
		return nil, errs.Invalid("decisions", "give at least one decision")
	case len(reqs) > MaxDecisions:
		return nil, errs.Invalid("decisions", fmt.Sprintf("at most %d decisions at once", MaxDecisions))
	}
	var v errs.ValidationError
	for i, r := range reqs {
		if r.ID == uuid.Nil {
			v.Add(fmt.Sprintf("decisions[%d].id", i), "is required")
		}
		if r.Decision != Approve && r.Decision != Reject {
			v.Add(fmt.Sprintf("decisions[%d].decision", i), "must be approve or reject")
		}
		if r.Version < 1 {
			v.Add(fmt.Sprintf("decisions[%d].version", i), "is required: the version you reviewed")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := make([]DecisionResult, len(reqs))
	for i, r := range reqs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		prod, err := s.decide(ctx, p, r.ID, catalog.MatchVersion(r.Version), r.Decision, r.Reason)
		if err != nil {
			var ve *errs.ValidationError
			if errors.As(err, &ve) {
				for k := range ve.Fields {
					ve.Fields[k].Field = fmt.Sprintf("decisions[%d].%s", i, ve.Fields[k].Field)
				}
			}
		}
		out[i] = DecisionResult{ID: r.ID, Product: prod, Err: err}
	}
	return out, nil
}

// Reassign moves a product to another Select center; admins only, with a
// reason. Its curators change with it.
func (s *Service) Reassign(ctx context.Context, p account.Principal, id uuid.UUID, ifm catalog.IfMatch, center, reason string) (catalog.Product, error) {
	cur, err := s.curatedProduct(ctx, p, id)
	if err != nil {
		return catalog.Product{}, err
	}
	if !p.Is(account.RoleAdmin) {
		return catalog.Product{}, errs.New(errs.ErrForbidden, "only admins move products between Select centers")
	}
	var v errs.ValidationError
	center = strings.TrimSpace(center)
	if _, ok := s.places.SelectCenter(center); !ok {
		v.Add("select_center_id", "must be one of chiang-mai, khon-kaen, songkhla, bangkok")
	} else if center == cur.SelectCenterID {
		v.Add("select_center_id", "is already the product's Select center")
	}
	reason = checkText("reason", reason, MinReasonChars, MaxReasonChars, &v)
	if err := v.Err(); err != nil {
		return catalog.Product{}, err
	}
	if !ifm.Matches(cur.Version) {
		return catalog.Product{}, errs.ErrPrecondition
	}
	if cur.Status == catalog.StatusArchived {
		return catalog.Product{}, errs.New(errs.ErrConflict, "an archived product stays where it is")
	}
	next := cur
	next.SelectCenterID, next.UpdatedAt = center, s.timestamp()
	e := audit.New(ctx, actorOf(p), audit.EntityProduct, cur.ID, center, audit.ActionReassign)
	e.Before["select_center_id"], e.After["select_center_id"], e.Reason = cur.SelectCenterID, center, reason
	return s.store.UpdateProduct(ctx, next, cur, catalog.Effects{Audit: []audit.Entry{e}})
}

// ---------------------------------------------------------------------------
// Verification

// StarsKind names the OTOP star rating among the claims Verify checks.
const StarsKind = "otop_stars"

// VerifyInput is a curator's verdict on one claim of a product: a
// certificate (Kind, and Number when it holds several of the kind) or its
// OTOP stars (Kind StarsKind).
type VerifyInput struct {
	Kind    string
	Number  string
	Verdict catalog.VerificationState
	Note    string
	IfMatch catalog.IfMatch // nil: no check
}

// Verify records a curator's verdict on a claim, with who and when. A
// disputed claim needs a note, which the producer is told. Only verified,
// unexpired certificates and verified stars count for search and TOPOTOP,
// so a TOPOTOP product that loses its readiness loses the designation.
func (s *Service) Verify(ctx context.Context, p account.Principal, id uuid.UUID, in VerifyInput) (catalog.Product, error) {
	cur, err := s.curatedProduct(ctx, p, id)
	if err != nil {
		return catalog.Product{}, err
	}
	var v errs.ValidationError
	if !in.Verdict.Valid() {
		v.Add("verdict", "must be verified or disputed")
	}
	minNote := 0
	if in.Verdict == catalog.Disputed {
		minNote = MinReasonChars
	}
	in.Note = checkText("note", in.Note, minNote, MaxReasonChars, &v)
	if in.Kind != StarsKind {
		if _, ok := s.places.CertificationKind(in.Kind); !ok || in.Kind == "otop_stars" {
			return catalog.Product{}, fmt.Errorf("certification kind %q: %w", in.Kind, errs.ErrNotFound)
		}
	}
	if err := v.Err(); err != nil {
		return catalog.Product{}, err
	}
	if !in.IfMatch.Matches(cur.Version) {
		return catalog.Product{}, errs.ErrPrecondition
	}
	if cur.Status == catalog.StatusArchived {
		return catalog.Product{}, errs.New(errs.ErrConflict, "an archived product is not verified")
	}
	now := s.timestamp()
	verdict := catalog.Verification{State: in.Verdict, By: p.UserID, At: &now, Note: in.Note}
	next := cur
	next.Certifications = slices.Clone(cur.Certifications)
	next.UpdatedAt = now
	action := audit.ActionVerify
	if in.Verdict == catalog.Disputed {
		action = audit.ActionDispute
	}
	e := audit.New(ctx, actorOf(p), audit.EntityCertification, cur.ID, cur.SelectCenterID, action)
	e.Reason = in.Note
	if in.Kind == StarsKind {
		if cur.OTOPStars == nil {
			return catalog.Product{}, fmt.Errorf("product %s has no OTOP star rating: %w", cur.ID, errs.ErrNotFound)
		}
		next.StarsVerification = verdict
		e.Before = map[string]any{"kind": StarsKind, "otop_stars": *cur.OTOPStars, "verification": cur.StarsVerification.StateOrUnverified()}
		e.After = map[string]any{"kind": StarsKind, "otop_stars": *cur.OTOPStars, "verification": in.Verdict}
	} else {
		i, err := certificateIndex(cur.Certifications, in.Kind, strings.TrimSpace(in.Number))
		if err != nil {
			return catalog.Product{}, err
		}
		c := cur.Certifications[i]
		next.Certifications[i].Verification = verdict
		e.Before = map[string]any{"kind": c.Kind, "number": c.Number, "verification": c.Verification.StateOrUnverified()}
		e.After = map[string]any{"kind": c.Kind, "number": c.Number, "verification": in.Verdict}
	}
	fx := catalog.Effects{Audit: []audit.Entry{e}}
	if in.Verdict == catalog.Disputed {
		fx.Notifications = append(fx.Notifications, notify.Notification{UserID: cur.OwnerID, Kind: notify.KindCertificateDisputed,
			SubjectType: "product", SubjectID: cur.ID,
			Data: map[string]any{"name_en": cur.NameEN, "name_th": cur.NameTH, "kind": in.Kind, "number": in.Number, "note": in.Note}})
	}
	if next.Topotop {
		if before, after := catalog.CheckReadiness(cur, now), catalog.CheckReadiness(next, now); before.Lost(after) {
			catalog.DropTopotop(ctx, actorOf(p), &next, after, &fx)
		}
	}
	return s.store.UpdateProduct(ctx, next, cur, fx)
}

// certificateIndex finds the certificate of a kind a verdict is about: the
// only one of the kind, or the one with the given number.
func certificateIndex(certs []catalog.Certification, kind, number string) (int, error) {
	found := -1
	for i, c := range certs {
		if c.Kind != kind || (number != "" && c.Number != number) {
			continue
		}
		if found >= 0 {
			return 0, errs.Invalid("number", "the product holds several certificates of this kind; name the one you checked")
		}
		found = i
	}
	if found < 0 {
		return 0, fmt.Errorf("the product holds no %s certificate %q: %w", kind, number, errs.ErrNotFound)
	}
	return found, nil
}

// ---------------------------------------------------------------------------
// TOPOTOP

// TopotopInput designates a product TOPOTOP or takes the designation away.
// Override (admins only, with a Note of 10 characters or more as the reason)
// grants it to a product that is not export-ready.
type TopotopInput struct {
	Topotop  bool
	Note     string
	Override bool
	IfMatch  catalog.IfMatch // nil: no check
}

// SetTopotop designates a published product TOPOTOP, or takes the
// designation away. Granting needs the export-readiness checklist met; the
// refusal lists the unmet items.
func (s *Service) SetTopotop(ctx context.Context, p account.Principal, id uuid.UUID, in TopotopInput) (catalog.Product, error) {
	cur, err := s.curatedProduct(ctx, p, id)
	if err != nil {
		return catalog.Product{}, err
	}
	var v errs.ValidationError
	minNote := 0
	if in.Override {
		minNote = MinReasonChars
		if !p.Is(account.RoleAdmin) {
			v.Add("override", "only an admin may override the export-readiness check")
		}
	}
	in.Note = checkText("note", in.Note, minNote, MaxReasonChars, &v)
	if err := v.Err(); err != nil {
		return catalog.Product{}, err
	}
	if !in.IfMatch.Matches(cur.Version) {
		return catalog.Product{}, errs.ErrPrecondition
	}
	if cur.Topotop == in.Topotop {
		return cur, nil
	}
	now := s.timestamp()
	if in.Topotop {
		if cur.Status != catalog.StatusPublished {
			return catalog.Product{}, errs.Newf(errs.ErrConflict, "only a published product can be TOPOTOP; this one is %s", cur.Status)
		}
		if r := catalog.CheckReadiness(cur, now); !r.Ready && !in.Override {
			var unmet errs.ValidationError
			for _, it := range r.Items {
				if !it.Met {
					unmet.Add("readiness."+it.ID, "needs "+it.Message)
				}
			}
			return catalog.Product{}, &unmet
		}
	}
	next := cur
	next.Topotop, next.UpdatedAt = in.Topotop, now
	e := audit.New(ctx, actorOf(p), audit.EntityProduct, cur.ID, cur.SelectCenterID, audit.ActionTopotop)
	e.Before["topotop"], e.After["topotop"], e.Reason = cur.Topotop, in.Topotop, in.Note
	if in.Override {
		e.After["readiness_override"] = true
	}
	kind := notify.KindTopotopGranted
	if !in.Topotop {
		kind = notify.KindTopotopDropped
	}
	fx := catalog.Effects{
		Audit: []audit.Entry{e},
		Notifications: []notify.Notification{{UserID: cur.OwnerID, Kind: kind, SubjectType: "product", SubjectID: cur.ID,
			Data: map[string]any{"name_en": cur.NameEN, "name_th": cur.NameTH, "note": in.Note}}},
	}
	return s.store.UpdateProduct(ctx, next, cur, fx)
}

// Readiness is a product's export-readiness checklist, for its producer
// and its Select center's staff.
func (s *Service) Readiness(ctx context.Context, p account.Principal, id uuid.UUID) (catalog.Readiness, error) {
	prod, err := s.privilegedProduct(ctx, p, id)
	if err != nil {
		return catalog.Readiness{}, err
	}
	return catalog.CheckReadiness(prod, s.now()), nil
}

// ---------------------------------------------------------------------------
// Queue and summary

const queueList = "curation-queue"

// Queue returns a page of products pending review, oldest submission
// first: a curator's own center's, or for admins every center's (or the
// one of f.SelectCenter).
func (s *Service) Queue(ctx context.Context, p account.Principal, f QueueFilter) (QueuePage, error) {
	if err := requireStaff(p); err != nil {
		return QueuePage{}, err
	}
	var v errs.ValidationError
	if p.Is(account.RoleCurator) {
		if f.SelectCenter != "" && f.SelectCenter != p.SelectCenterID {
			v.Add("select_center", "a curator sees their own Select center's queue only")
		}
		f.SelectCenter = p.SelectCenterID
	}
	catalog.CheckFilterValues(s.places, catalog.ProductFilter{SelectCenter: f.SelectCenter, Province: f.Province,
		Cluster: f.Cluster, Category: f.Category, CreativeIndustry: f.CreativeIndustry}, &v)
	limit := keyset.Limit(f.Limit, &v)
	q := QueueQuery{QueueFilter: f, After: keyset.After(queueList, f.Cursor, &v)}
	if err := v.Err(); err != nil {
		return QueuePage{}, errs.AsQuery(err)
	}
	q.Limit = limit + 1
	rows, err := s.store.Queue(ctx, q)
	if err != nil {
		return QueuePage{}, err
	}
	var page QueuePage
	rows, page.NextCursor = keyset.Trim(queueList, rows, limit, func(r QueueRow) keyset.Position {
		return keyset.Position{At: submittedAt(r.Product), ID: r.Product.ID.String()}
	})
	now := s.now()
	y, m, d := now.UTC().Date()
	page.Until = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
	for _, r := range rows {
		item := QueueItem{Product: r.Product, Producer: r.Producer, SubmittedAt: submittedAt(r.Product),
			Readiness: catalog.CheckReadiness(r.Product, now)}
		item.WaitingDays = int(now.Sub(item.SubmittedAt) / (24 * time.Hour))
		if next := item.SubmittedAt.Add(time.Duration(item.WaitingDays+1) * 24 * time.Hour); next.Before(page.Until) {
			page.Until = next
		}
		if r.Published != nil {
			fields, added, removed := catalog.Changes(r.Published, catalog.PublicFields(r.Product))
			item.Changes = &Changes{Fields: fields, PhotosAdded: added, PhotosRemoved: removed}
		}
		page.Items = append(page.Items, item)
	}
	return page, nil
}

func submittedAt(p catalog.Product) time.Time {
	if p.SubmittedAt == nil {
		return p.UpdatedAt
	}
	return *p.SubmittedAt
}

// Summary is the state of the queues: every center's for admins, a
// curator's own center's for them.
func (s *Service) Summary(ctx context.Context, p account.Principal) ([]CenterSummary, error) {
	if err := requireStaff(p); err != nil {
		return nil, err
	}
	all, err := s.store.Summary(ctx, s.now().Add(-30*24*time.Hour))
	if err != nil {
		return nil, err
	}
	if p.Is(account.RoleAdmin) {
		return all, nil
	}
	return slices.DeleteFunc(all, func(c CenterSummary) bool { return c.SelectCenterID != p.SelectCenterID }), nil
}

// ---------------------------------------------------------------------------
// Audit

const auditList = "audit"

// AuditActions are the actions the log records, for filter checks.
func AuditActions() []string {
	return []string{audit.ActionSubmit, audit.ActionApprove, audit.ActionReject, audit.ActionReassign,
		audit.ActionTopotop, audit.ActionTopotopDropped, audit.ActionVerify, audit.ActionDispute,
		audit.ActionArchive, audit.ActionCreateStaff, audit.ActionUpdateProfile}
}

// Audit returns a page of the audit log, newest first: everything for
// admins, their own center's entities for curators.
func (s *Service) Audit(ctx context.Context, p account.Principal, f AuditFilter) (AuditPage, error) {
	if err := requireStaff(p); err != nil {
		return AuditPage{}, err
	}
	q := AuditQuery{AuditFilter: f}
	if p.Is(account.RoleCurator) {
		q.SelectCenter = p.SelectCenterID
	}
	return s.auditPage(ctx, q)
}

// History is the audit log of one product, for its producer and its staff.
func (s *Service) History(ctx context.Context, p account.Principal, id uuid.UUID, limit int, cursor string) (AuditPage, error) {
	if _, err := s.privilegedProduct(ctx, p, id); err != nil {
		return AuditPage{}, err
	}
	return s.auditPage(ctx, AuditQuery{AuditFilter: AuditFilter{EntityID: id, Limit: limit, Cursor: cursor}})
}

func (s *Service) auditPage(ctx context.Context, q AuditQuery) (AuditPage, error) {
	var v errs.ValidationError
	entityTypes := []string{audit.EntityProduct, audit.EntityProducer, audit.EntityCertification, audit.EntityUser}
	if q.EntityType != "" && !slices.Contains(entityTypes, q.EntityType) {
		v.Add("entity_type", "must be one of "+strings.Join(entityTypes, ", "))
	}
	if q.Action != "" && !slices.Contains(AuditActions(), q.Action) {
		v.Add("action", "must be one of "+strings.Join(AuditActions(), ", "))
	}
	if q.From != nil && q.To != nil && q.To.Before(*q.From) {
		v.Add("to", "must not be before from")
	}
	limit := keyset.Limit(q.Limit, &v)
	q.After = keyset.After(auditList, q.Cursor, &v)
	if err := v.Err(); err != nil {
		return AuditPage{}, errs.AsQuery(err)
	}
	q.Limit = limit + 1
	items, err := s.store.AuditEntries(ctx, q)
	if err != nil {
		return AuditPage{}, err
	}
	var page AuditPage
	page.Items, page.NextCursor = keyset.Trim(auditList, items, limit, func(e audit.Entry) keyset.Position {
		return keyset.Position{At: e.CreatedAt, ID: fmt.Sprint(e.ID)}
	})
	return page, nil
}

// ---------------------------------------------------------------------------
// The daily job

// Daily tells producers of certificates expiring within ExpiryWarningDays
// (once per certificate and expiry date) and takes TOPOTOP away from
// products that an expired certificate made no longer export-ready. It
// returns how many notices it wrote and designations it dropped.
func (s *Service) Daily(ctx context.Context) (warned, dropped int, err error) {
	now := s.timestamp()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	expiring, err := s.store.ExpiringCertificates(ctx, today, today.AddDate(0, 0, ExpiryWarningDays))
	if err != nil {
		return 0, 0, err
	}
	notes := make([]notify.Notification, 0, len(expiring))
	for _, c := range expiring {
		day := c.ExpiresOn.Format(time.DateOnly)
		notes = append(notes, notify.Notification{UserID: c.OwnerID, Kind: notify.KindCertificateExpiring,
			SubjectType: "product", SubjectID: c.ProductID,
			Data:      map[string]any{"name_en": c.NameEN, "name_th": c.NameTH, "kind": c.Kind, "number": c.Number, "expires_on": day},
			DedupeKey: "certificate_expiring:" + c.ProductID.String() + ":" + c.Kind + ":" + c.Number + ":" + day})
	}
	if err := s.store.Notify(ctx, notes); err != nil {
		return 0, 0, err
	}
	ids, err := s.store.TopotopProducts(ctx)
	if err != nil {
		return len(notes), 0, err
	}
	for _, id := range ids {
		prod, err := s.store.Product(ctx, id)
		if err != nil {
			return len(notes), dropped, err
		}
		// Readiness on a day before any expiry, against today's: only what
		// expired since counts, not what an admin's override accepted.
		before, after := catalog.CheckReadiness(prod, time.Time{}), catalog.CheckReadiness(prod, now)
		if !prod.Topotop || !before.Lost(after) {
			continue
		}
		next := prod
		next.UpdatedAt = now
		var fx catalog.Effects
		catalog.DropTopotop(ctx, audit.System(), &next, after, &fx)
		_, err = s.store.UpdateProduct(ctx, next, prod, fx)
		switch {
		case errors.Is(err, errs.ErrPrecondition):
			continue // changed meanwhile; tomorrow's run looks again
		case err != nil:
			return len(notes), dropped, err
		}
		dropped++
	}
	return len(notes), dropped, nil
}
