package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/readcache"
)

func productHits(a *catalogAPI) uint64 { h, _ := a.cache.Products.Stats(); return h }
func listHits(a *catalogAPI) uint64    { h, _ := a.cache.Lists.Stats(); return h }
func searchHits(a *catalogAPI) uint64  { h, _ := a.cache.Searches.Stats(); return h }

// publishedProduct signs up a producer and publishes one product of theirs.
func (a *catalogAPI) publishedProduct(t *testing.T) (string, productJSON) {
	t.Helper()
	token, _ := a.producer(t)
	p := a.createProduct(t, token)
	a.publish(t, p.ID)
	return token, p
}

func TestPublishedProductIsCachedUntilItChanges(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	_, p := a.publishedProduct(t)
	target := "/v1/products/" + p.ID.String()

	first := a.do(t, http.MethodGet, target, "", "")
	hits := productHits(a)
	second := a.do(t, http.MethodGet, target, "", "")
	if first.Code != http.StatusOK || second.Code != http.StatusOK {
		t.Fatalf("GET = %d, %d", first.Code, second.Code)
	}
	if productHits(a) != hits+1 {
		t.Fatalf("the second read of a published product did not come from the cache")
	}
	if !bytes.Equal(first.Body.Bytes(), second.Body.Bytes()) || first.Header().Get("ETag") != second.Header().Get("ETag") ||
		second.Header().Get("Content-Type") != first.Header().Get("Content-Type") {
		t.Fatalf("the cached reply differs:\n%s %v\n%s %v", first.Body, first.Header(), second.Body, second.Header())
	}

	// Another process (here plain SQL) changes the product: once its notice
	// is in, every reader sees the change.
	if err := a.db.Exec("UPDATE products SET name_en = 'Renamed elsewhere', version = version + 1 WHERE id = ?", p.ID).Error; err != nil {
		t.Fatal(err)
	}
	a.watcher.settle(t)
	got := decode[productJSON](t, a.do(t, http.MethodGet, target, "", ""))
	if got.NameEN != "Renamed elsewhere" || got.Version != p.Version+2 {
		t.Errorf("after a change elsewhere GET shows %q version %d", got.NameEN, got.Version)
	}
}

// The process that served a change drops its cached replies before the
// client has the answer: it does not wait for the notice. The cache here
// is deaf to notices, so only that can make the test pass.
func TestOwnChangesAreSeenAtOnce(t *testing.T) {
	t.Parallel()
	a := deafCatalogAPI(t, readcache.Sizes{Products: 1 << 20, Lists: 1 << 20, Queues: 1 << 20, QueueTTL: time.Minute})
	token, _ := a.producer(t)
	p := a.createProduct(t, token)
	if err := a.db.Exec("UPDATE products SET status = 'published', published_at = now() WHERE id = ?", p.ID).Error; err != nil {
		t.Fatal(err)
	}
	target := "/v1/products/" + p.ID.String()
	for range 2 {
		if rec := a.do(t, http.MethodGet, target, "", ""); rec.Code != http.StatusOK {
			t.Fatalf("GET = %d %s", rec.Code, rec.Body)
		}
	}
	if productHits(a) != 1 || listHits(a) != 0 {
		t.Fatalf("the published product is not cached")
	}
	list := "/v1/products?producer=" + p.ProducerID.String()
	if n := len(decode[listReply[productJSON]](t, a.do(t, http.MethodGet, list, "", "")).Items); n != 1 {
		t.Fatalf("public list has %d items, want 1", n)
	}
	curator := a.signUp(t, account.RoleCurator, "chiang-mai")
	queue := func() int {
		t.Helper()
		return len(decode[listReply[queueItemJSON]](t, a.do(t, http.MethodGet, "/v1/curation/queue", curator, "")).Items)
	}
	if n := queue(); n != 0 || queue() != 0 || queueHits(a) != 1 {
		t.Fatalf("the empty queue holds %d items or was not cached (%d hits)", n, queueHits(a))
	}

	// Editing a published product sends it back to review: it leaves the public view at once.
	if rec := a.do(t, http.MethodPatch, target, token, `{"name_en":"Lamphun Brocade Silk Scarf"}`); rec.Code != http.StatusOK {
		t.Fatalf("PATCH = %d %s", rec.Code, rec.Body)
	}
	assertProblem(t, a.do(t, http.MethodGet, target, "", ""), http.StatusNotFound)
	if n := len(decode[listReply[productJSON]](t, a.do(t, http.MethodGet, list, "", "")).Items); n != 0 {
		t.Errorf("public list has %d items after the product went back to review, want 0", n)
	}
	own := decode[productJSON](t, a.do(t, http.MethodGet, target, token, ""))
	if own.Status != "pending_review" || own.NameEN != "Lamphun Brocade Silk Scarf" {
		t.Errorf("the owner reads %s %q", own.Status, own.NameEN)
	}
	if n := queue(); n != 1 {
		t.Errorf("the curator's queue holds %d items after the product went back to review, want 1", n)
	}
}

