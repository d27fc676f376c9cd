package api

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/testenv"
	"github.com/otopmarket/otop/search/embedded"
	"github.com/otopmarket/otop/storage"
)

// testPolicy is the production policy with a cheap password hash, so that
// tests which register many users stay fast.
func testPolicy() account.Policy {
	p := account.DefaultPolicy()
	p.Argon2 = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	return p
}

// wiring is the real services on the test's own database and bucket.
type wiring struct {
	deps     Deps
	db       *gorm.DB
	accounts *account.Service
	store    *storage.Store // the bucket as the test sees it, without injected faults
	index    catalog.SearchIndex
}

// newWiring wires every service; adjust may change the object store's
// configuration the services use (tests inject faults with it).
func newWiring(t testing.TB, adjust ...func(*storage.Config)) wiring {
	t.Helper()
	gin.SetMode(gin.TestMode)
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatalf("load taxonomy: %v", err)
	}
	db := testenv.DB(t)
	accounts, err := account.NewService(postgres.NewAccounts(db), tax.SelectCenterExists, testPolicy(), time.Now)
	if err != nil {
		t.Fatalf("account service: %v", err)
	}
	cfg := testenv.MinIOConfig(t)
	clean, err := storage.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range adjust {
		f(&cfg)
	}
	store, err := storage.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	catalogSvc := catalog.NewService(postgres.NewCatalog(db), tax, time.Now)
	index, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatalf("search index: %v", err)
	}
	t.Cleanup(func() { _ = index.Close() })
	return wiring{
		deps: Deps{
			Logger:   slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError})),
			Taxonomy: tax,
			Accounts: accounts,
			Catalog:  catalogSvc,
			Images:   media.NewImages(postgres.NewImages(db), store, catalogSvc, media.Limits{}, 2, time.Now),
			Search:   catalog.NewSearch(index, tax),
			URLs:     store,
			Metrics:  NewMetrics(),
		},
		db: db, accounts: accounts, store: clean, index: index,
	}
}

// testLog shows the server's error logs (the causes of 500s) in the test's output.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// testDeps wires the real services on the test's own database and bucket.
func testDeps(t *testing.T) Deps {
	t.Helper()
	return newWiring(t).deps
}

func newRouterFrom(t testing.TB, d Deps) *gin.Engine {
	t.Helper()
	r, err := NewRouter(d)
	if err != nil {
		t.Fatalf("NewRouter: %v", err)
	}
	return r
}
