package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/media/mediatest"
	"github.com/otopmarket/otop/internal/trade"
)

// The authorization matrix: every route of the router, as every kind of
// caller, against a product in every state, answers the status the rules
// give. The expected statuses are written from the rules (catalog.CanSee,
// catalog.Privileged, the catalogue's ownProduct, the curation service's
// curatedProduct and privilegedProduct), not from what the server answers.
//
// Requests go straight to the router (matrixWorld.send), without the
// OpenAPI check of catalogAPI.do: the other tests check the replies against
// the document; this one checks statuses only, and stays fast.

// mxActor is who makes a request.
type mxActor int

const (
	mxAnonymous     mxActor = iota
	mxOwner                 // the producer who owns the product
	mxOtherProducer         // another producer, with a profile of their own
	mxImporter              // an importer
	mxCurator               // a curator of the product's Select center (chiang-mai)
	mxFarCurator            // a curator of another Select center (songkhla)
	mxAdmin                 // an admin
)

var mxActors = []mxActor{mxAnonymous, mxOwner, mxOtherProducer, mxImporter, mxCurator, mxFarCurator, mxAdmin}

func (a mxActor) String() string {
	return [...]string{"anonymous", "owner", "other producer", "importer", "curator of the center",
		"curator of another center", "admin"}[a]
}

var mxStates = []catalog.Status{catalog.StatusDraft, catalog.StatusPendingReview, catalog.StatusPublished,
	catalog.StatusRejected, catalog.StatusArchived}

// ---------------------------------------------------------------------------
// The rules

// mxCurates is Principal.CanCurate for the product's center: its curators and admins.
func mxCurates(a mxActor) bool { return a == mxCurator || a == mxAdmin }

// mxPrivileged is catalog.Privileged: the owner, the center's curators, admins.
func mxPrivileged(a mxActor) bool { return a == mxOwner || mxCurates(a) }

// mxSees is catalog.CanSee: a published product is public, any other is
// seen by the privileged only.
func mxSees(a mxActor, s catalog.Status) bool { return s == catalog.StatusPublished || mxPrivileged(a) }

// mxStaff is Principal.Staff: curators (of any center) and admins.
func mxStaff(a mxActor) bool { return a == mxCurator || a == mxFarCurator || a == mxAdmin }

// mxWant is the status a row expects of an actor; s is "" for rows that do
// not depend on a product.
type mxWant func(a mxActor, s catalog.Status) int

// mxAll: the same answer for everyone.
func mxAll(code int) mxWant { return func(mxActor, catalog.Status) int { return code } }

// mxSignedIn: anyone signed in; anonymous callers are told to sign in.
func mxSignedIn(code int) mxWant {
	return func(a mxActor, _ catalog.Status) int {
		if a == mxAnonymous {
			return http.StatusUnauthorized
		}
		return code
	}
}

// mxStaffOnly: curators and admins; anyone else signed in is forbidden.
func mxStaffOnly(code int) mxWant {
	return func(a mxActor, _ catalog.Status) int {
		switch {
		case a == mxAnonymous:
			return http.StatusUnauthorized
		case mxStaff(a):
			return code
		}
		return http.StatusForbidden
	}
}

// mxByActor lists the answer of every actor.
func mxByActor(codes map[mxActor]int) mxWant {
	return func(a mxActor, _ catalog.Status) int { return codes[a] }
}

// mxVisible is reading a product: who cannot see it is told it does not exist.
func mxVisible(a mxActor, s catalog.Status) int {
	if mxSees(a, s) {
		return http.StatusOK
	}
	return http.StatusNotFound
}

// mxOwnerOnly is the catalogue's ownProduct (changes by the producer): 401
// anonymous, 404 for who cannot see the product, 403 for who can but does
// not own it, and ok(state) for the owner.
func mxOwnerOnly(ok func(s catalog.Status) int) mxWant {
	return func(a mxActor, s catalog.Status) int {
		switch {
		case a == mxAnonymous:
			return http.StatusUnauthorized
		case !mxSees(a, s):
			return http.StatusNotFound
		case a != mxOwner:
			return http.StatusForbidden
		}
		return ok(s)
	}
}

// mxCurated is the curation service's curatedProduct: 401 anonymous, 404
// for who cannot see the product, 403 for who can but does not curate its
// center, and ok(actor, state) for its curators and admins.
func mxCurated(ok func(a mxActor, s catalog.Status) int) mxWant {
	return func(a mxActor, s catalog.Status) int {
		switch {
		case a == mxAnonymous:
			return http.StatusUnauthorized
		case !mxSees(a, s):
			return http.StatusNotFound
		case !mxCurates(a):
			return http.StatusForbidden
		}
		return ok(a, s)
	}
}

// mxPrivilegedRead is the curation service's privilegedProduct (readiness,
// history): 401 anonymous, 404 for who cannot see the product, 403 for the
// public of a published one, 200 for its owner and its staff.
func mxPrivilegedRead(a mxActor, s catalog.Status) int {
	switch {
	case a == mxAnonymous:
		return http.StatusUnauthorized
	case !mxSees(a, s):
		return http.StatusNotFound
	case !mxPrivileged(a):
		return http.StatusForbidden
	}
	return http.StatusOK
}

// mxUnlessArchived: an archived product cannot change (409); ok otherwise.
func mxUnlessArchived(ok int) func(catalog.Status) int {
	return func(s catalog.Status) int {
		if s == catalog.StatusArchived {
			return http.StatusConflict
		}
		return ok
	}
}

// mxPendingOnly: only a product pending review can be decided.
func mxPendingOnly(_ mxActor, s catalog.Status) int {
	if s == catalog.StatusPendingReview {
		return http.StatusOK
	}
	return http.StatusConflict
}

