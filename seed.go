package main

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/urfave/cli/v3"

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

func (e env) seedCommand() *cli.Command {
	return &cli.Command{
		Name:  "seed",
		Usage: "check the reference data; with --demo, load the demo catalogue",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "demo", Usage: "create demo producers, published products with photos, curators and an admin"},
			&cli.IntFlag{Name: "products", Usage: "number of demo products (default: 4 per producer, about 600)"},
			&cli.IntFlag{Name: "images", Value: -1, Usage: "how many products get a generated photo (default: all, at most 700)"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			a, err := e.open(ctx, false)
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
	tax, logger := a.tax, a.logger
	seeder := postgres.NewSeeder(a.db)
	present, err := seeder.AnyUserWithEmailSuffix(ctx, demoEmailDomain)
	if err != nil {
		return err
	}
	if present {
		logger.InfoContext(ctx, "demo catalogue already present; nothing to do")
		return nil
	}
	start := time.Now()
	now := start.UTC()
	producers, products := demo.Generate(tax, demo.Options{Seed: 2026, Now: now, ProducersPerProvince: 2, Products: nProducts})

	hash, err := argon2id.CreateHash(demoPassword, account.DefaultPolicy().Argon2)
	if err != nil {
		return err
	}
	users := staffUsers(tax, hash)
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
	catProducts := make([]catalog.Product, 0, len(products))
	owners := make(map[uuid.UUID]uuid.UUID, len(products))
	topotop := map[uuid.UUID]bool{}
	for i, p := range products {
		owner, ok := byKey[p.ProducerKey]
		if !ok {
			return fmt.Errorf("demo product %d: unknown producer %s", i, p.ProducerKey)
		}
		cp := demoProduct(p, owner, tax, now.Add(-time.Duration(3*24*60+rng.IntN(360*24*60))*time.Minute))
		catProducts = append(catProducts, cp)
		owners[cp.ID] = owner.UserID
		if p.OTOPStars == 5 && rng.IntN(4) == 0 {
			topotop[cp.ID] = true
		}
	}
	logger.InfoContext(ctx, "demo catalogue generated", "producers", len(catProducers), "products", len(catProducts))
	err = seeder.Insert(ctx, users, catProducers, catProducts, func(done int) {
		if done%10000 == 0 || done == len(catProducts) {
			logger.InfoContext(ctx, "inserting demo products", "done", done, "of", len(catProducts))
		}
	})
	if err != nil {
		return err
	}
	if nImages < 0 {
		nImages = min(len(catProducts), 700)
	}
	if err := a.seedImages(ctx, products, catProducts[:min(nImages, len(catProducts))], owners); err != nil {
		return err
	}
	ids := make([]uuid.UUID, len(catProducts))
	for i, p := range catProducts {
		ids[i] = p.ID
	}
	if err := seeder.Publish(ctx, ids, topotop); err != nil {
		return err
	}
	logger.InfoContext(ctx, "demo catalogue loaded", "producers", len(catProducers), "products", len(catProducts),
		"images", min(nImages, len(catProducts)), "topotop", len(topotop), "seconds", time.Since(start).Seconds(),
		"accounts", "producer-<province code>-<n>"+demoEmailDomain+", curator-<center>"+demoEmailDomain+", admin"+demoEmailDomain,
		"password", demoPassword)
	return nil
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

func demoProduct(p demo.Product, owner catalog.Producer, tax *taxonomy.Taxonomy, created time.Time) catalog.Product {
	center, _ := tax.SelectCenterFor(owner.ProvinceCode)
	moq, capacity, lead, weight := p.MOQ, p.MonthlyCapacity, p.LeadTimeDays, p.WeightGrams
	cp := catalog.Product{
		ID: uuid.New(), ProducerID: owner.ID, OwnerID: owner.UserID, Status: catalog.StatusDraft,
		NameTH: p.NameTH, NameEN: p.NameEN, DescriptionTH: p.DescriptionTH, DescriptionEN: p.DescriptionEN,
		Category: p.Category, CreativeIndustry: p.CreativeIndustry,
		Price: &catalog.Money{AmountMinor: p.PriceMinor, Currency: catalog.Currency},
		MOQ:   &moq, Unit: p.Unit, MonthlyCapacity: &capacity, LeadTimeDays: &lead, HSCode: p.HSCode, WeightGrams: &weight,
		Tags: p.Tags, ProvinceCode: owner.ProvinceCode, ClusterID: owner.ClusterID, Region: owner.Region,
		SelectCenterID: center, CreatedAt: created, UpdatedAt: created, Version: 1,
	}
	if p.OTOPStars > 0 {
		stars, year := p.OTOPStars, p.OTOPStarsYear
		cp.OTOPStars, cp.OTOPStarsYear = &stars, &year
	}
	for _, t := range p.PriceTiers {
		cp.PriceTiers = append(cp.PriceTiers, catalog.PriceTier{MinQuantity: t.MinQuantity, AmountMinor: t.AmountMinor})
	}
	for _, c := range p.Certifications {
		expires := c.ExpiresOn
		cp.Certifications = append(cp.Certifications, catalog.Certification{Kind: c.Kind, Number: c.Number, ExpiresOn: &expires})
	}
	return cp
}

// seedImages draws a photo for each product and stores it through the real
// image pipeline, as the product's producer, on all cores.
func (a *app) seedImages(ctx context.Context, gen []demo.Product, products []catalog.Product, owners map[uuid.UUID]uuid.UUID) error {
	if len(products) == 0 {
		return nil
	}
	store, err := a.objectStore(ctx)
	if err != nil {
		return err
	}
	logger := a.logger
	workers := runtime.NumCPU()
	catalogSvc := catalog.NewService(postgres.NewCatalog(a.db), a.tax, time.Now)
	images := media.NewImages(postgres.NewImages(a.db), store, catalogSvc, media.DefaultLimits(), workers, time.Now)
	var (
		next, done atomic.Int64
		wg         sync.WaitGroup
		mu         sync.Mutex
		firstErr   error
	)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(products) || ctx.Err() != nil {
					return
				}
				p := products[i]
				var buf bytes.Buffer
				art := demo.Art(gen[i].ArtStyle, int64(i)+1, 960, 720)
				err := jpeg.Encode(&buf, art, &jpeg.Options{Quality: 88})
				if err == nil {
					owner := account.Principal{UserID: owners[p.ID], Role: account.RoleProducer}
					_, err = images.Add(ctx, owner, p.ID, &buf)
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("demo photo of %s: %w", p.NameEN, err)
					}
					mu.Unlock()
					return
				}
				if n := done.Add(1); n%100 == 0 || int(n) == len(products) {
					logger.InfoContext(ctx, "demo photos", "done", n, "of", len(products))
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}
