package catalog

import (
	"context"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/errs"
)

// ImportOutcome is what an import row does to the catalogue.
type ImportOutcome string

// The outcomes of an import row.
const (
	ImportCreated   ImportOutcome = "created"
	ImportUpdated   ImportOutcome = "updated"
	ImportUnchanged ImportOutcome = "unchanged"
)

// ImportPlan is one import row's change: Product at its next state, the
// effects to write with it, and the version it replaces (0 for a new one).
type ImportPlan struct {
	Product  Product
	Effects  Effects
	Outcome  ImportOutcome
	Replaces int
}

// MayImportFor reports whether p may import products for producer: its
// owner, a curator of the Select center of the producer's province, or an
// admin. The message says why not.
func (s *Service) MayImportFor(p account.Principal, producer Producer) error {
	switch {
	case p.Is(account.RoleAdmin):
		return nil
	case p.Is(account.RoleProducer) && producer.UserID == p.UserID:
		return nil
	case p.Is(account.RoleCurator):
		if province, ok := s.places.Province(producer.ProvinceCode); ok && province.SelectCenterID == p.SelectCenterID {
			return nil
		}
		return errs.New(errs.ErrForbidden, "this producer belongs to another Select center")
	}
	return errs.New(errs.ErrForbidden, "you may import only your own products")
}

// PlanImport applies one import row to the catalogue under the rules of
// the API: cur == nil creates a draft of producer (as CreateProduct does),
// otherwise in is applied to cur as a PATCH would be (a published product
// whose reviewed fields change goes back to review). submit sends a draft
// or rejected product to review, as SubmitProduct does. The caller has
// checked MayImportFor; a curator may change only products of their center.
func (s *Service) PlanImport(ctx context.Context, p account.Principal, producer Producer, cur *Product, in ProductInput, submit bool) (ImportPlan, error) {
	now := s.timestamp()
	var plan ImportPlan
	var next Product
	if cur == nil {
		province, ok := s.places.Province(producer.ProvinceCode)
		if !ok {
			return ImportPlan{}, errs.Invalid("producer_id", "the producer's province is not in the reference data")
		}
		next = Product{
			ID: uuid.New(), ProducerID: producer.ID, OwnerID: producer.UserID, Status: StatusDraft,
			PriceTiers: []PriceTier{}, Tags: []string{}, Certifications: []Certification{},
			ProvinceCode: province.Code, Region: province.Region, SelectCenterID: province.SelectCenterID,
			CreatedAt: now, UpdatedAt: now, Version: 1,
		}
		if province.ClusterID != nil {
			next.ClusterID = *province.ClusterID
		}
		plan.Outcome = ImportCreated
	} else {
		if cur.ProducerID != producer.ID {
			return ImportPlan{}, errs.Invalid("id", "names a product of another producer")
		}
		if p.Is(account.RoleCurator) && cur.SelectCenterID != p.SelectCenterID {
			return ImportPlan{}, errs.Invalid("id", "this product belongs to another Select center")
		}
		if cur.Status == StatusArchived {
			return ImportPlan{}, errs.Invalid("id", "an archived product cannot be changed")
		}
		next = cloneProduct(*cur)
		plan.Outcome, plan.Replaces = ImportUpdated, cur.Version
	}
	var v errs.ValidationError
	changed := s.applyProduct(&next, in, &v) || cur == nil
	submitting := submit && (next.Status == StatusDraft || next.Status == StatusRejected)
	s.validateProduct(next, submitting || next.Status == StatusPendingReview || next.Status == StatusPublished, &v)
	if err := firstPerField(&v); err != nil {
		return ImportPlan{}, err
	}
	if !changed && !submitting {
		plan.Outcome, plan.Product = ImportUnchanged, *cur
		return plan, nil
	}
	if cur != nil {
		ClearedVerifications(*cur, &next)
		next.UpdatedAt = now
		if cur.Status == StatusPublished && reviewedChange(*cur, next) {
			next.Status, next.SubmittedAt = StatusPendingReview, &next.UpdatedAt
			plan.Effects.Audit = append(plan.Effects.Audit, s.lifecycleEntry(ctx, p, *cur, next, audit.ActionSubmit, "edited by an import while published"))
		}
		if next.Topotop {
			if before, after := CheckReadiness(*cur, now), CheckReadiness(next, now); before.Lost(after) {
				DropTopotop(ctx, actorOf(p), &next, after, &plan.Effects)
			}
		}
	}
	if submitting {
		before := next
		next.Status, next.RejectionReason, next.SubmittedAt = StatusPendingReview, "", &now
		plan.Effects.Audit = append(plan.Effects.Audit, s.lifecycleEntry(ctx, p, before, next, audit.ActionSubmit, "submitted by an import"))
	}
	plan.Product = next
	return plan, nil
}