// mxArchive is DELETE of a product: its owner or an admin, among those who
// can see it; archiving twice is no error.
func mxArchive(a mxActor, s catalog.Status) int {
	switch {
	case a == mxAnonymous:
		return http.StatusUnauthorized
	case !mxSees(a, s):
		return http.StatusNotFound
	case a == mxOwner || a == mxAdmin:
		return http.StatusNoContent
	}
	return http.StatusForbidden
}

// mxDecisions is one item of a batch of decisions: staff only for the
// batch, then the item answers as POST .../approve would.
func mxDecisions(a mxActor, s catalog.Status) int {
	if a != mxAnonymous && !mxStaff(a) {
		return http.StatusForbidden
	}
	return mxCurated(mxPendingOnly)(a, s)
}

// ---------------------------------------------------------------------------
// The routes

// mxCell is one request of the matrix.
type mxCell struct {
	w     *mxWorld
	actor mxActor
	state catalog.Status // "" for rows that do not depend on a product
	p     *mxProduct     // nil for rows that do not depend on a product
	// objectID is the id of the cell's own object (mxRow.object), or "".
	objectID string
}

// mxRow is one route (or one variant of a route) of the matrix.
type mxRow struct {
	method, path string // as registered in the router
	variant      string // tells rows of one route apart
	product      bool   // checked against a product in every state
	mutates      bool   // may change the product: a cell expected to succeed gets a product of its own
	ifMatch      bool   // sends If-Match with the product's current version
	fresh        bool   // the actor's token is a new session of theirs (logout ends it)
	upload       bool   // the body is a photo in the multipart field "file"
	// id is the :id of a route that does not depend on a product.
	id func(w *mxWorld) string
	// object makes an object of the cell's own (an order in some state) and
	// returns its id, for :id, and its ETag, sent as If-Match.
	object func(t *testing.T, w *mxWorld) (id, etag string)
	// idempotent sends a new Idempotency-Key.
	idempotent bool
	// params gives the path parameters other than :id (a webhook's
	// :delivery_id).
	params func(c mxCell) map[string]string
	// query is appended to the path.
	query func(w *mxWorld) string
	// body is a JSON body; nil: none.
	body func(c mxCell) string
	// outcome is the status compared; nil: the reply's.
	outcome func(rec *httptest.ResponseRecorder) (int, error)
	want    mxWant
}

func (r mxRow) name() string {
	n := r.method + " " + r.path
	if r.variant != "" {
		n += " (" + r.variant + ")"
	}
	return n
}

func mxBody(s string) func(mxCell) string { return func(mxCell) string { return s } }

