package catalog

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/keyset"
	"github.com/otopmarket/otop/internal/notify"
)

// Service applies the catalogue's rules: validation, the product lifecycle,
// and who may see and change what. Authorization is decided here, on the
// object: unpublished products are visible only to their owner, to curators
// of their Select center and to admins; anyone else is told they do not exist.
type Service struct {
	repo   Repository
	places Places
	now    func() time.Time
}

// NewService returns the catalogue service. clock gives the current time.
func NewService(repo Repository, places Places, clock func() time.Time) *Service {
	return &Service{repo: repo, places: places, now: clock}
}

// timestamp is the current time as PostgreSQL stores it (UTC, microseconds).
func (s *Service) timestamp() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

func requireSignedIn(p account.Principal) error {
	if p.Anonymous() {
		return errs.New(errs.ErrUnauthenticated, "sign in first")
	}
	return nil
}

// ---------------------------------------------------------------------------
// Producers

// CreateProducer creates the caller's enterprise profile. Only producer
// accounts have one, and at most one.
func (s *Service) CreateProducer(ctx context.Context, p account.Principal, in ProducerInput) (Producer, error) {
	if err := requireSignedIn(p); err != nil {
		return Producer{}, err
	}
	if !p.Is(account.RoleProducer) {
		return Producer{}, errs.New(errs.ErrForbidden, "only producer accounts have an enterprise profile")
	}
	var v errs.ValidationError
	prod := Producer{UserID: p.UserID, Contact: &Contact{}}
	applyProducer(&prod, in)
	switch province, ok := s.places.Province(prod.ProvinceCode); {
	case prod.ProvinceCode == "":
		v.Add("province_code", "is required")
	case !ok:
		v.Add("province_code", "unknown province; use an ISO 3166-2 code such as TH-50 (see GET /v1/provinces)")
	default:
		prod.Region = province.Region
		prod.ClusterID = ""
		if province.ClusterID != nil {
			prod.ClusterID = *province.ClusterID
		}
	}
	s.validateProducer(prod, &v)
	if err := firstPerField(&v); err != nil {
		return Producer{}, err
	}
	prod.CreatedAt = s.timestamp()
	prod.UpdatedAt = prod.CreatedAt
	created, err := s.repo.CreateProducer(ctx, prod)
	if errors.Is(err, errs.ErrConflict) {
		return Producer{}, errs.New(errs.ErrConflict, "this account already has a producer profile")
	}
	return created, err
}

// UpdateProducer changes the caller's own profile if ifm matches its version
// (errs.ErrPrecondition otherwise). Without a precondition the caller asked
// for the last write to win: a concurrent change is retried, not reported.
func (s *Service) UpdateProducer(ctx context.Context, p account.Principal, id uuid.UUID, ifm IfMatch, in ProducerInput) (Producer, error) {
	return retryUnconditional(ifm, func() (Producer, error) { return s.updateProducer(ctx, p, id, ifm, in) })
}

// retryUnconditional runs an update again when it lost a race it did not
// ask to be told of (no If-Match): a few times, on the version now stored.
func retryUnconditional[T any](ifm IfMatch, update func() (T, error)) (T, error) {
	const attempts = 16
	for i := 1; ; i++ {
		out, err := update()
		if ifm != nil || i == attempts || !errors.Is(err, errs.ErrPrecondition) {
			return out, err
		}
		// A little jitter, so that writers racing for one row take turns.
		time.Sleep(time.Duration(rand.Int64N(int64(i) * int64(time.Millisecond))))
	}
}

