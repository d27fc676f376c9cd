package postgres_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	gormpg "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
)

// With PostgreSQL unreachable, the store's errors are ErrUnavailable (503 with
// Retry-After), not internal errors.
func TestPostgreSQLDownIsUnavailable(t *testing.T) {
	t.Parallel()
	db, err := gorm.Open(gormpg.Open("postgres://otop:otop@127.0.0.1:1/otop?sslmode=disable&connect_timeout=2"),
		&gorm.Config{DisableAutomaticPing: true, TranslateError: true, Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := postgres.NewCatalog(db).Product(ctx, uuid.New()); !errors.Is(err, errs.ErrUnavailable) {
		t.Errorf("a read with PostgreSQL down: %v, want ErrUnavailable", err)
	}
}

// pgProxy forwards loopback connections to PostgreSQL until cut, after
// which PostgreSQL is unreachable through it: open connections drop and new
// ones are refused.
type pgProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newPGProxy(t *testing.T, target string) *pgProxy {
	t.Helper()
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{ln: ln}
	t.Cleanup(p.cut)
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := (&net.Dialer{}).DialContext(context.Background(), "tcp", target)
			if err != nil {
				_ = client.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, client, server)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(server, client); _ = server.Close() }()
			go func() { _, _ = io.Copy(client, server); _ = client.Close() }()
		}
	}()
	return p
}

func (p *pgProxy) cut() {
	_ = p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
}

// Writes run in transactions, whose BEGIN and COMMIT gorm issues itself:
// when PostgreSQL goes away under an open pool, they too are ErrUnavailable.
func TestWritesWithPostgreSQLGoneAreUnavailable(t *testing.T) {
	t.Parallel()
	dsn, err := url.Parse(testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newPGProxy(t, dsn.Host)
	dsn.Host = proxy.ln.Addr().String()
	db := testenv.OpenDB(t, dsn.String()) // connected through the proxy
	proxy.cut()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	product := catalog.Product{ID: uuid.New(), ProducerID: uuid.New(), Status: catalog.StatusDraft, NameTH: "ผ้า", Category: "textile"}
	for _, tt := range []struct {
		name  string
		write func() error
	}{
		{"create a product", func() error { _, err := postgres.NewCatalog(db).CreateProduct(ctx, product); return err }},
		{"update a product", func() error {
			stored := product
			stored.Version = 1
			_, err := postgres.NewCatalog(db).UpdateProduct(ctx, product, stored, catalog.Effects{})
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.write(); !errors.Is(err, errs.ErrUnavailable) {
				t.Errorf("with PostgreSQL gone: %v, want ErrUnavailable", err)
			}
		})
	}
}
