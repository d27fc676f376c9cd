package postgres_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
)

// recorder is a CatalogWatcher that keeps what it was told, in order.
type recorder struct {
	mu     sync.Mutex
	events []string // product ids, "live" and "dark"
	signal chan struct{}
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

func (r *recorder) ProductChanged(id uuid.UUID) { r.add(id.String()) }

func (r *recorder) SetLive(live bool) {
	if live {
		r.add("live")
	} else {
		r.add("dark")
	}
}

// waitFor waits at most 10 s for event e after the first from events,
// and returns the events between.
func (r *recorder) waitFor(t *testing.T, from int, e string) []string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		if i := slices.Index(r.events[from:], e); i >= 0 {
			got := slices.Clone(r.events[from : from+i])
			r.mu.Unlock()
			return got
		}
		r.mu.Unlock()
		select {
		case <-r.signal:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no %q within 10 s; events: %v", e, r.events)
		}
	}
}

// listen follows the notices of the database at url with w (which records
// into r) until the test ends, and returns once they are followed.
func (r *recorder) listen(t *testing.T, url string, w postgres.CatalogWatcher) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); postgres.ListenCatalog(ctx, url, w, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() { cancel(); <-done })
	r.waitFor(t, 0, "live")
}

// after runs change, then sends a notice of its own and returns the
// notices before it: notices arrive in commit order.
func (r *recorder) after(t *testing.T, db *gorm.DB, change func()) []string {
	t.Helper()
	from := r.len()
	change()
	m := uuid.New()
	exec(t, db, "SELECT pg_notify(?, ?)", postgres.CatalogChannel, m.String())
	return r.waitFor(t, from, m.String())
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func TestCatalogNoticesFollowPublicChanges(t *testing.T) {
	t.Parallel()
	url := testenv.DatabaseURL(t)
	f := newOutboxFixtureOn(t, testenv.OpenDB(t, url))
	rec := &recorder{signal: make(chan struct{}, 1)}
	// Quiet periods are checked every 100 ms instead of 30 s: the
	// connection must stay up through them.
	t.Cleanup(postgres.SetListenPingEvery(100 * time.Millisecond))
	rec.listen(t, url, rec)
	time.Sleep(350 * time.Millisecond)

	notices := func(change func()) []string { return rec.after(t, f.db, change) }
	sql := func(query string, args ...any) func() { return func() { exec(t, f.db, query, args...) } }
	product := f.product.String()

	if got := notices(sql("UPDATE products SET name_en = 'Draft edit' WHERE id = ?", f.product)); len(got) != 0 {
		t.Errorf("a draft's edit was announced: %v", got)
	}
	if got := notices(sql("UPDATE products SET status = 'published', published_at = now() WHERE id = ?", f.product)); !slices.Equal(got, []string{product}) {
		t.Errorf("publishing announced %v, want [%s]", got, product)
	}
	if got := notices(sql("INSERT INTO product_certifications (product_id, position, kind, number) VALUES (?, 0, 'gi', 'GI-1')", f.product)); !slices.Equal(got, []string{product}) {
		t.Errorf("a certificate of a published product announced %v, want [%s]", got, product)
	}
	rolledBack := func() {
		tx := f.db.Begin()
		exec(t, tx, "UPDATE products SET name_en = 'Rolled back' WHERE id = ?", f.product)
		tx.Rollback()
	}
	if got := notices(rolledBack); len(got) != 0 {
		t.Errorf("a rolled-back change was announced: %v", got)
	}
	// One statement changing many products says "everything".
	if got := notices(sql("INSERT INTO search_outbox (product_id) SELECT gen_random_uuid() FROM generate_series(1, 65)")); !slices.Equal(got, []string{"live"}) {
		t.Errorf("a change of 65 products announced %v, want one reset", got)
	}

	rec.mu.Lock()
	dark := slices.Contains(rec.events, "dark")
	rec.mu.Unlock()
	if dark {
		t.Fatalf("the listener went dark while the connection was fine: %v", rec.events)
	}

	// The listening connection dies: the watcher goes dark until it is back.
	from := rec.len()
	exec(t, f.db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?", postgres.ListenerName)
	rec.waitFor(t, from, "dark")
	rec.waitFor(t, from, "live")
	if got := notices(sql("UPDATE products SET name_en = 'After reconnect' WHERE id = ?", f.product)); !slices.Equal(got, []string{product}) {
		t.Errorf("after reconnecting, a change announced %v, want [%s]", got, product)
	}
}

// accountsRecorder also follows the accounts' notices.
type accountsRecorder struct{ *recorder }

func (r accountsRecorder) AccountsChanged() { r.add("accounts") }

func TestAccountNoticesFollowTokenAndUserChanges(t *testing.T) {
	t.Parallel()
	url := testenv.DatabaseURL(t)
	f := newOutboxFixtureOn(t, testenv.OpenDB(t, url))
	rec := accountsRecorder{&recorder{signal: make(chan struct{}, 1)}}
	rec.listen(t, url, rec)

	var user uuid.UUID
	if err := f.db.Raw("SELECT user_id FROM producers WHERE id = ?", f.producer).Row().Scan(&user); err != nil {
		t.Fatal(err)
	}
	notices := func(query string, args ...any) []string {
		t.Helper()
		return rec.after(t, f.db, func() { exec(t, f.db, query, args...) })
	}
	exec(t, f.db, "INSERT INTO auth_tokens (token_hash, user_id, expires_at) VALUES ('\\x01', ?, now() + interval '1 day')", user)
	for _, c := range []struct {
		name, query string
		want        []string
	}{
		{"a new token", "INSERT INTO auth_tokens (token_hash, user_id, expires_at) VALUES ('\\x02', ?, now() + interval '1 day')", nil},
		{"a token revoked", "UPDATE auth_tokens SET revoked_at = now() WHERE user_id = ? AND token_hash = '\\x01'", []string{"accounts"}},
		{"tokens deleted", "DELETE FROM auth_tokens WHERE user_id = ?", []string{"accounts"}},
		{"a user changed", "UPDATE users SET display_name = 'Renamed' WHERE id = ?", []string{"accounts"}},
	} {
		if got := notices(c.query, user); !slices.Equal(got, c.want) {
			t.Errorf("%s announced %v, want %v", c.name, got, c.want)
		}
	}
}

// queuesRecorder also follows the review queues' and the orders' notices.
type queuesRecorder struct{ *recorder }

func (r queuesRecorder) QueuesChanged() { r.add("queues") }
func (r queuesRecorder) OrdersChanged() { r.add("orders") }

func TestQueueNoticesFollowChangesInTheQueues(t *testing.T) {
	t.Parallel()
	url := testenv.DatabaseURL(t)
	f := newOutboxFixtureOn(t, testenv.OpenDB(t, url))
	rec := queuesRecorder{&recorder{signal: make(chan struct{}, 1)}}
	rec.listen(t, url, rec)

	// queueNotices runs change and returns how many queue notices it
	// caused (the catalogue's, of public changes, are not counted).
	queueNotices := func(change func()) int {
		t.Helper()
		return len(slices.DeleteFunc(rec.after(t, f.db, change), func(e string) bool { return e != "queues" }))
	}
	sql := func(query string, args ...any) func() { return func() { exec(t, f.db, query, args...) } }
	inOne := func(queries ...string) func() {
		return func() {
			tx := f.db.Begin()
			for _, q := range queries {
				exec(t, tx, q, f.product)
			}
			if err := tx.Commit().Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range []struct {
		name   string
		change func()
		want   int
	}{
		{"a draft edited", sql("UPDATE products SET name_en = 'Draft edit' WHERE id = ?", f.product), 0},
		{"a product submitted", sql("UPDATE products SET status = 'pending_review', submitted_at = now() WHERE id = ?", f.product), 1},
		{"a pending product edited twice in one transaction", inOne(
			"UPDATE products SET name_en = 'Edit 1' WHERE id = ?", "UPDATE products SET name_en = 'Edit 2' WHERE id = ?"), 1},
		{"a pending product edited, rolled back", func() {
			tx := f.db.Begin()
			exec(t, tx, "UPDATE products SET name_en = 'Rolled back' WHERE id = ?", f.product)
			tx.Rollback()
		}, 0},
		{"a certificate added", sql("INSERT INTO product_certifications (product_id, position, kind, number) VALUES (?, 0, 'gi', 'GI-1')", f.product), 1},
		{"a producer edited", sql("UPDATE producers SET phone = '+66 53 000 000' WHERE id = ?", f.producer), 1},
		{"a product published", sql("UPDATE products SET status = 'published', published_at = now() WHERE id = ?", f.product), 1},
		{"a published product's stock taken", sql("UPDATE products SET stock = 5, version = version + 1 WHERE id = ?", f.product), 0},
		{"a published product edited", sql("UPDATE products SET name_en = 'Public edit' WHERE id = ?", f.product), 0},
		{"a draft created", sql(`INSERT INTO products (producer_id, name_th, name_en, category, province_code, cluster_id, region,
			select_center_id, price_minor, moq, unit) SELECT producer_id, name_th, 'Another', category, province_code, cluster_id,
			region, select_center_id, price_minor, moq, unit FROM products WHERE id = ?`, f.product), 0},
		{"a product created pending", sql(`INSERT INTO products (producer_id, name_th, name_en, category, province_code, cluster_id, region,
			select_center_id, price_minor, moq, unit, description_en, status, submitted_at) SELECT producer_id, name_th, 'Pending', category,
			province_code, cluster_id, region, select_center_id, price_minor, moq, unit, description_en, 'pending_review', now()
			FROM products WHERE id = ?`, f.product), 1},
		{"a pending product deleted", sql("DELETE FROM products WHERE producer_id = ? AND status = 'pending_review'", f.producer), 1},
	} {
		if got := queueNotices(c.change); got != c.want {
			t.Errorf("%s: %d queue notices, want %d", c.name, got, c.want)
		}
	}
}

func TestOrderNoticesFollowOrdersAndTheirLines(t *testing.T) {
	t.Parallel()
	url := testenv.DatabaseURL(t)
	f := newOutboxFixtureOn(t, testenv.OpenDB(t, url))
	rec := queuesRecorder{&recorder{signal: make(chan struct{}, 1)}}
	rec.listen(t, url, rec)

	orderNotices := func(query string, args ...any) int {
		t.Helper()
		changed := rec.after(t, f.db, func() { exec(t, f.db, query, args...) })
		return len(slices.DeleteFunc(changed, func(e string) bool { return e != "orders" }))
	}
	var importer uuid.UUID
	if err := f.db.Raw(`INSERT INTO users (email, password_hash, role, display_name, country)
		VALUES ('importer-' || gen_random_uuid() || '@example.com', 'x', 'importer', 'I', 'JP') RETURNING id`).Row().Scan(&importer); err != nil {
		t.Fatal(err)
	}
	order := uuid.New()
	for _, c := range []struct {
		name  string
		query string
		args  []any
		want  int
	}{
		{"a product edited", "UPDATE products SET name_en = 'Edited' WHERE id = ?", []any{f.product}, 0},
		{"an order placed", `INSERT INTO orders (id, group_id, importer_id, producer_id, select_center_id, status, currency, total_minor,
			destination_country, incoterm) VALUES (?, gen_random_uuid(), ?, ?, 'chiang-mai', 'placed', 'THB', 900000, 'JP', 'FOB')`,
			[]any{order, importer, f.producer}, 1},
		{"a line added", `INSERT INTO order_lines (order_id, line_no, product_id, name_th, name_en, unit, quantity, unit_price_minor,
			line_total_minor, from_stock) VALUES (?, 1, ?, 'ผ้า', 'Silk', 'piece', 2, 450000, 900000, false)`, []any{order, f.product}, 1},
		{"an order confirmed", "UPDATE orders SET status = 'confirmed', confirmed_at = now() WHERE id = ?", []any{order}, 1},
		{"no order changed", "UPDATE orders SET note = 'none' WHERE false", nil, 1},
	} {
		if got := orderNotices(c.query, c.args...); got != c.want {
			t.Errorf("%s: %d order notices, want %d", c.name, got, c.want)
		}
	}
}