func (s *Service) updateProducer(ctx context.Context, p account.Principal, id uuid.UUID, ifm IfMatch, in ProducerInput) (Producer, error) {
	if err := requireSignedIn(p); err != nil {
		return Producer{}, err
	}
	cur, err := s.repo.Producer(ctx, id)
	if err != nil {
		return Producer{}, err
	}
	if cur.UserID != p.UserID {
		return Producer{}, errs.New(errs.ErrForbidden, "only its owner may change a producer profile")
	}
	if !ifm.Matches(cur.Version) {
		return Producer{}, errs.ErrPrecondition
	}
	var v errs.ValidationError
	if in.ProvinceCode != nil && strings.TrimSpace(*in.ProvinceCode) != cur.ProvinceCode {
		v.Add("province_code", "cannot be changed once the profile exists; ask your OTOP Select center")
	}
	next := cur
	contact := *cur.Contact
	next.Contact = &contact
	changed := applyProducer(&next, in)
	next.ProvinceCode = cur.ProvinceCode
	s.validateProducer(next, &v)
	if err := firstPerField(&v); err != nil {
		return Producer{}, err
	}
	if !changed {
		return cur, nil
	}
	next.UpdatedAt = s.timestamp()
	center := ""
	if province, ok := s.places.Province(cur.ProvinceCode); ok {
		center = province.SelectCenterID
	}
	e := audit.New(ctx, actorOf(p), audit.EntityProducer, cur.ID, center, audit.ActionUpdateProfile)
	e.Before, e.After = ChangedFields(producerFields(cur), producerFields(next))
	return s.repo.UpdateProducer(ctx, next, cur.Version, Effects{Audit: []audit.Entry{e}})
}

// producerFields are a profile's fields by their API names, for the audit
// log's before and after.
func producerFields(p Producer) map[string]any {
	m := map[string]any{"name_th": p.NameTH, "name_en": p.NameEN, "kind": p.Kind, "amphoe": p.Amphoe,
		"tambon": p.Tambon, "enterprise_level": p.EnterpriseLevel, "story_th": p.StoryTH, "story_en": p.StoryEN}
	if c := p.Contact; c != nil {
		m["contact"] = map[string]any{"phone": c.Phone, "email": c.Email, "line_id": c.LineID, "website": c.Website}
	}
	return m
}

// GetProducer returns a profile. Its contact details are shown to its owner
// and to staff only.
func (s *Service) GetProducer(ctx context.Context, p account.Principal, id uuid.UUID) (Producer, error) {
	prod, err := s.repo.Producer(ctx, id)
	if err != nil {
		return Producer{}, err
	}
	return producerView(p, prod), nil
}

