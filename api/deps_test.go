package api

import (
	"log/slog"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/gin-gonic/gin"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/testenv"
)

// testPolicy is the production policy with a cheap password hash, so that
// tests which register many users stay fast.
func testPolicy() account.Policy {
	p := account.DefaultPolicy()
	p.Argon2 = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	return p
}

// testDeps wires the real services on the test's own database.
func testDeps(t *testing.T) Deps {
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
	return Deps{
		Logger:   slog.New(slog.DiscardHandler),
		Taxonomy: tax,
		Accounts: accounts,
		Catalog:  catalog.NewService(postgres.NewCatalog(db), tax, time.Now),
		Metrics:  NewMetrics(),
	}
}

func newRouterFrom(t *testing.T, d Deps) *gin.Engine {
	t.Helper()
	r, err := NewRouter(d)
	if err != nil {
		t.Fatalf("NewRouter: %v", err)
	}
	return r
}