// mxDecisionOutcome is the status of the one item of a batch of decisions,
// or the batch's own status when it was refused as a whole.
func mxDecisionOutcome(rec *httptest.ResponseRecorder) (int, error) {
	if rec.Code != http.StatusOK {
		return rec.Code, nil
	}
	var reply struct {
		Results []struct {
			Status int `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil || len(reply.Results) != 1 {
		return 0, fmt.Errorf("the batch reply is not one result: %s", rec.Body)
	}
	return reply.Results[0].Status, nil
}

func mxRows() []mxRow {
	const (
		get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
		ok, created, noContent     = http.StatusOK, http.StatusCreated, http.StatusNoContent
		unauth, forbidden, missing = http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound
		badQuery, conflict         = http.StatusBadRequest, http.StatusConflict
		unprocessable              = http.StatusUnprocessableEntity
	)
	ownerProducer := func(w *mxWorld) string { return w.producer.ID.String() }
	return []mxRow{
		// Operations and documentation: public.
		{method: get, path: "/healthz", want: mxAll(ok)},
		{method: get, path: "/readyz", want: mxAll(ok)},
		{method: get, path: "/metrics", want: mxAll(ok)},
		{method: get, path: "/openapi.json", want: mxAll(ok)},
		{method: get, path: "/openapi.yaml", want: mxAll(ok)},
		{method: get, path: "/docs", want: mxAll(ok)},
		{method: get, path: "/docs/:asset", want: mxAll(ok)},

		// Reference data: public.
		{method: get, path: "/v1/regions", want: mxAll(ok)},
		{method: get, path: "/v1/clusters", want: mxAll(ok)},
		{method: get, path: "/v1/clusters/:id", id: func(*mxWorld) string { return "upper-north-1" }, want: mxAll(ok)},
		{method: get, path: "/v1/provinces", want: mxAll(ok)},
		{method: get, path: "/v1/provinces/:code", want: mxAll(ok)},
		{method: get, path: "/v1/select-centers", want: mxAll(ok)},
		{method: get, path: "/v1/categories", want: mxAll(ok)},
		{method: get, path: "/v1/creative-industries", want: mxAll(ok)},
		{method: get, path: "/v1/certification-kinds", want: mxAll(ok)},

		// Accounts.
		{method: post, path: "/v1/auth/register", want: mxAll(created), body: func(mxCell) string {
			return `{"email":"matrix-` + uuid.NewString() + `@example.com","password":"khao-soi-matrix","role":"producer","display_name":"Matrix"}`
		}},
		{method: post, path: "/v1/auth/login", want: mxAll(ok), body: func(c mxCell) string {
			acc := c.w.accounts[c.actor] // anonymous: a spare account
			b, _ := json.Marshal(map[string]string{"email": acc.email, "password": acc.password})
			return string(b)
		}},
		{method: post, path: "/v1/auth/logout", fresh: true, want: mxSignedIn(noContent)},
		{method: get, path: "/v1/me", want: mxSignedIn(ok)},

		// Producer profiles: producers create one (and only one); only its owner changes it.
		{method: post, path: "/v1/producers", body: mxBody(producerBody), want: mxByActor(map[mxActor]int{
			mxAnonymous: unauth, mxOwner: conflict, mxOtherProducer: conflict, mxImporter: forbidden,
			mxCurator: forbidden, mxFarCurator: forbidden, mxAdmin: forbidden})},
		{method: get, path: "/v1/producers", want: mxAll(ok)},
		{method: get, path: "/v1/producers/:id", id: ownerProducer, want: mxAll(ok)},
		{method: patch, path: "/v1/producers/:id", id: ownerProducer, body: mxBody(`{"story_en":"Weaving in Pa Sang since 1985."}`),
			want: mxByActor(map[mxActor]int{mxAnonymous: unauth, mxOwner: ok, mxOtherProducer: forbidden, mxImporter: forbidden,
				mxCurator: forbidden, mxFarCurator: forbidden, mxAdmin: forbidden})},

		// Product lists: published products are public; other statuses are for
		// the producer's own list, the center's curators (narrowed to their
		// center) and admins.
		{method: post, path: "/v1/products", body: mxBody(productBody), want: mxByActor(map[mxActor]int{
			mxAnonymous: unauth, mxOwner: created, mxOtherProducer: created, mxImporter: forbidden,
			mxCurator: forbidden, mxFarCurator: forbidden, mxAdmin: forbidden})},
		{method: get, path: "/v1/products", want: mxAll(ok)},
		{method: get, path: "/v1/products", variant: "drafts of the owner's profile",
			query: func(w *mxWorld) string { return "?status=draft&producer=" + w.producer.ID.String() },
			want: mxByActor(map[mxActor]int{mxAnonymous: badQuery, mxOwner: ok, mxOtherProducer: badQuery, mxImporter: badQuery,
				mxCurator: ok, mxFarCurator: ok, mxAdmin: ok})},
		{method: get, path: "/v1/search", query: func(*mxWorld) string { return "?q=silk" }, want: mxAll(ok)},
		{method: get, path: "/v1/search/suggest", query: func(*mxWorld) string { return "?q=si" }, want: mxAll(ok)},

		// One product.
		{method: get, path: "/v1/products/:id", product: true, want: mxVisible},
		{method: patch, path: "/v1/products/:id", product: true, mutates: true, body: mxBody(`{"tags":["matrix"]}`),
			want: mxOwnerOnly(mxUnlessArchived(ok))},
		{method: del, path: "/v1/products/:id", product: true, mutates: true, want: mxArchive},
		{method: post, path: "/v1/products/:id/submit", product: true, mutates: true, want: mxOwnerOnly(func(s catalog.Status) int {
			if s == catalog.StatusDraft || s == catalog.StatusRejected {
				return ok
			}
			return conflict
		})},

		// Its photos: the owner's, while it is not archived.
		{method: post, path: "/v1/products/:id/images", product: true, mutates: true, upload: true, want: mxOwnerOnly(mxUnlessArchived(created))},
		{method: del, path: "/v1/products/:id/images/:image_id", product: true, mutates: true, want: mxOwnerOnly(mxUnlessArchived(noContent))},
		{method: put, path: "/v1/products/:id/images/order", product: true, mutates: true,
			body: func(c mxCell) string { return `{"image_ids":["` + c.p.imageID.String() + `"]}` },
			want: mxOwnerOnly(mxUnlessArchived(ok))},
		{method: post, path: "/v1/products/:id/images/uploads", product: true, mutates: true, want: mxOwnerOnly(mxUnlessArchived(created))},
		{method: post, path: "/v1/products/:id/images/uploads/:upload_id/complete", product: true, mutates: true,
			want: mxOwnerOnly(mxUnlessArchived(created))},

		// Curation: the product's center's curators and admins decide, verify
		// and designate; its producer and staff read its checklist and history.
		{method: get, path: "/v1/curation/queue", want: mxStaffOnly(ok)},
		{method: get, path: "/v1/curation/summary", want: mxStaffOnly(ok)},
		{method: post, path: "/v1/curation/decisions", product: true, mutates: true, outcome: mxDecisionOutcome, want: mxDecisions,
			body: func(c mxCell) string {
				return fmt.Sprintf(`{"decisions":[{"id":%q,"version":%d,"decision":"approve"}]}`, c.p.id, c.p.version)
			}},
		{method: post, path: "/v1/products/:id/approve", product: true, mutates: true, ifMatch: true, want: mxCurated(mxPendingOnly)},
		{method: post, path: "/v1/products/:id/reject", product: true, mutates: true, ifMatch: true,
			body: mxBody(`{"reason":"Photos are blurry, please retake."}`), want: mxCurated(mxPendingOnly)},
		{method: post, path: "/v1/products/:id/reassign", product: true, mutates: true, ifMatch: true,
			body: mxBody(`{"select_center_id":"bangkok","reason":"Sold mostly through Bangkok shops."}`),
			want: mxCurated(func(a mxActor, s catalog.Status) int {
				switch {
				case a != mxAdmin:
					return forbidden // admins only
				case s == catalog.StatusArchived:
					return conflict
				}
				return ok
			})},
		{method: get, path: "/v1/products/:id/readiness", product: true, want: mxPrivilegedRead},
		{method: get, path: "/v1/products/:id/history", product: true, want: mxPrivilegedRead},
		// The fixture is not export-ready (one photo, a short description,
		// nothing verified): granting a published product is refused with the
		// unmet items, any other product is not published.
		{method: put, path: "/v1/products/:id/topotop", variant: "grant", product: true, mutates: true, ifMatch: true,
			body: mxBody(`{"topotop":true,"note":"Strong export potential."}`),
			want: mxCurated(func(_ mxActor, s catalog.Status) int {
				if s == catalog.StatusPublished {
					return unprocessable
				}
				return conflict
			})},
		{method: put, path: "/v1/products/:id/topotop", variant: "grant overriding readiness", product: true, mutates: true, ifMatch: true,
			body: mxBody(`{"topotop":true,"override":true,"note":"Chosen for the Tokyo trade fair."}`),
			want: mxCurated(func(a mxActor, s catalog.Status) int {
				switch {
				case a != mxAdmin:
					return unprocessable // only an admin may override
				case s == catalog.StatusPublished:
					return ok
				}
				return conflict
			})},
		{method: post, path: "/v1/products/:id/certifications/:kind/verify", product: true, mutates: true, ifMatch: true,
			body: mxBody(`{"verdict":"verified"}`), want: mxCurated(func(_ mxActor, s catalog.Status) int { return mxUnlessArchived(ok)(s) })},
		{method: post, path: "/v1/products/:id/otop-stars/verify", product: true, mutates: true, ifMatch: true,
			body: mxBody(`{"verdict":"verified"}`), want: mxCurated(func(_ mxActor, s catalog.Status) int { return mxUnlessArchived(ok)(s) })},
		{method: get, path: "/v1/audit", want: mxStaffOnly(ok)},

		// Everyone's own notifications.
		{method: get, path: "/v1/notifications", want: mxSignedIn(ok)},
		{method: post, path: "/v1/notifications/read", body: mxBody(`{"all":true}`), want: mxSignedIn(ok)},

		// Inquiries: importers ask about published products; an inquiry is
		// read by its importer, the product's producer, its center's staff
		// and admins (404 for others); only its two parties write in it.
		{method: post, path: "/v1/inquiries", product: true,
			body: func(c mxCell) string { return inquiryBody(c.p.id) },
			want: func(a mxActor, s catalog.Status) int {
				switch {
				case a == mxAnonymous:
					return unauth
				case a != mxImporter:
					return forbidden
				case s == catalog.StatusPublished:
					return created
				}
				return missing // only a published product can be asked about
			}},
		{method: get, path: "/v1/inquiries", want: mxSignedIn(ok)},
		{method: get, path: "/v1/inquiries/:id", object: mxInquiry, want: mxInquiryParties(ok, ok, ok, ok, missing)},
		{method: post, path: "/v1/inquiries/:id/messages", object: mxInquiry, body: mxBody(`{"body":"Is indigo possible?"}`),
			want: mxInquiryParties(created, created, forbidden, forbidden, missing)},
		{method: post, path: "/v1/inquiries/:id/quotes", object: mxInquiry, body: mxBody(quoteBody(1190, "USD")),
			want: mxInquiryParties(created, forbidden, forbidden, forbidden, missing)},
		{method: post, path: "/v1/inquiries/:id/close", object: mxInquiry,
			want: mxInquiryParties(forbidden, ok, forbidden, forbidden, missing)},
		{method: get, path: "/v1/quotes/:id", variant: "an inquiry's quote", object: mxInquiryQuote,
			want: mxInquiryParties(ok, ok, ok, ok, missing)},
		{method: get, path: "/v1/quotes/:id", variant: "an RFQ's quote", object: mxRFQQuote,
			want: mxInquiryParties(ok, ok, ok, ok, ok)},
		{method: post, path: "/v1/quotes/:id/decline", object: mxInquiryQuote,
			want: mxInquiryParties(forbidden, ok, forbidden, forbidden, missing)},

		// RFQs: importers post them; producers with a matching published
		// product (the owner's) see and quote them, others are told they do
		// not exist; staff of every center read them.
		{method: post, path: "/v1/rfqs", body: mxBody(mxRFQBody()), want: mxByActor(map[mxActor]int{
			mxAnonymous: unauth, mxOwner: forbidden, mxOtherProducer: forbidden, mxImporter: created,
			mxCurator: forbidden, mxFarCurator: forbidden, mxAdmin: forbidden})},
		{method: get, path: "/v1/rfqs", want: mxSignedIn(ok)},
		{method: get, path: "/v1/rfqs/:id", object: mxRFQ, want: mxInquiryParties(ok, ok, ok, ok, ok)},
		{method: post, path: "/v1/rfqs/:id/quotes", object: mxRFQ,
			body: func(c mxCell) string {
				return strings.Replace(quoteBody(85000, "THB"), "{", `{"product_id":"`+c.w.shared[catalog.StatusPublished].id.String()+`",`, 1)
			},
			want: mxInquiryParties(created, forbidden, forbidden, forbidden, forbidden)},

		// Webhooks: producers and importers own endpoints; another's is not
		// there for them (404), staff have none (403).
		{method: post, path: "/v1/webhooks", want: mxWebhookOwners(created, created),
			body: func(mxCell) string { return `{"url":"https://hooks.example.com/matrix/` + uuid.NewString() + `"}` }},
		{method: get, path: "/v1/webhooks", want: mxWebhookOwners(ok, ok)},
		{method: del, path: "/v1/webhooks/:id", object: mxFreshWebhook, want: mxWebhookOwners(noContent, missing)},
		{method: get, path: "/v1/webhooks/:id/deliveries", id: mxWebhookID, want: mxWebhookOwners(ok, missing)},
		{method: post, path: "/v1/webhooks/:id/deliveries/:delivery_id/redeliver", id: mxWebhookID, params: mxWebhookDelivery,
			want: mxWebhookOwners(http.StatusAccepted, missing)},

		// Orders: importers order published products; an order is seen by
		// its importer, its producer, its center's curators and admins (404
		// for others); each party moves it only as the rules say.
		{method: post, path: "/v1/orders", product: true, idempotent: true, body: func(c mxCell) string {
			return `{"lines":[{"product_id":"` + c.p.id.String() + `","quantity":2}],"destination_country":"JP","incoterm":"FOB"}`
		}, want: func(a mxActor, s catalog.Status) int {
			switch {
			case a == mxAnonymous:
				return unauth
			case a != mxImporter:
				return forbidden
			case s == catalog.StatusPublished:
				return created
			}
			return unprocessable
		}},
		{method: get, path: "/v1/orders", want: mxSignedIn(ok)},
		{method: get, path: "/v1/orders/:id", object: mxOrder(trade.OrderPlaced), want: mxOrderParties(ok, ok, ok, ok)},
		{method: get, path: "/v1/orders/:id/proforma.pdf", object: mxOrder(trade.OrderPlaced), want: mxOrderParties(ok, ok, ok, ok)},
		{method: post, path: "/v1/orders/:id/confirm", object: mxOrder(trade.OrderPlaced),
			want: mxOrderParties(ok, forbidden, forbidden, forbidden)},
		{method: post, path: "/v1/orders/:id/ship", object: mxOrder(trade.OrderConfirmed),
			body: mxBody(`{"carrier":"Thailand Post EMS","tracking_number":"EE123456789TH"}`), want: mxOrderParties(ok, forbidden, forbidden, forbidden)},
		{method: post, path: "/v1/orders/:id/deliver", object: mxOrder(trade.OrderShipped),
			want: mxOrderParties(forbidden, ok, forbidden, forbidden)},
		{method: post, path: "/v1/orders/:id/cancel", object: mxOrder(trade.OrderPlaced),
			body: mxBody(`{"reason":"The dye lot failed its colour check."}`), want: mxOrderParties(ok, ok, forbidden, ok)},
		{method: post, path: "/v1/quotes/:id/accept", variant: "a quote that does not exist", idempotent: true,
			id: func(*mxWorld) string { return uuid.NewString() },
			want: mxByActor(map[mxActor]int{mxAnonymous: unauth, mxOwner: forbidden, mxOtherProducer: forbidden,
				mxImporter: missing, mxCurator: forbidden, mxFarCurator: forbidden, mxAdmin: forbidden})},

		// Imports: producers and staff queue them (the file is checked by the
		// job, so a photo is accepted here); a job is its starter's and the admins'.
		{method: post, path: "/v1/imports", upload: true, want: mxByActor(map[mxActor]int{mxAnonymous: unauth,
			mxOwner: http.StatusAccepted, mxOtherProducer: http.StatusAccepted, mxImporter: forbidden,
			mxCurator: http.StatusAccepted, mxFarCurator: http.StatusAccepted, mxAdmin: http.StatusAccepted})},
		{method: get, path: "/v1/imports/template.csv", want: mxAll(ok)},
		{method: get, path: "/v1/imports/template.xlsx", want: mxAll(ok)},
		{method: get, path: "/v1/imports/:id", object: mxImport, want: mxByActor(map[mxActor]int{mxAnonymous: unauth,
			mxOwner: ok, mxOtherProducer: missing, mxImporter: missing, mxCurator: missing, mxFarCurator: missing, mxAdmin: ok})},

		// Exports: published products are public; other statuses follow
		// GET /v1/products (the owner's own, curators narrowed to their
		// center, admins).
		{method: get, path: "/v1/exports/products.csv", want: mxAll(ok)},
		{method: get, path: "/v1/exports/products.csv", variant: "drafts of the owner's profile",
			query: func(w *mxWorld) string { return "?status=draft&producer=" + w.producer.ID.String() },
			want: mxByActor(map[mxActor]int{mxAnonymous: badQuery, mxOwner: ok, mxOtherProducer: badQuery, mxImporter: badQuery,
				mxCurator: ok, mxFarCurator: ok, mxAdmin: ok})},
		{method: get, path: "/v1/exports/products.xlsx", want: mxAll(ok)},
		{method: get, path: "/v1/exports/products.xlsx", variant: "every status",
			query: func(*mxWorld) string { return "?status=draft,pending_review,published,rejected,archived" },
			want: mxByActor(map[mxActor]int{mxAnonymous: badQuery, mxOwner: badQuery, mxOtherProducer: badQuery, mxImporter: badQuery,
				mxCurator: ok, mxFarCurator: ok, mxAdmin: ok})},

		// Statistics: everyone gets them; what is counted depends on who asks
		// (stats_test.go), never whether they may ask.
		{method: get, path: "/v1/stats/regions", want: mxAll(ok)},
		{method: get, path: "/v1/stats/clusters", want: mxAll(ok)},
		{method: get, path: "/v1/stats/provinces", want: mxAll(ok)},
		{method: get, path: "/v1/stats/provinces", variant: "as CSV", query: func(*mxWorld) string { return "?format=csv" }, want: mxAll(ok)},
		{method: get, path: "/v1/stats/select-centers", want: mxAll(ok)},
		{method: get, path: "/v1/stats/select-centers", variant: "unknown format",
			query: func(*mxWorld) string { return "?format=xlsx" }, want: mxAll(badQuery)},
	}
}

// target is the request target of a cell: the route's path with its
// parameters filled in, and the row's query.
func (r mxRow) target(c mxCell) (string, error) {
	params := map[string]string{"kind": "gi", "code": "TH-51", "asset": "swagger-ui.css"}
	switch {
	case c.p != nil:
		params["id"], params["image_id"], params["upload_id"] = c.p.id.String(), c.p.imageID.String(), c.p.uploadID.String()
	case c.objectID != "":
		params["id"] = c.objectID
	case r.id != nil:
		params["id"] = r.id(c.w)
	}
	if r.params != nil {
		maps.Copy(params, r.params(c))
	}
	segments := strings.Split(r.path, "/")
	for i, s := range segments {
		name, ok := strings.CutPrefix(s, ":")
		if !ok {
			continue
		}
		v, ok := params[name]
		if !ok {
			return "", fmt.Errorf("no value for the path parameter %s", name)
		}
		segments[i] = v
	}
	target := strings.Join(segments, "/")
	if r.query != nil {
		target += r.query(c.w)
	}
	return target, nil
}

// ---------------------------------------------------------------------------
// The world

type mxAccount struct{ email, password, token string }

// mxProduct is one product of the owner, with a photo and a presigned
// upload holding another photo, brought to a state.
type mxProduct struct {
	id, imageID, uploadID uuid.UUID
	version               int
	state                 catalog.Status
	selectCenter          string
	topotop               bool
	images                int
}

type mxWorld struct {
	a        *catalogAPI
	accounts map[mxActor]mxAccount // anonymous: a spare account, for the login row
	producer producerJSON          // the owner's profile (Lamphun: Select center chiang-mai)
	// Three different photos: a product's first photo, the one in its
	// presigned upload and the one the upload row sends.
	photo, uploaded, added []byte
	shared                 map[catalog.Status]*mxProduct
	products               atomic.Int64 // fixtures made
}

// mxRequest is one request to the router.
type mxRequest struct {
	method, target, token, contentType string
	body                               []byte
	ifMatch                            string
	idempotencyKey                     string
}

func (w *mxWorld) send(r mxRequest) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), r.method, r.target, bytes.NewReader(r.body))
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.ifMatch != "" {
		req.Header.Set("If-Match", r.ifMatch)
	}
	if r.idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", r.idempotencyKey)
	}
	rec := httptest.NewRecorder()
	w.a.router.ServeHTTP(rec, req)
	return rec
}

// must sends a request of the fixtures' making and fails unless it is answered with status.
func (w *mxWorld) must(t *testing.T, status int, r mxRequest) *httptest.ResponseRecorder {
	t.Helper()
	if len(r.body) > 0 && r.contentType == "" {
		r.contentType = "application/json"
	}
	rec := w.send(r)
	if rec.Code != status {
		t.Fatalf("fixture: %s %s = %d, want %d: %s", r.method, r.target, rec.Code, status, rec.Body)
	}
	return rec
}

func (w *mxWorld) token(a mxActor) string {
	if a == mxAnonymous {
		return ""
	}
	return w.accounts[a].token
}

func (w *mxWorld) login(t *testing.T, acc mxAccount) string {
	t.Helper()
	session, err := w.a.accounts.Login(context.Background(), acc.email, acc.password, "192.0.2.10")
	if err != nil {
		t.Fatalf("login %s: %v", acc.email, err)
	}
	return session.Token
}

func (w *mxWorld) signUp(t *testing.T, role account.Role, center string) mxAccount {
	t.Helper()
	ctx := context.Background()
	in := account.RegisterInput{Email: "matrix-" + uuid.NewString() + "@example.com", Password: "khao-soi-" + uuid.NewString(),
		Role: role, DisplayName: "Matrix " + string(role), SelectCenterID: center}
	var err error
	switch role {
	case account.RoleImporter:
		in.Country = "JP"
		_, err = w.a.accounts.Register(ctx, in)
	case account.RoleProducer:
		_, err = w.a.accounts.Register(ctx, in)
	default:
		_, err = w.a.accounts.CreateStaff(ctx, in)
	}
	if err != nil {
		t.Fatalf("create %s: %v", role, err)
	}
	acc := mxAccount{email: in.Email, password: in.Password}
	acc.token = w.login(t, acc)
	return acc
}

func newMatrixWorld(t *testing.T) *mxWorld {
	t.Helper()
	w := &mxWorld{a: newCatalogAPI(t), accounts: map[mxActor]mxAccount{}, shared: map[catalog.Status]*mxProduct{},
		photo:    mediatest.JPEG(mediatest.Photo(240, 160, 1), 80),
		uploaded: mediatest.JPEG(mediatest.Photo(240, 160, 2), 80),
		added:    mediatest.JPEG(mediatest.Photo(240, 160, 3), 80)}
	w.accounts[mxAnonymous] = w.signUp(t, account.RoleImporter, "")
	for _, a := range []mxActor{mxOwner, mxOtherProducer} {
		w.accounts[a] = w.signUp(t, account.RoleProducer, "")
		rec := w.must(t, http.StatusCreated, mxRequest{method: http.MethodPost, target: "/v1/producers", token: w.token(a), body: []byte(producerBody)})
		if a == mxOwner {
			w.producer = decode[producerJSON](t, rec)
		}
	}
	w.accounts[mxImporter] = w.signUp(t, account.RoleImporter, "")
	w.accounts[mxCurator] = w.signUp(t, account.RoleCurator, "chiang-mai")
	w.accounts[mxFarCurator] = w.signUp(t, account.RoleCurator, "songkhla")
	w.accounts[mxAdmin] = w.signUp(t, account.RoleAdmin, "")
	return w
}

func mxMultipart(file []byte) (contentType string, body []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "photo.jpg")
	_, _ = fw.Write(file)
	_ = mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// fillUpload posts a photo straight to MinIO, as a phone does with a ticket.
func (w *mxWorld) fillUpload(t *testing.T, ticket uploadTicketJSON, file []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range ticket.Fields {
		_ = mw.WriteField(k, v)
	}
	_ = mw.WriteField("Content-Type", "image/jpeg")
	fw, _ := mw.CreateFormFile(ticket.FileField, "upload.jpg")
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, err := http.NewRequestWithContext(context.Background(), ticket.Method, ticket.URL, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST to MinIO: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST to MinIO = %d", resp.StatusCode)
	}
}

// product makes a product of the owner in the given state, through the API:
// created with a photo and a filled presigned upload, then submitted,
// approved or rejected by the center's curator, and archived by its owner.
func (w *mxWorld) product(t *testing.T, state catalog.Status) *mxProduct {
	t.Helper()
	w.products.Add(1)
	owner, curator := w.token(mxOwner), w.token(mxCurator)
	created := decode[productJSON](t, w.must(t, http.StatusCreated, mxRequest{method: http.MethodPost, target: "/v1/products",
		token: owner, body: []byte(productBody)}))
	base := "/v1/products/" + created.ID.String()
	ct, body := mxMultipart(w.photo)
	img := decode[imageJSON](t, w.must(t, http.StatusCreated, mxRequest{method: http.MethodPost, target: base + "/images",
		token: owner, contentType: ct, body: body}))
	ticket := decode[uploadTicketJSON](t, w.must(t, http.StatusCreated, mxRequest{method: http.MethodPost,
		target: base + "/images/uploads", token: owner}))
	w.fillUpload(t, ticket, w.uploaded)
	if state != catalog.StatusDraft {
		submitted := decode[productJSON](t, w.must(t, http.StatusOK, mxRequest{method: http.MethodPost, target: base + "/submit", token: owner}))
		switch state {
		case catalog.StatusPublished, catalog.StatusArchived:
			w.must(t, http.StatusOK, mxRequest{method: http.MethodPost, target: base + "/approve", token: curator, ifMatch: etag(submitted.Version)})
		case catalog.StatusRejected:
			w.must(t, http.StatusOK, mxRequest{method: http.MethodPost, target: base + "/reject", token: curator,
				ifMatch: etag(submitted.Version), body: []byte(`{"reason":"Photos are blurry, please retake."}`)})
		}
		if state == catalog.StatusArchived {
			w.must(t, http.StatusNoContent, mxRequest{method: http.MethodDelete, target: base, token: owner})
		}
	}
	p := &mxProduct{id: created.ID, imageID: img.ID, uploadID: ticket.UploadID}
	w.load(t, p)
	if p.state != state {
		t.Fatalf("fixture: product is %s, want %s", p.state, state)
	}
	return p
}

// load reads what the matrix relies on of a product from the database.
func (w *mxWorld) load(t *testing.T, p *mxProduct) {
	t.Helper()
	var row struct {
		Status         string
		Version        int
		SelectCenterID string
		Topotop        bool
		Images         int
	}
	err := w.a.db.Raw(`SELECT p.status, p.version, p.select_center_id, p.topotop,
		(SELECT count(*) FROM product_images i WHERE i.product_id = p.id) AS images
		FROM products p WHERE p.id = ?`, p.id).Scan(&row).Error
	if err != nil {
		t.Fatalf("read product %s: %v", p.id, err)
	}
	p.state, p.version, p.selectCenter, p.topotop, p.images = catalog.Status(row.Status), row.Version, row.SelectCenterID, row.Topotop, row.Images
}

// cell sends the request of one cell and checks its status.
func (w *mxWorld) cell(t *testing.T, r mxRow, actor mxActor, state catalog.Status) {
	t.Helper()
	c := mxCell{w: w, actor: actor, state: state}
	want := r.want(actor, state)
	if r.product {
		c.p = w.shared[state]
		if r.mutates && want < 300 {
			c.p = w.product(t, state)
		}
	}
	var objectETag string
	if r.object != nil {
		c.objectID, objectETag = r.object(t, w)
	}
	target, err := r.target(c)
	if err != nil {
		t.Fatalf("%s: %v", r.name(), err)
	}
	req := mxRequest{method: r.method, target: target, token: w.token(actor), ifMatch: objectETag}
	if r.idempotent {
		req.idempotencyKey = uuid.NewString()
	}
	if r.fresh && actor != mxAnonymous {
		req.token = w.login(t, w.accounts[actor])
	}
	if r.ifMatch {
		req.ifMatch = etag(c.p.version)
	}
	switch {
	case r.upload:
		req.contentType, req.body = mxMultipart(w.added)
	case r.body != nil:
		req.contentType, req.body = "application/json", []byte(r.body(c))
	}
	rec := w.send(req)
	got := rec.Code
	if r.outcome != nil {
		if got, err = r.outcome(rec); err != nil {
			t.Errorf("%s × %s: %v", actor, mxStateName(state), err)
			return
		}
	}
	if got != want {
		body := rec.Body.String()
		if len(body) > 300 {
			body = body[:300] + "…"
		}
		t.Errorf("%s × %s: %s %s = %d, want %d: %s", actor, mxStateName(state), r.method, target, got, want, body)
	}
}

func mxStateName(s catalog.Status) string {
	if s == "" {
		return "(no product)"
	}
	return string(s)
}

// ---------------------------------------------------------------------------
// The test

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	rows := mxRows()
	w := newMatrixWorld(t)

	t.Run("every route of the router has rows", func(t *testing.T) {
		registered := map[string]bool{}
		for _, r := range w.a.router.Routes() {
			registered[r.Method+" "+r.Path] = true
		}
		covered := map[string]bool{}
		for _, r := range rows {
			key := r.method + " " + r.path
			if !registered[key] {
				t.Errorf("the matrix has a row for %s, which the router lacks", key)
			}
			covered[key] = true
		}
		var missing []string
		for key := range registered {
			if !covered[key] {
				missing = append(missing, key)
			}
		}
		slices.Sort(missing)
		for _, key := range missing {
			t.Errorf("route %s has no row in the authorization matrix (add one to mxRows)", key)
		}
	})

	for _, s := range mxStates {
		w.shared[s] = w.product(t, s)
	}
	var cells atomic.Int64
	t.Run("cells", func(t *testing.T) {
		for _, r := range rows {
			t.Run(r.name(), func(t *testing.T) {
				t.Parallel()
				states := []catalog.Status{""}
				if r.product {
					states = mxStates
				}
				for _, s := range states {
					for _, a := range mxActors {
						w.cell(t, r, a, s)
						cells.Add(1)
					}
				}
			})
		}
	})

	// Refused requests changed nothing: the shared products are as made.
	for _, s := range mxStates {
		before := *w.shared[s]
		after := before
		w.load(t, &after)
		if after != before {
			t.Errorf("the shared %s product changed under refused requests: %+v, was %+v", s, after, before)
		}
	}
	t.Logf("%d cells (%d rows) checked; %d products made", cells.Load(), len(rows), w.products.Load())
}

// mxOrderParties: the statuses of an order's route for its producer (the
// owner), its importer, the center's curator and an admin; everyone else
// gets 404, and anonymous callers 401.
func mxOrderParties(producer, importer, curator, admin int) mxWant {
	return mxByActor(map[mxActor]int{mxAnonymous: http.StatusUnauthorized, mxOwner: producer,
		mxOtherProducer: http.StatusNotFound, mxImporter: importer, mxCurator: curator,
		mxFarCurator: http.StatusNotFound, mxAdmin: admin})
}

// mxOrder makes an order of the importer for the owner's published product
// (made to order: the product does not change) and brings it to state.
func mxOrder(state trade.OrderStatus) func(t *testing.T, w *mxWorld) (string, string) {
	return func(t *testing.T, w *mxWorld) (string, string) {
		t.Helper()
		body := `{"lines":[{"product_id":"` + w.shared[catalog.StatusPublished].id.String() +
			`","quantity":2}],"destination_country":"DE","incoterm":"CIF"}`
		rec := w.must(t, http.StatusCreated, mxRequest{method: http.MethodPost, target: "/v1/orders",
			token: w.token(mxImporter), body: []byte(body), idempotencyKey: uuid.NewString()})
		o := decode[placementJSON](t, rec).Orders[0]
		steps := map[trade.OrderStatus][]string{trade.OrderConfirmed: {"confirm"}, trade.OrderShipped: {"confirm", "ship"}}[state]
		version := o.Version
		for _, step := range steps {
			body := ""
			if step == "ship" {
				body = `{"carrier":"DHL","tracking_number":"1234567890"}`
			}
			rec := w.must(t, http.StatusOK, mxRequest{method: http.MethodPost, target: "/v1/orders/" + o.ID.String() + "/" + step,
				token: w.token(mxOwner), body: []byte(body), ifMatch: etag(version)})
			version = decode[orderJSON](t, rec).Version
		}
		return o.ID.String(), etag(version)
	}
}

// mxImport queues an import of the owner's.
func mxImport(t *testing.T, w *mxWorld) (string, string) {
	t.Helper()
	ct, body := mxMultipart([]byte("sku,name_th,name_en,category\nMX-1,ผ้าไหม,Silk,textile\n"))
	rec := w.must(t, http.StatusAccepted, mxRequest{method: http.MethodPost, target: "/v1/imports",
		token: w.token(mxOwner), body: body, contentType: ct})
	return decode[importJobJSON](t, rec).ID.String(), ""
}

// mxInquiryParties: the statuses of an inquiry's (or an RFQ's) route for
// the product's producer (the owner), the importer who asked, the center's
// curator, an admin and the curator of another center (404 for an
// inquiry, which belongs to a center; RFQs are read by every center's
// staff); the other producer, whose products match nothing, gets 404 and
// anonymous callers 401.
func mxInquiryParties(producer, importer, curator, admin, farCurator int) mxWant {
	return mxByActor(map[mxActor]int{mxAnonymous: http.StatusUnauthorized, mxOwner: producer,
		mxOtherProducer: http.StatusNotFound, mxImporter: importer, mxCurator: curator,
		mxFarCurator: farCurator, mxAdmin: admin})
}

// mxRFQBody asks for what the owner's published product is: Lamphun
// textile crafts.
func mxRFQBody() string {
	return `{"category":"textile","creative_industry":"crafts","region":"north","quantity":500,"unit":"piece",
	"description":"Silk scarves for a Kyoto department store.","destination_country":"JP","closes_on":"` + tradeDay(14) + `"}`
}

// mxInquiry makes a cell's own inquiry by the importer about the owner's
// published product.
func mxInquiry(t *testing.T, w *mxWorld) (string, string) {
	t.Helper()
	rec := w.must(t, http.StatusCreated, mxRequest{method: http.MethodPost, target: "/v1/inquiries",
		token: w.token(mxImporter), body: []byte(inquiryBody(w.shared[catalog.StatusPublished].id))})
	return decode[inquiryDetailJSON](t, rec).ID.String(), ""
}

// mxInquiryQuote makes an inquiry and the owner's quote on it.
func mxInquiryQuote(t *testing.T, w *mxWorld) (string, string) {
	t.Helper()
	id, _ := mxInquiry(t, w)
	rec := w.must(t, http.StatusCreated, mxRequest{method: http.MethodPost, target: "/v1/inquiries/" + id + "/quotes",
		token: w.token(mxOwner), body: []byte(quoteBody(1190, "USD"))})
	return decode[quoteJSON](t, rec).ID.String(), ""
}

// mxRFQ makes a cell's own RFQ by the importer, matching the owner's
// published product.
func mxRFQ(t *testing.T, w *mxWorld) (string, string) {
	t.Helper()
	rec := w.must(t, http.StatusCreated, mxRequest{method: http.MethodPost, target: "/v1/rfqs",
		token: w.token(mxImporter), body: []byte(mxRFQBody())})
	return decode[rfqDetailJSON](t, rec).ID.String(), ""
}

// mxRFQQuote makes an RFQ and the owner's quote on it.
func mxRFQQuote(t *testing.T, w *mxWorld) (string, string) {
	t.Helper()
	id, _ := mxRFQ(t, w)
	body := strings.Replace(quoteBody(85000, "THB"), "{", `{"product_id":"`+w.shared[catalog.StatusPublished].id.String()+`",`, 1)
	rec := w.must(t, http.StatusCreated, mxRequest{method: http.MethodPost, target: "/v1/rfqs/" + id + "/quotes",
		token: w.token(mxOwner), body: []byte(body)})
	return decode[quoteJSON](t, rec).ID.String(), ""
}