// ListProducers lists profiles, newest first.
func (s *Service) ListProducers(ctx context.Context, p account.Principal, f ProducerFilter) (Page[Producer], error) {
	var v errs.ValidationError
	if f.Province != "" {
		if _, ok := s.places.Province(f.Province); !ok {
			v.Add("province", "unknown province; use an ISO 3166-2 code such as TH-50")
		}
	}
	if f.Cluster != "" {
		if _, ok := s.places.Cluster(f.Cluster); !ok {
			v.Add("cluster", "unknown cluster id; see GET /v1/clusters")
		}
	}
	limit := keyset.Limit(f.Limit, &v)
	q := ProducerQuery{ProducerFilter: f}
	if f.Cursor != "" {
		pos, ok := decodeCursor(f.Cursor, producerSort)
		if !ok {
			v.Add("cursor", "is not a cursor of this list; start again without it")
		}
		q.After = &pos
	}
	if err := firstPerField(&v); err != nil {
		return Page[Producer]{}, errs.AsQuery(err)
	}
	q.Limit = limit + 1
	items, err := s.repo.ListProducers(ctx, q)
	if err != nil {
		return Page[Producer]{}, err
	}
	var page Page[Producer]
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		page.NextCursor = encodeCursor(producerSort, Position{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	for _, it := range items {
		page.Items = append(page.Items, producerView(p, it))
	}
	return page, nil
}

// producerView hides the contact details from everyone but the owner and staff.
func producerView(p account.Principal, prod Producer) Producer {
	owner := !p.Anonymous() && prod.UserID == p.UserID
	if !owner && !p.Staff() {
		prod.Contact = nil
	}
	return prod
}

func applyProducer(p *Producer, in ProducerInput) bool {
	var c changes
	c.text(&p.NameTH, in.NameTH)
	c.text(&p.NameEN, in.NameEN)
	if in.Kind != nil {
		c.text((*string)(&p.Kind), in.Kind)
	}
	c.text(&p.ProvinceCode, in.ProvinceCode)
	c.text(&p.Amphoe, in.Amphoe)
	c.text(&p.Tambon, in.Tambon)
	c.int(&p.EnterpriseLevel, in.EnterpriseLevel)
	c.text(&p.StoryTH, in.StoryTH)
	c.text(&p.StoryEN, in.StoryEN)
	if in.Contact != nil {
		c.text(&p.Contact.Phone, in.Contact.Phone)
		c.text(&p.Contact.Email, in.Contact.Email)
		c.text(&p.Contact.LineID, in.Contact.LineID)
		c.text(&p.Contact.Website, in.Contact.Website)
	}
	return c.any
}

// ---------------------------------------------------------------------------
// Products

// MyProducer returns the producer profile of the caller, a producer
// account; ErrNotFound when it has none yet (or the caller is no producer).
func (s *Service) MyProducer(ctx context.Context, p account.Principal) (Producer, error) {
	if err := requireSignedIn(p); err != nil {
		return Producer{}, err
	}
	if !p.Is(account.RoleProducer) {
		return Producer{}, errs.New(errs.ErrNotFound, "only producer accounts have a producer profile")
	}
	return s.repo.ProducerByUser(ctx, p.UserID)
}

// CreateProduct adds a draft to the caller's producer profile. Its province
// comes from the producer; cluster, region and default Select center are
// derived from the province.
func (s *Service) CreateProduct(ctx context.Context, p account.Principal, in ProductInput) (Product, error) {
	if err := requireSignedIn(p); err != nil {
		return Product{}, err
	}
	if !p.Is(account.RoleProducer) {
		return Product{}, errs.New(errs.ErrForbidden, "only producer accounts list products")
	}
	producer, err := s.repo.ProducerByUser(ctx, p.UserID)
	if errors.Is(err, errs.ErrNotFound) {
		return Product{}, errs.Invalid("producer", "create your producer profile (POST /v1/producers) before adding products")
	}
	if err != nil {
		return Product{}, err
	}
	province, ok := s.places.Province(producer.ProvinceCode)
	if !ok {
		return Product{}, fmt.Errorf("producer %s: province %q is not in the reference data", producer.ID, producer.ProvinceCode)
	}
	prod := Product{
		ProducerID: producer.ID, OwnerID: p.UserID, Status: StatusDraft,
		PriceTiers: []PriceTier{}, Tags: []string{}, Certifications: []Certification{},
		ProvinceCode: province.Code, Region: province.Region, SelectCenterID: province.SelectCenterID,
	}
	if province.ClusterID != nil {
		prod.ClusterID = *province.ClusterID
	}
	var v errs.ValidationError
	s.applyProduct(&prod, in, &v)
	s.validateProduct(prod, false, &v)
	if err := firstPerField(&v); err != nil {
		return Product{}, err
	}
	prod.CreatedAt = s.timestamp()
	prod.UpdatedAt = prod.CreatedAt
	return s.repo.CreateProduct(ctx, prod)
}

// GetProduct returns a product the caller may see.
func (s *Service) GetProduct(ctx context.Context, p account.Principal, id uuid.UUID) (Product, error) {
	prod, err := s.visibleProduct(ctx, p, id)
	if err != nil {
		return Product{}, err
	}
	return productView(p, prod), nil
}

// UpdateProduct changes the caller's own product if ifm matches its
// version (errs.ErrPrecondition otherwise; without a precondition a
// concurrent change is retried: the last write wins). Changing a published
// product sends it back to review; a request that changes nothing changes
// nothing (not even the version).
func (s *Service) UpdateProduct(ctx context.Context, p account.Principal, id uuid.UUID, ifm IfMatch, in ProductInput) (Product, error) {
	return retryUnconditional(ifm, func() (Product, error) { return s.updateProduct(ctx, p, id, ifm, in) })
}

func (s *Service) updateProduct(ctx context.Context, p account.Principal, id uuid.UUID, ifm IfMatch, in ProductInput) (Product, error) {
	cur, err := s.ownProduct(ctx, p, id)
	if err != nil {
		return Product{}, err
	}
	if !ifm.Matches(cur.Version) {
		return Product{}, errs.ErrPrecondition
	}
	if cur.Status == StatusArchived {
		return Product{}, errs.New(errs.ErrConflict, "an archived product cannot be changed")
	}
	next := cloneProduct(cur)
	var v errs.ValidationError
	changed := s.applyProduct(&next, in, &v)
	s.validateProduct(next, next.Status == StatusPendingReview || next.Status == StatusPublished, &v)
	if err := firstPerField(&v); err != nil {
		return Product{}, err
	}
	if !changed {
		return productView(p, cur), nil
	}
	ClearedVerifications(cur, &next)
	next.UpdatedAt = s.timestamp()
	var fx Effects
	if cur.Status == StatusPublished && reviewedChange(cur, next) {
		next.Status = StatusPendingReview
		next.SubmittedAt = &next.UpdatedAt
		fx.Audit = append(fx.Audit, s.lifecycleEntry(ctx, p, cur, next, audit.ActionSubmit, "edited while published"))
	}
	if next.Topotop {
		if before, after := CheckReadiness(cur, next.UpdatedAt), CheckReadiness(next, next.UpdatedAt); before.Lost(after) {
			DropTopotop(ctx, actorOf(p), &next, after, &fx)
		}
	}
	updated, err := s.repo.UpdateProduct(ctx, next, cur, fx)
	if err != nil {
		return Product{}, err
	}
	return productView(p, updated), nil
}

// reviewedChange reports whether next differs from cur in what curators
// review (PublicFields); stock and SKU are not reviewed.
func reviewedChange(cur, next Product) bool {
	fields, added, removed := Changes(normalise(PublicFields(cur)), normalise(PublicFields(next)))
	return len(fields)+len(added)+len(removed) > 0
}

// actorOf is the principal as the audit log records it.
func actorOf(p account.Principal) audit.Actor {
	return audit.Actor{ID: p.UserID, Role: string(p.Role)}
}

// lifecycleEntry is the audit row of a status change by p.
func (s *Service) lifecycleEntry(ctx context.Context, p account.Principal, cur, next Product, action, reason string) audit.Entry {
	e := audit.New(ctx, actorOf(p), audit.EntityProduct, cur.ID, cur.SelectCenterID, action)
	e.Before["status"], e.After["status"] = cur.Status, next.Status
	e.Reason = reason
	return e
}

// DropTopotop takes the TOPOTOP designation away from p because it is no
// longer export-ready, recording why in fx (an audit row naming the unmet
// items, and a notification to the producer).
func DropTopotop(ctx context.Context, actor audit.Actor, p *Product, r Readiness, fx *Effects) {
	p.Topotop = false
	unmet := r.Unmet()
	e := audit.New(ctx, actor, audit.EntityProduct, p.ID, p.SelectCenterID, audit.ActionTopotopDropped)
	e.Before["topotop"], e.After["topotop"] = true, false
	e.Reason = "no longer export-ready: " + strings.Join(unmet, ", ")
	fx.Audit = append(fx.Audit, e)
	fx.Notifications = append(fx.Notifications, notify.Notification{
		UserID: p.OwnerID, Kind: notify.KindTopotopDropped, SubjectType: "product", SubjectID: p.ID,
		Data: map[string]any{"name_en": p.NameEN, "name_th": p.NameTH, "unmet": unmet},
	})
}

// SubmitProduct sends a draft or rejected product to its Select center for
// review, once it is complete.
func (s *Service) SubmitProduct(ctx context.Context, p account.Principal, id uuid.UUID) (Product, error) {
	cur, err := s.ownProduct(ctx, p, id)
	if err != nil {
		return Product{}, err
	}
	if cur.Status != StatusDraft && cur.Status != StatusRejected {
		return Product{}, errs.Newf(errs.ErrConflict, "only a draft or rejected product can be submitted; this one is %s", cur.Status)
	}
	var v errs.ValidationError
	s.validateProduct(cur, true, &v)
	if err := firstPerField(&v); err != nil {
		return Product{}, err
	}
	next := cloneProduct(cur)
	next.Status = StatusPendingReview
	next.RejectionReason = ""
	next.UpdatedAt = s.timestamp()
	next.SubmittedAt = &next.UpdatedAt
	fx := Effects{Audit: []audit.Entry{s.lifecycleEntry(ctx, p, cur, next, audit.ActionSubmit, "")}}
	updated, err := s.repo.UpdateProduct(ctx, next, cur, fx)
	if err != nil {
		return Product{}, err
	}
	return productView(p, updated), nil
}

// ArchiveProduct withdraws a product for good; its owner or an admin may.
// Archived products are never public. Archiving twice is not an error.
func (s *Service) ArchiveProduct(ctx context.Context, p account.Principal, id uuid.UUID) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	cur, err := s.visibleProduct(ctx, p, id)
	if err != nil {
		return err
	}
	if cur.OwnerID != p.UserID && !p.Is(account.RoleAdmin) {
		return errs.New(errs.ErrForbidden, "only the owner or an admin may archive a product")
	}
	if cur.Status == StatusArchived {
		return nil
	}
	next := cloneProduct(cur)
	next.Status = StatusArchived
	next.Topotop = false
	next.UpdatedAt = s.timestamp()
	e := s.lifecycleEntry(ctx, p, cur, next, audit.ActionArchive, "")
	if cur.Topotop {
		e.Before["topotop"], e.After["topotop"] = true, false
	}
	_, err = s.repo.UpdateProduct(ctx, next, cur, Effects{Audit: []audit.Entry{e}})
	return err
}

// ListProducts lists the products matching f that the caller may see, one
// page at a time. Without a status filter it lists published products. Other
// statuses are for admins, for curators (within their own Select center) and
// for a producer listing their own products (f.Producer = their profile).
func (s *Service) ListProducts(ctx context.Context, p account.Principal, f ProductFilter) (Page[Product], error) {
	q, limit, err := s.productQuery(ctx, p, f, true)
	if err != nil {
		return Page[Product]{}, err
	}
	q.Limit = limit + 1
	items, err := s.repo.ListProducts(ctx, q)
	if err != nil {
		return Page[Product]{}, err
	}
	var page Page[Product]
	if len(items) > limit {
		items = items[:limit]
		page.NextCursor = encodeCursor(string(q.Sort), productPosition(items[limit-1]))
	}
	for _, it := range items {
		page.Items = append(page.Items, productView(p, it))
	}
	return page, nil
}

// productQuery checks f (its filters, sort and, when paged, its limit and
// cursor) and the statuses p may list, as ListProducts and ExportProducts
// run it; the errors are the query's (400). limit is the page's size.
func (s *Service) productQuery(ctx context.Context, p account.Principal, f ProductFilter, paged bool) (ProductQuery, int, error) {
	var v errs.ValidationError
	s.checkProductFilter(f, &v)
	if f.Sort == "" {
		f.Sort = SortNewest
	}
	if !slices.Contains(Sorts(), f.Sort) {
		v.Add("sort", "must be one of newest, price_asc, price_desc, name")
	}
	limit := 0
	if !paged {
		f.Limit, f.Cursor = 0, ""
	} else {
		limit = keyset.Limit(f.Limit, &v)
	}
	q := ProductQuery{ProductFilter: f}
	if f.Cursor != "" {
		pos, ok := decodeCursor(f.Cursor, string(f.Sort))
		if !ok {
			v.Add("cursor", "is not a cursor of this list and sort; start again without it")
		}
		q.After = &pos
	}
	if err := firstPerField(&v); err != nil {
		return ProductQuery{}, 0, errs.AsQuery(err)
	}
	if err := s.scopeStatuses(ctx, p, &q.ProductFilter); err != nil {
		return ProductQuery{}, 0, errs.AsQuery(err)
	}
	return q, limit, nil
}

func (s *Service) checkProductFilter(f ProductFilter, v *errs.ValidationError) {
	CheckFilterValues(s.places, f, v)
}

// CheckFilterValues checks the filters products, search and the review
// queues share against the reference data.
func CheckFilterValues(places Places, f ProductFilter, v *errs.ValidationError) {
	lookups := []struct {
		field, value, message string
		ok                    func(string) bool
	}{
		{"province", f.Province, "unknown province; use an ISO 3166-2 code such as TH-50", func(id string) bool { _, ok := places.Province(id); return ok }},
		{"cluster", f.Cluster, "unknown cluster id; see GET /v1/clusters", func(id string) bool { _, ok := places.Cluster(id); return ok }},
		{"region", f.Region, "must be one of north, northeast, central, south", func(id string) bool { _, ok := places.Region(id); return ok }},
		{"category", f.Category, "must be one of food, beverage, textile, household, herbal", func(id string) bool { _, ok := places.Category(id); return ok }},
		{"select_center", f.SelectCenter, "must be one of chiang-mai, khon-kaen, songkhla, bangkok", func(id string) bool { _, ok := places.SelectCenter(id); return ok }},
		{"creative_industry", f.CreativeIndustry, "unknown creative industry; see GET /v1/creative-industries", func(id string) bool { _, ok := places.CreativeIndustry(id); return ok }},
	}
	for _, l := range lookups {
		if l.value != "" && !l.ok(l.value) {
			v.Add(l.field, l.message)
		}
	}
	if f.MinStars < 0 || f.MinStars > 5 {
		v.Add("min_stars", "must be between 1 and 5")
	}
	for _, st := range f.Status {
		if !st.Valid() {
			v.Add("status", "must be a comma-separated list of draft, pending_review, published, rejected, archived")
			break
		}
	}
}

// scopeStatuses enforces who may list which statuses: anything but
// published needs an admin, a curator (whose list is narrowed to their own
// Select center) or a producer listing their own products.
func (s *Service) scopeStatuses(ctx context.Context, p account.Principal, f *ProductFilter) error {
	if len(f.Status) == 0 {
		f.Status = []Status{StatusPublished}
	}
	if !slices.ContainsFunc(f.Status, func(st Status) bool { return st != StatusPublished }) || p.Is(account.RoleAdmin) {
		return nil
	}
	if p.Is(account.RoleCurator) {
		if f.SelectCenter != "" && f.SelectCenter != p.SelectCenterID {
			return errs.Invalid("status", "a curator may list unpublished products of their own Select center only")
		}
		f.SelectCenter = p.SelectCenterID
		return nil
	}
	if p.Is(account.RoleProducer) && f.Producer != uuid.Nil {
		own, err := s.repo.ProducerByUser(ctx, p.UserID)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return err
		}
		if err == nil && own.ID == f.Producer {
			return nil
		}
	}
	return errs.Invalid("status", "only published products are public; to list your own products by status, add producer=<your producer id>")
}