func TestUnpublishedProductsAreNotCached(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	p := a.createProduct(t, token)
	target := "/v1/products/" + p.ID.String()
	for range 3 {
		if rec := a.do(t, http.MethodGet, target, token, ""); rec.Code != http.StatusOK {
			t.Fatalf("owner GET draft = %d", rec.Code)
		}
		assertProblem(t, a.do(t, http.MethodGet, target, "", ""), http.StatusNotFound)
	}
	if productHits(a) != 0 || a.cache.Products.Len() != 0 {
		t.Errorf("a draft was cached (%d hits, %d entries)", productHits(a), a.cache.Products.Len())
	}
}

func TestPublicListPagesAreCachedUntilTheCatalogueChanges(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, producer := a.producer(t)
	first := a.createProduct(t, token)
	a.publish(t, first.ID)
	list := "/v1/products?province=TH-51&sort=newest"
	ids := func(token string, target string) []uuid.UUID {
		rec := a.do(t, http.MethodGet, target, token, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d %s", target, rec.Code, rec.Body)
		}
		var out []uuid.UUID
		for _, p := range decode[listReply[productJSON]](t, rec).Items {
			out = append(out, p.ID)
		}
		return out
	}
	before := ids("", list)
	hits := listHits(a)
	if again := ids("", list); !slices.Equal(again, before) || listHits(a) != hits+1 {
		t.Fatalf("the second read of a public page did not come from the cache (%v, %v)", before, again)
	}

	second := a.createProduct(t, token)
	a.publish(t, second.ID) // publish waits for the notice of the change
	if after := ids("", list); !slices.Equal(after, []uuid.UUID{second.ID, first.ID}) {
		t.Errorf("after publishing, the page lists %v, want [%s %s]", after, second.ID, first.ID)
	}

	// A producer's own list by status is not public: never cached.
	own := "/v1/products?status=draft&producer=" + producer.ID.String()
	hits = listHits(a)
	if got := ids(token, own); len(got) != 0 {
		t.Fatalf("drafts = %v, want none", got)
	}
	draft := a.createProduct(t, token)
	if got := ids(token, own); !slices.Equal(got, []uuid.UUID{draft.ID}) || listHits(a) != hits {
		t.Errorf("drafts = %v (cache hits %d → %d), want [%s] read from the database", got, hits, listHits(a), draft.ID)
	}
}

func TestSearchRepliesAreDroppedWhenTheIndexChanges(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.publishedProduct(t)
	a.drain(t)
	total := func() int {
		rec := a.do(t, http.MethodGet, "/v1/search?q=brocade&facets=category", "", "")
		if rec.Code != http.StatusOK {
			t.Fatalf("search = %d %s", rec.Code, rec.Body)
		}
		return decode[searchReply](t, rec).Total
	}
	if n := total(); n != 1 {
		t.Fatalf("total = %d, want 1", n)
	}
	hits := searchHits(a)
	if n := total(); n != 1 || searchHits(a) != hits+1 {
		t.Fatalf("the repeated search did not come from the cache")
	}
	second := a.createProduct(t, token)
	a.publish(t, second.ID)
	a.drain(t)
	if n := total(); n != 2 {
		t.Errorf("after indexing a new product, total = %d, want 2", n)
	}
}

