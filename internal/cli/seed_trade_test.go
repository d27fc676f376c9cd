package cli

import (
	"context"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/testenv"
)

// TestSeedDemoPlaysTheTrade: the demo holds importers of many countries,
// inquiries in every state with their threads and quotes, RFQs with
// competing quotes, and orders in every state, written through the trade
// service (audit rows and notifications included).
func TestSeedDemoPlaysTheTrade(t *testing.T) {
	t.Parallel()
	env := serviceEnv(t, testenv.DatabaseURL(t))
	stderr := &syncBuffer{}
	if code := runWith([]string{"otop", "seed", "--demo", "--products", "300", "--images", "0"}, env, stderr); code != 0 {
		t.Fatalf("seed: exit %d: %s", code, stderr.String())
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, env["DATABASE_URL"], postgres.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer postgres.Close(db) //nolint:errcheck // test cleanup
	count := func(from string) int {
		t.Helper()
		var n int
		if err := db.Raw("SELECT count(*) FROM " + from).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	atLeast := map[string]int{
		"(SELECT DISTINCT country FROM users WHERE role = 'importer' AND email LIKE 'importer-%@demo.otop.example') c": 8,
		// inquiries in every state; open ones with a thread of 2–4 messages
		"inquiries WHERE status = 'open'":     2,
		"inquiries WHERE status = 'quoted'":   2,
		"inquiries WHERE status = 'accepted'": 2,
		"inquiries WHERE status = 'declined'": 1,
		"inquiries WHERE status = 'closed'":   1,
		"(SELECT i.id FROM inquiries i JOIN inquiry_messages m ON m.inquiry_id = i.id WHERE i.status = 'open' GROUP BY i.id HAVING count(*) BETWEEN 2 AND 4) t": 2,
		"(SELECT DISTINCT m.inquiry_id FROM inquiry_messages m WHERE m.author_role = 'producer') t":                                                             4,
		"(SELECT inquiry_id FROM quotes WHERE inquiry_id IS NOT NULL GROUP BY inquiry_id HAVING count(*) = 2) t":                                                2,
		"quotes WHERE status = 'open' AND valid_until < current_date":                                                                                           1, // an expired quote
		// RFQs with competing quotes of different producers, currencies and rules; one accepted
		"(SELECT rfq_id FROM quotes WHERE rfq_id IS NOT NULL GROUP BY rfq_id HAVING count(DISTINCT producer_id) >= 2 AND count(*) = count(DISTINCT producer_id)) t": 4,
		"(SELECT rfq_id FROM quotes WHERE rfq_id IS NOT NULL GROUP BY rfq_id HAVING count(DISTINCT currency) >= 2 AND count(DISTINCT incoterm) >= 2) t":             2,
		"rfqs WHERE status = 'accepted'":                                         1,
		"orders o JOIN quotes q ON q.id = o.quote_id WHERE q.rfq_id IS NOT NULL": 1,
		// orders in every state, a group of two producers, orders from stock
		"orders WHERE status = 'placed'":                                  2,
		"orders WHERE status = 'confirmed'":                               2,
		"orders WHERE status = 'shipped'":                                 2,
		"orders WHERE status = 'delivered'":                               2,
		"orders WHERE status = 'cancelled'":                               2,
		"orders WHERE status = 'cancelled' AND cancelled_by = 'importer'": 1,
		"orders WHERE status = 'cancelled' AND cancelled_by = 'producer' AND char_length(cancel_reason) >= 10": 1,
		"(SELECT group_id FROM orders GROUP BY group_id HAVING count(DISTINCT producer_id) = 2) g":             1,
		"(SELECT group_id FROM orders GROUP BY group_id HAVING count(DISTINCT status) = 2) g":                  1,
		"order_lines WHERE from_stock":     2,
		"products WHERE stock IS NOT NULL": 10,
		// the README's importer has an order in every state
		"(SELECT DISTINCT o.status FROM orders o JOIN users u ON u.id = o.importer_id WHERE u.email = 'importer-jp@demo.otop.example') s": 5,
		"rfqs r JOIN users u ON u.id = r.importer_id WHERE u.email = 'importer-jp@demo.otop.example' AND r.status = 'open'":               1,
	}
	for from, want := range atLeast {
		if got := count(from); got < want {
			t.Errorf("count(%s) = %d, want at least %d", from, got, want)
		}
	}
	none := []string{
		// every order has its audit row and its producer's notification; each move is audited
		"orders o WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity_id = o.id AND a.action = 'place')",
		"orders o WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.subject_id = o.id AND n.kind = 'order_placed')",
		"orders o WHERE status = 'delivered' AND (SELECT count(*) FROM audit_log a WHERE a.entity_id = o.id) <> 4",
		"orders o WHERE status = 'delivered' AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.subject_id = o.id AND n.kind = 'order_delivered')",
		"orders WHERE status IN ('shipped', 'delivered') AND (carrier IS NULL OR tracking_number IS NULL)",
		"audit_log WHERE entity_type IN ('inquiry', 'quote', 'rfq', 'order') AND request_id <> 'demo seed'",
		// quantities respect the MOQ, destinations are the importers' countries
		"order_lines l JOIN products p ON p.id = l.product_id WHERE l.quantity < p.moq",
		"inquiries i JOIN products p ON p.id = i.product_id WHERE i.quantity < p.moq",
		"orders o JOIN users u ON u.id = o.importer_id WHERE o.destination_country <> u.country",
	}
	for _, from := range none {
		if got := count(from); got != 0 {
			t.Errorf("count(%s) = %d, want 0", from, got)
		}
	}
	// Quotes and accepted quotes in the notifications feed of both sides.
	for _, kind := range []string{"inquiry_received", "inquiry_message", "quote_received", "quote_accepted", "quote_declined",
		"inquiry_closed", "order_confirmed", "order_shipped", "order_cancelled"} {
		if count("notifications WHERE kind = '"+kind+"'") == 0 {
			t.Errorf("no %s notification", kind)
		}
	}

	// The README signs in as importer-jp with the demo password.
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := account.NewService(postgres.NewAccounts(db), tax.SelectCenterExists, account.DefaultPolicy(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.Login(ctx, "importer-jp"+demoEmailDomain, demoPassword, "127.0.0.1"); err != nil {
		t.Fatalf("demo importer login: %v", err)
	}
}