// visibleProduct loads a product the caller may see; any other is not found.
func (s *Service) visibleProduct(ctx context.Context, p account.Principal, id uuid.UUID) (Product, error) {
	prod, err := s.repo.Product(ctx, id)
	if err != nil {
		return Product{}, err
	}
	if !CanSee(p, prod) {
		return Product{}, fmt.Errorf("product %s: %w", id, errs.ErrNotFound)
	}
	return prod, nil
}

// ownProduct loads a product the caller may change: their own. Another
// producer's product is not found when the caller cannot see it, and
// forbidden when they can (it is published).
func (s *Service) ownProduct(ctx context.Context, p account.Principal, id uuid.UUID) (Product, error) {
	if err := requireSignedIn(p); err != nil {
		return Product{}, err
	}
	prod, err := s.visibleProduct(ctx, p, id)
	if err != nil {
		return Product{}, err
	}
	if prod.OwnerID != p.UserID {
		return Product{}, errs.New(errs.ErrForbidden, "only its producer may change a product")
	}
	return prod, nil
}

// AuthorizeImageEdit allows the product's owner to change its photos, unless
// it is archived.
func (s *Service) AuthorizeImageEdit(ctx context.Context, p account.Principal, productID uuid.UUID) error {
	prod, err := s.ownProduct(ctx, p, productID)
	if err != nil {
		return err
	}
	if prod.Status == StatusArchived {
		return errs.New(errs.ErrConflict, "an archived product cannot change")
	}
	return nil
}