// Search replies live at most their time to live, even when no index
// change was seen (a shared engine changed by another process).
func TestSearchRepliesExpire(t *testing.T) {
	t.Parallel()
	w := newWiring(t)
	w.deps.Cache = readcache.NewCatalog(readcache.Sizes{Searches: 1 << 20, SearchTTL: 50 * time.Millisecond})
	a := newCatalogAPI(t)
	a.router, a.db, a.accounts, a.cache, a.index = newRouterFrom(t, w.deps), w.db, w.accounts, w.deps.Cache, w.index
	a.watcher = w.watcher
	a.publishedProduct(t)
	search := func() int {
		return decode[searchReply](t, a.do(t, http.MethodGet, "/v1/search?q=brocade", "", "")).Total
	}
	if n := search(); n != 0 {
		t.Fatalf("total = %d before indexing, want 0", n)
	}
	// Index behind the cache's back, as another process would.
	a.cache = readcache.NewCatalog(readcache.Sizes{})
	a.drain(t)
	deadline := time.Now().Add(5 * time.Second)
	for search() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("a cached search reply outlived its time to live")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A refused write changes nothing, so it must not empty the caches: an
// anonymous loop of refused PATCHes would otherwise keep every read cold.
func TestRefusedWritesLeaveTheCachesWarm(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	_, p := a.publishedProduct(t)
	target := "/v1/products/" + p.ID.String()
	a.do(t, http.MethodGet, target, "", "")
	a.do(t, http.MethodGet, "/v1/products", "", "")
	for _, req := range []struct{ method, token, body string }{
		{http.MethodPatch, "", `{"name_en":"x"}`},                                    // 401
		{http.MethodPatch, a.signUp(t, account.RoleImporter, ""), `{"name_en":"x"}`}, // 403
		{http.MethodPost, "", ""},                                                    // 401 on submit
	} {
		path := target
		if req.method == http.MethodPost {
			path += "/submit"
		}
		if rec := a.do(t, req.method, path, req.token, req.body); rec.Code < 400 {
			t.Fatalf("%s %s = %d, want a refusal", req.method, path, rec.Code)
		}
	}
	products, lists := productHits(a), listHits(a)
	a.do(t, http.MethodGet, target, "", "")
	a.do(t, http.MethodGet, "/v1/products", "", "")
	if productHits(a) != products+1 || listHits(a) != lists+1 {
		t.Errorf("after refused writes the reads missed the caches (product hits %d → %d, list hits %d → %d)",
			products, productHits(a), lists, listHits(a))
	}
}

// A token revoked, or a user changed, by another process (here in SQL,
// behind the API's back) is no longer honoured once PostgreSQL's notice has
// arrived; this process's own sign-out takes effect at once
// (TestRegisterLoginMeLogout).
func TestSessionsFollowAccountChanges(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	sessions := a.watcher.sessions
	me := func(token string) *httptest.ResponseRecorder { return a.do(t, http.MethodGet, "/v1/me", token, "") }
	change := func(query string, args ...any) {
		t.Helper()
		before := a.watcher.accountNotices()
		if err := a.db.Exec(query, args...).Error; err != nil {
			t.Fatal(err)
		}
		a.watcher.wait(t, func() bool { return a.watcher.accounts > before })
	}

	revoked := a.signUp(t, account.RoleImporter, "")
	if rec := me(revoked); rec.Code != http.StatusOK {
		t.Fatalf("me = %d %s", rec.Code, rec.Body.String())
	}
	hits, _ := sessions.Stats()
	if rec := me(revoked); rec.Code != http.StatusOK {
		t.Fatalf("me again = %d %s", rec.Code, rec.Body.String())
	}
	if h, _ := sessions.Stats(); h != hits+1 {
		t.Fatalf("the second request read the token again (hits %d → %d)", hits, h)
	}
	change(`UPDATE auth_tokens SET revoked_at = now() WHERE token_hash = ?`, account.HashToken(revoked))
	assertProblem(t, me(revoked), http.StatusUnauthorized)

	promoted := a.signUp(t, account.RoleImporter, "")
	user := decode[userJSON](t, me(promoted))
	if user.Role != "importer" {
		t.Fatalf("role = %q, want importer", user.Role)
	}
	if rec := a.do(t, http.MethodGet, "/v1/audit", promoted, ""); rec.Code != http.StatusForbidden {
		t.Fatalf("audit as an importer = %d, want 403", rec.Code)
	}
	change(`UPDATE users SET role = 'admin', country = NULL WHERE id = ?`, user.ID)
	if rec := a.do(t, http.MethodGet, "/v1/audit", promoted, ""); rec.Code != http.StatusOK {
		t.Fatalf("audit after the promotion = %d %s, want 200", rec.Code, rec.Body.String())
	}

	deleted := a.signUp(t, account.RoleImporter, "")
	me(deleted)
	change(`DELETE FROM auth_tokens WHERE token_hash = ?`, account.HashToken(deleted))
	assertProblem(t, me(deleted), http.StatusUnauthorized)
}

func queueHits(a *catalogAPI) uint64 { h, _ := a.cache.Queues.Stats(); return h }

// A queue page is kept until a change in the queues is notified: by
// PostgreSQL for other processes' changes, at once for this process's.
func TestQueuePagesAreCachedUntilTheQueuesChange(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	_, p := a.submitted(t)
	a.watcher.settle(t) // the submission's own notice must not drop the pages read below
	curator := a.signUp(t, account.RoleCurator, "chiang-mai")
	queue := func() queueItemJSON {
		t.Helper()
		rec := a.do(t, http.MethodGet, "/v1/curation/queue", curator, "")
		page := decode[listReply[queueItemJSON]](t, rec)
		if rec.Code != http.StatusOK || len(page.Items) != 1 {
			t.Fatalf("queue = %d %s", rec.Code, rec.Body)
		}
		return page.Items[0]
	}
	queue()
	hits := queueHits(a)
	if queue(); queueHits(a) != hits+1 {
		t.Fatal("the second read of a queue page did not come from the cache")
	}

	// Other processes (here plain SQL) change the product and its producer:
	// once their notices are in, the queue shows the changes.
	if err := a.db.Exec("UPDATE products SET name_en = 'Renamed elsewhere', version = version + 1 WHERE id = ?", p.ID).Error; err != nil {
		t.Fatal(err)
	}
	a.watcher.settle(t)
	if got := queue(); got.NameEN != "Renamed elsewhere" || got.Version != p.Version+1 {
		t.Errorf("after a change elsewhere the queue shows %q version %d", got.NameEN, got.Version)
	}
	if err := a.db.Exec("UPDATE producers SET phone = '+66 53 111 222', version = version + 1 WHERE id = ?", p.ProducerID).Error; err != nil {
		t.Fatal(err)
	}
	a.watcher.settle(t)
	if got := queue(); got.Producer.Contact == nil || got.Producer.Contact.Phone != "+66 53 111 222" {
		t.Errorf("after the producer changed elsewhere the queue shows %+v", got.Producer.Contact)
	}

}

func TestQueuePagesExpireWhenTheirWaitingDaysMoveOn(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	_, p := a.submitted(t)
	// Submitted 2 days and 23 h 59 min 59 s ago: the page must be dropped
	// within a second, when the item has waited 3 days.
	if err := a.db.Exec("UPDATE products SET submitted_at = now() - interval '2 days 23 hours 59 minutes 59 seconds' WHERE id = ?", p.ID).Error; err != nil {
		t.Fatal(err)
	}
	a.watcher.settle(t)
	curator := a.signUp(t, account.RoleCurator, "chiang-mai")
	read := func() int {
		t.Helper()
		page := decode[listReply[queueItemJSON]](t, a.do(t, http.MethodGet, "/v1/curation/queue", curator, ""))
		if len(page.Items) != 1 {
			t.Fatalf("queue holds %d items", len(page.Items))
		}
		return page.Items[0].WaitingDays
	}
	first := read()
	if first != 2 && first != 3 {
		t.Fatalf("waiting days = %d, want 2 (or 3 on a slow machine)", first)
	}
	deadline := time.Now().Add(5 * time.Second)
	for read() != 3 {
		if time.Now().After(deadline) {
			t.Fatal("the queue page still shows 2 waiting days 5 s after they became 3")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func orderHits(a *catalogAPI) uint64 { h, _ := a.cache.Orders.Stats(); return h }

// A page of orders is kept per reader until an order changes: by PostgreSQL's
// notice for other processes' changes, at once for this process's.
func TestOrderPagesAreCachedUntilAnOrderChanges(t *testing.T) {
	t.Parallel()
	a, _, importer, product := orderFixture(t)
	rec := a.do(t, http.MethodPost, "/v1/orders", importer, orderBody(product.ID, "12"), "Idempotency-Key", "cache-1")
	if rec.Code != http.StatusCreated {
		t.Fatalf("place = %d: %s", rec.Code, rec.Body)
	}
	o := decode[placementJSON](t, rec).Orders[0]
	a.watcher.settle(t) // the placement's own notice must not drop the pages read below
	list := func(token string) []orderJSON {
		t.Helper()
		rec := a.do(t, http.MethodGet, "/v1/orders", token, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("list = %d %s", rec.Code, rec.Body)
		}
		return decode[listReply[orderJSON]](t, rec).Items
	}
	if got := list(importer); len(got) != 1 || got[0].ID != o.ID {
		t.Fatalf("the importer lists %+v", got)
	}
	hits := orderHits(a)
	if list(importer); orderHits(a) != hits+1 {
		t.Fatal("the second read of a page of orders did not come from the cache")
	}
	// Each reader has pages of their own: another importer sees none of these.
	if got := list(a.signUp(t, "importer", "")); len(got) != 0 {
		t.Fatalf("another importer lists %d orders", len(got))
	}

	// Another process (here plain SQL) changes the order: once its notice
	// is in, the list shows it.
	if err := a.db.Exec("UPDATE orders SET note = 'Changed elsewhere', version = version + 1 WHERE id = ?", o.ID).Error; err != nil {
		t.Fatal(err)
	}
	a.watcher.settle(t)
	if got := list(importer); got[0].Note != "Changed elsewhere" {
		t.Errorf("after a change elsewhere the list shows %q", got[0].Note)
	}

	// This process's change is seen without waiting for its notice: with
	// the cache deaf to notices, only dropping the pages at once can pass.
	b := deafCatalogAPI(t, readcache.Sizes{Orders: 1 << 20})
	producer, _ := b.producer(t)
	product = b.createProduct(t, producer)
	b.publish(t, product.ID)
	importer = b.signUp(t, "importer", "")
	if got := decode[listReply[orderJSON]](t, b.do(t, http.MethodGet, "/v1/orders", importer, "")).Items; len(got) != 0 {
		t.Fatalf("a new importer lists %d orders", len(got))
	}
	if rec := b.do(t, http.MethodPost, "/v1/orders", importer, orderBody(product.ID, "12"), "Idempotency-Key", "cache-2"); rec.Code != http.StatusCreated {
		t.Fatalf("place = %d: %s", rec.Code, rec.Body)
	}
	got := decode[listReply[orderJSON]](t, b.do(t, http.MethodGet, "/v1/orders", importer, "")).Items
	if len(got) != 1 {
		t.Fatalf("after placing an order the importer lists %d orders", len(got))
	}
	path := "/v1/orders/" + got[0].ID.String()
	if rec := b.do(t, http.MethodPost, path+"/confirm", producer, "", "If-Match", etag(got[0].Version)); rec.Code != http.StatusOK {
		t.Fatalf("confirm = %d: %s", rec.Code, rec.Body)
	}
	if got := decode[listReply[orderJSON]](t, b.do(t, http.MethodGet, "/v1/orders", importer, "")).Items; got[0].Status != "confirmed" {
		t.Errorf("after the producer confirmed, the importer's list shows %s", got[0].Status)
	}
}
