// Package trade is the importers' side of the marketplace: inquiries about a
// product with their message threads and the producers' quotes, requests
// for quotation (RFQs) broadcast to the producers whose products match,
// and orders that respect MOQ, price tiers and stock, with their states
// from placed to delivered. Every change writes its audit rows,
// notifications and webhook events in its own transaction.
package trade

import (
	"slices"
	"time"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/country"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/notify"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/webhook"
)

// Limits of what clients send.
const (
	MaxQuantity    = 100_000_000
	MaxAmountMinor = 1_000_000_000_000
	MaxBodyChars   = 5000 // a message, an RFQ's description
	MaxNoteChars   = 2000 // a quote's or an order's note
	MinReasonChars = 10
	MaxReasonChars = 2000
	MaxLeadDays    = 365
	// MaxDaysAhead bounds every date a client gives (wanted_by, valid_until,
	// closes_on): two years from today.
	MaxDaysAhead = 730
	dateLayout   = "2006-01-02"
)

// Incoterms are the Incoterms 2020 rules.
func Incoterms() []string {
	return []string{"EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"}
}

// Currencies are the currencies quotes and orders may be in.
func Currencies() []string { return []string{"THB", "USD", "EUR", "CNY", "JPY"} }

// ValidIncoterm reports whether s is an Incoterms 2020 rule.
func ValidIncoterm(s string) bool { return slices.Contains(Incoterms(), s) }

// ValidCurrency reports whether s is a currency of the trade.
func ValidCurrency(s string) bool { return slices.Contains(Currencies(), s) }

// Money is an amount in minor units of a currency; never a float.
type Money struct {
	AmountMinor int64
	Currency    string
}

// Effects are what a change of the trade writes besides itself, in its own
// transaction: audit rows, notifications of the other party and webhook
// events.
type Effects struct {
	Audit         []audit.Entry
	Notifications []notify.Notification
	Events        []webhook.Event
}

// Service is the trade. It holds no state of its own.
type Service struct {
	inquiries InquiryStore
	orders    OrderStore
	tax       *taxonomy.Taxonomy
	countries country.Set
	now       func() time.Time
}

// NewService returns the trade service. tax is the reference data RFQs
// name places and categories from; clock gives the current time.
func NewService(inquiries InquiryStore, orders OrderStore, tax *taxonomy.Taxonomy, clock func() time.Time) (*Service, error) {
	cs, err := country.Load()
	if err != nil {
		return nil, err
	}
	return &Service{inquiries: inquiries, orders: orders, tax: tax, countries: cs, now: clock}, nil
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// today is the current date in Thailand, where the producers are: dates
// (wanted_by, valid_until, closes_on) are calendar days there.
func (s *Service) today() time.Time {
	t := s.now().In(bangkok)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// bangkok is Indochina Time (UTC+7, no daylight saving), fixed so that no
// time zone database is needed.
var bangkok = time.FixedZone("ICT", 7*60*60)

// parseDate reads a YYYY-MM-DD date that must lie between today (or
// tomorrow when notToday) and MaxDaysAhead days ahead; problems go to v.
func (s *Service) parseDate(v *errs.ValidationError, field, value string, notToday bool) (time.Time, bool) {
	d, err := time.Parse(dateLayout, value)
	if err != nil {
		v.Add(field, "must be a date as YYYY-MM-DD")
		return time.Time{}, false
	}
	first := s.today()
	if notToday {
		first = first.AddDate(0, 0, 1)
	}
	if d.Before(first) {
		v.Add(field, "must not be in the past")
		return time.Time{}, false
	}
	if d.After(s.today().AddDate(0, 0, MaxDaysAhead)) {
		v.Add(field, "must be within two years from today")
		return time.Time{}, false
	}
	return d, true
}

// checkCountry checks a destination country against ISO 3166-1 alpha-2.
func (s *Service) checkCountry(v *errs.ValidationError, field, code string) {
	if !s.countries.Exists(code) {
		v.Add(field, "must be an ISO 3166-1 alpha-2 country code (such as JP, DE, US)")
	}
}

func actorOf(p account.Principal) audit.Actor { return audit.Actor{ID: p.UserID, Role: string(p.Role)} }

func requireSignedIn(p account.Principal) error {
	if p.Anonymous() {
		return errs.New(errs.ErrUnauthenticated, "sign in first")
	}
	return nil
}