func productView(p account.Principal, prod Product) Product {
	if !Privileged(p, prod) {
		return PublicView(prod)
	}
	return prod
}

// PublicView hides what only the owner and staff see: the rejection
// reason, and the details of verifications (who, the curator's note, a
// dispute) beyond whether a claim is verified.
func PublicView(prod Product) Product {
	prod.RejectionReason = ""
	prod.Certifications = slices.Clone(prod.Certifications)
	for i := range prod.Certifications {
		prod.Certifications[i].Verification = publicVerification(prod.Certifications[i].Verification)
	}
	prod.StarsVerification = publicVerification(prod.StarsVerification)
	prod.ReviewedBy = uuid.Nil
	return prod
}

func publicVerification(v Verification) Verification {
	if !v.IsVerified() {
		return Verification{}
	}
	return Verification{State: Verified, At: v.At}
}

func cloneProduct(p Product) Product {
	p.PriceTiers = slices.Clone(p.PriceTiers)
	p.Tags = slices.Clone(p.Tags)
	p.Certifications = slices.Clone(p.Certifications)
	if p.Price != nil {
		m := *p.Price
		p.Price = &m
	}
	return p
}

// applyProduct copies the fields set in in onto p, normalising them, and
// reports whether anything changed. Problems only visible in the request
// (an unreadable date, an empty tag) are added to v.
func (s *Service) applyProduct(p *Product, in ProductInput, v *errs.ValidationError) bool {
	var c changes
	c.text(&p.NameTH, in.NameTH)
	c.text(&p.NameEN, in.NameEN)
	c.text(&p.DescriptionTH, in.DescriptionTH)
	c.text(&p.DescriptionEN, in.DescriptionEN)
	c.text(&p.Category, in.Category)
	c.nullText(&p.CreativeIndustry, in.CreativeIndustry)
	c.nullInt(&p.OTOPStars, in.OTOPStars)
	c.nullInt(&p.OTOPStarsYear, in.OTOPStarsYear)
	if in.Price != nil {
		m := Money{Currency: strings.ToUpper(strings.TrimSpace(in.Price.Currency))}
		if m.Currency == "" {
			m.Currency = Currency
		}
		if in.Price.AmountMinor == nil {
			v.Add("price.amount_minor", "is required")
		} else if m.AmountMinor = *in.Price.AmountMinor; p.Price == nil || *p.Price != m {
			p.Price, c.any = &m, true
		}
	}
	if in.PriceTiers != nil {
		if tiers := parseTiers(*in.PriceTiers, v); !slices.Equal(p.PriceTiers, tiers) {
			p.PriceTiers, c.any = tiers, true
		}
	}
	if in.MOQ != nil && (p.MOQ == nil || *p.MOQ != *in.MOQ) {
		moq := *in.MOQ
		p.MOQ, c.any = &moq, true
	}
	c.text(&p.Unit, in.Unit)
	c.nullInt(&p.MonthlyCapacity, in.MonthlyCapacity)
	c.nullInt(&p.LeadTimeDays, in.LeadTimeDays)
	if in.HSCode != nil {
		hs := *in.HSCode
		hs.Value = normaliseHSCode(hs.Value)
		c.nullText(&p.HSCode, &hs)
	}
	c.nullInt(&p.WeightGrams, in.WeightGrams)
	c.nullInt(&p.Stock, in.Stock)
	if in.SKU != nil {
		sku := *in.SKU
		sku.Value = strings.TrimSpace(sku.Value)
		c.nullText(&p.SKU, &sku)
	}
	if in.Tags != nil {
		if tags := normaliseTags(*in.Tags, v); !slices.Equal(p.Tags, tags) {
			p.Tags, c.any = tags, true
		}
	}
	if in.Certifications != nil {
		if certs := parseCertifications(*in.Certifications, v); !sameCertifications(p.Certifications, certs) {
			p.Certifications, c.any = certs, true
		}
	}
	return c.any
}

