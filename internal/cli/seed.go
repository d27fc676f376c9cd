package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/urfave/cli/v3"

	"golang.org/x/sync/errgroup"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/demo"
	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
)

// Demo accounts share one password and an email domain that marks them.
const (
	demoEmailDomain = "@demo.otop.example"
	demoPassword    = "otop-demo-password-2026"
)

func (e process) seedCommand() *cli.Command {
	return &cli.Command{
		Name:  "seed",
		Usage: "check the reference data; with --demo, load the demo catalogue",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "demo", Usage: "create demo producers, products with photos (published, in review queues, rejected), curators and an admin"},
			&cli.IntFlag{Name: "products", Usage: "number of demo products (default: 4 per producer, about 600)"},
			&cli.IntFlag{Name: "images", Value: -1, Usage: "how many products get generated photos, three for TOPOTOP ones (default: all, at most 700)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			a, err := e.open(ctx, false, 0)
			if err != nil {
				return err
			}
			defer a.close()
			provinces, err := a.tax.Provinces(taxonomy.ProvinceFilter{})
			if err != nil {
				return err
			}
			a.logger.InfoContext(ctx, "reference data is embedded in the binary and valid",
				"provinces", len(provinces), "clusters", len(a.tax.Clusters()))
			if !cmd.Bool("demo") {
				return nil
			}
			return a.seedDemo(ctx, cmd.Int("products"), cmd.Int("images"))
		},
	}
}

func (a *app) seedDemo(ctx context.Context, nProducts, nImages int) error {
	if a.cfg.Production {
		return errors.New("APP_ENV=production: the demo catalogue (shared passwords, fake producers) is never loaded in production")
	}
	tax, logger := a.tax, a.logger
	seeder := postgres.NewSeeder(a.db)
	present, err := seeder.AnyUserWithEmailSuffix(ctx, demoEmailDomain)
	if err != nil {
		return err
	}
	if present {
		// A demo loaded before the trade existed gets its trade now.
		traded, err := seeder.AnyUserWithEmailLike(ctx, "importer-%"+demoEmailDomain)
		if err != nil || traded {
			logger.InfoContext(ctx, "demo catalogue already present; nothing to do")
			return err
		}
		hash, err := argon2id.CreateHash(demoPassword, account.DefaultPolicy().Argon2)
		if err != nil {
			return err
		}
		logger.InfoContext(ctx, "demo catalogue present without its trade: adding the demo importers, inquiries, RFQs and orders")
		return a.seedTrade(ctx, hash, time.Now().UTC())
	}
	start := time.Now()
	now := start.UTC()
	if nImages < 0 {
		nImages = maxDemoImages
	}
	producers, products, err := demo.Generate(tax, demo.Options{Seed: 2026, Now: now, ProducersPerProvince: 2, Products: nProducts, Photos: nImages})
	if err != nil {
		return err
	}

	hash, err := argon2id.CreateHash(demoPassword, account.DefaultPolicy().Argon2)
	if err != nil {
		return err
	}
	users := staffUsers(tax, hash)
	curators := map[string]uuid.UUID{}
	for _, u := range users {
		if u.User.Role == account.RoleCurator {
			curators[u.User.SelectCenterID] = u.User.ID
		}
	}
	rng := rand.New(rand.NewPCG(2026, 77)) //nolint:gosec // demo data, not security
	byKey := make(map[string]catalog.Producer, len(producers))
	catProducers := make([]catalog.Producer, 0, len(producers))
	for _, p := range producers {
		province, ok := tax.Province(p.ProvinceCode)
		if !ok {
			return fmt.Errorf("demo producer %s: unknown province %s", p.Key, p.ProvinceCode)
		}
		user := account.User{ID: uuid.New(), Email: "producer-" + strings.ToLower(p.Key) + demoEmailDomain, Role: account.RoleProducer, DisplayName: p.NameEN}
		users = append(users, postgres.SeedUser{User: user, PasswordHash: hash})
		created := now.Add(-time.Duration(400+rng.IntN(300)) * 24 * time.Hour)
		cp := catalog.Producer{
			ID: uuid.New(), UserID: user.ID, NameTH: p.NameTH, NameEN: p.NameEN, Kind: catalog.ProducerKind(p.Kind),
			ProvinceCode: p.ProvinceCode, ClusterID: deref(province.ClusterID), Region: province.Region,
			Amphoe: p.Amphoe, Tambon: p.Tambon, EnterpriseLevel: p.EnterpriseLevel, StoryTH: p.StoryTH, StoryEN: p.StoryEN,
			Contact: &catalog.Contact{Phone: p.Phone, Email: p.Email}, CreatedAt: created, UpdatedAt: created, Version: 1,
		}
		byKey[p.Key] = cp
		catProducers = append(catProducers, cp)
	}
	catProducts := make([]catalog.Product, len(products))
	counts := map[string]int{}
	for i, p := range products {
		owner, ok := byKey[p.ProducerKey]
		if !ok {
			return fmt.Errorf("demo product %d: unknown producer %s", i, p.ProducerKey)
		}
		curator, ok := curators[p.SelectCenterID]
		if !ok {
			return fmt.Errorf("demo product %d: no curator for center %q", i, p.SelectCenterID)
		}
		catProducts[i] = demoProduct(p, owner, curator)
		// Insert stores the published version of what is published; that of
		// a product with photos (they are part of it) or of a resubmission
		// (the version before its changes) is stored by Settle.
		if p.Photos > 0 || p.Earlier != nil {
			catProducts[i].Status = catalog.StatusDraft
		}
		counts[p.State]++
		if p.Earlier != nil {
			counts["resubmitted"]++
		}
		if p.Topotop {
			counts["topotop"]++
		}
	}
	logger.InfoContext(ctx, "demo catalogue generated", "producers", len(catProducers), "products", len(catProducts))
	// Every product goes in as a draft, gets its photos, then its status.
	err = seeder.Insert(ctx, users, catProducers, catProducts, func(done int) {
		if done%10000 == 0 || done == len(catProducts) {
			logger.InfoContext(ctx, "inserting demo products", "done", done, "of", len(catProducts))
		}
	})
	if err != nil {
		return err
	}
	photos, err := a.seedImages(ctx, products, catProducts)
	if err != nil {
		return err
	}
	states := make([]postgres.SeedState, len(products))
	for i, p := range products {
		cp := catProducts[i]
		cp.Images = photos[i]
		st := postgres.SeedState{ID: cp.ID, Status: catalog.Status(p.State), Topotop: p.Topotop}
		switch {
		case p.Earlier != nil:
			st.Published, st.PublishedAt = catalog.PublicFields(earlierVersion(cp, *p.Earlier)), p.PublishedAt
		case p.Photos > 0 && p.State == demo.StatePublished:
			st.Published, st.PublishedAt = catalog.PublicFields(cp), p.PublishedAt
		}
		states[i] = st
	}
	if err := seeder.Settle(ctx, states); err != nil {
		return err
	}
	logger.InfoContext(ctx, "demo catalogue loaded", "producers", len(catProducers), "products", len(catProducts),
		"published", counts[demo.StatePublished], "pending_review", counts[demo.StatePendingReview],
		"resubmitted", counts["resubmitted"], "rejected", counts[demo.StateRejected], "topotop", counts["topotop"],
		"photos", photoCount(photos), "seconds", time.Since(start).Seconds(),
		"accounts", "producer-<province code>-<n>"+demoEmailDomain+", curator-<center>"+demoEmailDomain+", admin"+demoEmailDomain,
		"password", demoPassword)
	return a.seedTrade(ctx, hash, now)
}