func parseTiers(in []PriceTierInput, v *errs.ValidationError) []PriceTier {
	out := make([]PriceTier, 0, len(in))
	for i, t := range in {
		at := fmt.Sprintf("price_tiers[%d]", i)
		var tier PriceTier
		if t.MinQuantity == nil {
			v.Add(at+".min_quantity", "is required")
		} else {
			tier.MinQuantity = *t.MinQuantity
		}
		if t.AmountMinor == nil {
			v.Add(at+".amount_minor", "is required")
		} else {
			tier.AmountMinor = *t.AmountMinor
		}
		out = append(out, tier)
	}
	return out
}

func parseCertifications(in []CertificationInput, v *errs.ValidationError) []Certification {
	out := make([]Certification, 0, len(in))
	for i, ci := range in {
		c := Certification{Kind: strings.TrimSpace(ci.Kind), Number: strings.TrimSpace(ci.Number)}
		if e := strings.TrimSpace(ci.ExpiresOn); e != "" {
			d, ok := parseDate(e)
			if ok {
				c.ExpiresOn = &d
			} else {
				v.Add(fmt.Sprintf("certifications[%d].expires_on", i), "must be a date such as 2027-03-31, between the years 1950 and 2200")
			}
		}
		out = append(out, c)
	}
	return out
}