// maxDemoImages is how many products get photos by default: drawing and
// processing them takes most of the seed's time.
const maxDemoImages = 700

func photoCount(photos [][]media.Image) int {
	n := 0
	for _, p := range photos {
		n += len(p)
	}
	return n
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// staffUsers are a curator for each Select center and an admin.
func staffUsers(tax *taxonomy.Taxonomy, hash string) []postgres.SeedUser {
	var users []postgres.SeedUser
	for _, c := range tax.SelectCenters() {
		users = append(users, postgres.SeedUser{PasswordHash: hash, User: account.User{
			ID: uuid.New(), Email: "curator-" + c.ID + demoEmailDomain, Role: account.RoleCurator,
			DisplayName: c.NameEN + " curator", SelectCenterID: c.ID,
		}})
	}
	return append(users, postgres.SeedUser{PasswordHash: hash, User: account.User{
		ID: uuid.New(), Email: "admin" + demoEmailDomain, Role: account.RoleAdmin, DisplayName: "OTOP admin",
	}})
}

// demoProduct is a demo product as the catalogue holds it, with its review
// history; curator is the curator of its Select center, who decided and
// verified what was decided and verified.
func demoProduct(p demo.Product, owner catalog.Producer, curator uuid.UUID) catalog.Product {
	moq, capacity, lead, weight := p.MOQ, p.MonthlyCapacity, p.LeadTimeDays, p.WeightGrams
	updated := p.CreatedAt
	for _, t := range []time.Time{p.SubmittedAt, p.ReviewedAt, p.PublishedAt} {
		if t.After(updated) {
			updated = t
		}
	}
	cp := catalog.Product{
		ID: uuid.New(), ProducerID: owner.ID, OwnerID: owner.UserID, Status: catalog.Status(p.State),
		NameTH: p.NameTH, NameEN: p.NameEN, DescriptionTH: p.DescriptionTH, DescriptionEN: p.DescriptionEN,
		Category: p.Category, CreativeIndustry: p.CreativeIndustry,
		Price: &catalog.Money{AmountMinor: p.PriceMinor, Currency: catalog.Currency},
		MOQ:   &moq, Unit: p.Unit, MonthlyCapacity: &capacity, LeadTimeDays: &lead, HSCode: p.HSCode, WeightGrams: &weight,
		Tags: p.Tags, ProvinceCode: owner.ProvinceCode, ClusterID: owner.ClusterID, Region: owner.Region,
		SelectCenterID: p.SelectCenterID, Topotop: p.Topotop, RejectionReason: p.RejectionReason,
		SubmittedAt: timeOrNil(p.SubmittedAt), PublishedAt: timeOrNil(p.PublishedAt),
		CreatedAt: p.CreatedAt, UpdatedAt: updated, Version: 1,
	}
	if !p.ReviewedAt.IsZero() {
		cp.ReviewedBy, cp.ReviewedAt = curator, timeOrNil(p.ReviewedAt)
	}
	if p.OTOPStars > 0 {
		stars, year := p.OTOPStars, p.OTOPStarsYear
		cp.OTOPStars, cp.OTOPStarsYear = &stars, &year
		cp.StarsVerification = verifiedBy(curator, p.StarsVerifiedAt, p.StarsNote)
	}
	cp.PriceTiers = priceTiers(p.PriceTiers)
	for _, c := range p.Certifications {
		expires := c.ExpiresOn
		cp.Certifications = append(cp.Certifications, catalog.Certification{Kind: c.Kind, Number: c.Number, ExpiresOn: &expires,
			Verification: verifiedBy(curator, c.VerifiedAt, c.Note)})
	}
	return cp
}

// earlierVersion is cp as it was last published, before the changes of its
// resubmission.
func earlierVersion(cp catalog.Product, e demo.Earlier) catalog.Product {
	lead := e.LeadTimeDays
	cp.Price = &catalog.Money{AmountMinor: e.PriceMinor, Currency: catalog.Currency}
	cp.PriceTiers = priceTiers(e.PriceTiers)
	cp.LeadTimeDays = &lead
	cp.DescriptionTH, cp.DescriptionEN = e.DescriptionTH, e.DescriptionEN
	return cp
}

func priceTiers(tiers []demo.Tier) []catalog.PriceTier {
	out := make([]catalog.PriceTier, 0, len(tiers))
	for _, t := range tiers {
		out = append(out, catalog.PriceTier{MinQuantity: t.MinQuantity, AmountMinor: t.AmountMinor})
	}
	return out
}

// verifiedBy is a claim curator verified at (zero: unverified).
func verifiedBy(curator uuid.UUID, at time.Time, note string) catalog.Verification {
	if at.IsZero() {
		return catalog.Verification{}
	}
	return catalog.Verification{State: catalog.Verified, By: curator, At: &at, Note: note}
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// seedImages draws each product's photos (demo.Product.Photos) and stores
// them through the real image pipeline, as the product's producer, on all
// cores. It returns the stored images of each product.
func (a *app) seedImages(ctx context.Context, gen []demo.Product, products []catalog.Product) ([][]media.Image, error) {
	stored := make([][]media.Image, len(products))
	var todo []int
	for i, p := range gen {
		if p.Photos > 0 {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return stored, nil
	}
	store, err := a.objectStore(ctx)
	if err != nil {
		return nil, err
	}
	logger := a.logger
	workers := runtime.NumCPU()
	catalogSvc := catalog.NewService(postgres.NewCatalog(a.db), a.tax, time.Now)
	images := media.NewImages(postgres.NewImages(a.db), store, catalogSvc, media.DefaultLimits(), workers, time.Now)
	// photo stores the k-th photo of product i: the same style drawn from
	// another seed, so that no two photos are the same file.
	photo := func(ctx context.Context, i, k int) error {
		p := products[i]
		var buf bytes.Buffer
		art := demo.Art(gen[i].ArtStyle, int64(i)*demo.TopotopPhotos+int64(k)+1, 960, 720)
		if err := jpeg.Encode(&buf, art, &jpeg.Options{Quality: 88}); err != nil {
			return err
		}
		owner := account.Principal{UserID: p.OwnerID, Role: account.RoleProducer}
		img, err := images.Add(ctx, owner, p.ID, &buf)
		if err != nil {
			return err
		}
		stored[i] = append(stored[i], img) // each product's photos are one worker's
		return nil
	}
	var done atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for _, i := range todo {
		g.Go(func() error {
			for k := range gen[i].Photos {
				if err := photo(gctx, i, k); err != nil {
					return fmt.Errorf("demo photo of %s: %w", products[i].NameEN, err)
				}
			}
			if d := done.Add(1); d%100 == 0 || int(d) == len(todo) {
				logger.InfoContext(gctx, "demo photos", "products", d, "of", len(todo))
			}
			return nil
		})
	}
	return stored, g.Wait()
}