func sameCertifications(a, b []Certification) bool {
	return slices.EqualFunc(a, b, func(x, y Certification) bool {
		sameDate := (x.ExpiresOn == nil) == (y.ExpiresOn == nil) && (x.ExpiresOn == nil || x.ExpiresOn.Equal(*y.ExpiresOn))
		return x.Kind == y.Kind && x.Number == y.Number && sameDate
	})
}

// firstPerField returns v with one entry per field (the first found, which
// is the most specific), or nil when v is empty.
func firstPerField(v *errs.ValidationError) error {
	seen := map[string]bool{}
	fields := v.Fields[:0]
	for _, f := range v.Fields {
		if !seen[f.Field] {
			seen[f.Field] = true
			fields = append(fields, f)
		}
	}
	v.Fields = fields
	return v.Err()
}

// changes copies PATCH values and remembers whether any differed.
type changes struct{ any bool }

func (c *changes) text(dst, src *string) {
	if src == nil {
		return
	}
	if v := strings.TrimSpace(*src); v != *dst {
		*dst, c.any = v, true
	}
}

func (c *changes) int(dst, src *int) {
	if src != nil && *src != *dst {
		*dst, c.any = *src, true
	}
}

func (c *changes) nullText(dst *string, src *Null[string]) {
	if src == nil {
		return
	}
	v := ""
	if src.Valid {
		v = strings.TrimSpace(src.Value)
	}
	if v != *dst {
		*dst, c.any = v, true
	}
}

func (c *changes) nullInt(dst **int, src *Null[int]) {
	switch {
	case src == nil:
	case !src.Valid && *dst != nil:
		*dst, c.any = nil, true
	case src.Valid && (*dst == nil || **dst != src.Value):
		v := src.Value
		*dst, c.any = &v, true
	}
}
