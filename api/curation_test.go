package api

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/media/mediatest"
)

// submitted creates a product of a new Lamphun producer (the Chiang Mai
// center's) and submits it; it returns the producer's token and the product.
func (a *catalogAPI) submitted(t *testing.T) (string, productJSON) {
	t.Helper()
	token, _ := a.producer(t)
	p := a.createProduct(t, token)
	rec := a.do(t, http.MethodPost, "/v1/products/"+p.ID.String()+"/submit", token, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("submit = %d %s", rec.Code, rec.Body)
	}
	return token, decode[productJSON](t, rec)
}

func TestAProductMadeThroughTheAPIIsReviewedAndFoundByAnonymousSearch(t *testing.T) {
	a := newCatalogAPI(t)
	_, p := a.submitted(t)
	curator := a.signUp(t, account.RoleCurator, "chiang-mai")
	otherCurator := a.signUp(t, account.RoleCurator, "songkhla")

	rec := a.do(t, http.MethodGet, "/v1/curation/queue", curator, "")
	queue := decode[listReply[queueItemJSON]](t, rec)
	if rec.Code != http.StatusOK || len(queue.Items) != 1 || queue.Items[0].ID != p.ID || queue.Items[0].Producer.Contact == nil {
		t.Fatalf("chiang-mai queue = %d %s", rec.Code, rec.Body)
	}
	if queue := decode[listReply[queueItemJSON]](t, a.do(t, http.MethodGet, "/v1/curation/queue", otherCurator, "")); len(queue.Items) != 0 {
		t.Errorf("songkhla queue holds %d items, want none", len(queue.Items))
	}
	approve := "/v1/products/" + p.ID.String() + "/approve"
	if rec := a.do(t, http.MethodPost, approve, curator, ""); rec.Code != http.StatusPreconditionRequired {
		t.Errorf("approve without If-Match = %d, want 428", rec.Code)
	}
	if rec := a.do(t, http.MethodPost, approve, curator, "", "If-Match", etag(p.Version+1)); rec.Code != http.StatusPreconditionFailed {
		t.Errorf("approve with a stale If-Match = %d, want 412", rec.Code)
	}
	if rec := a.do(t, http.MethodPost, approve, otherCurator, "", "If-Match", etag(p.Version)); rec.Code != http.StatusNotFound {
		t.Errorf("another center's curator approving = %d, want 404", rec.Code)
	}
	rec = a.do(t, http.MethodPost, approve, curator, "", "If-Match", etag(p.Version))
	if rec.Code != http.StatusOK || decode[productJSON](t, rec).Status != "published" {
		t.Fatalf("approve = %d %s", rec.Code, rec.Body)
	}
	a.drain(t)
	rec = a.do(t, http.MethodGet, "/v1/search?q=brocade", "", "")
	found := decode[searchReply](t, rec)
	if rec.Code != http.StatusOK || found.Total != 1 || found.Hits[0].ID != p.ID.String() {
		t.Fatalf("anonymous search after approval = %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, http.MethodGet, "/v1/products/"+p.ID.String(), "", ""); rec.Code != http.StatusOK {
		t.Errorf("anonymous read of the approved product = %d", rec.Code)
	}
}

func TestARejectionReasonIsShownToTheProducerAndStaffOnly(t *testing.T) {
	a := newCatalogAPI(t)
	owner, p := a.submitted(t)
	curator := a.signUp(t, account.RoleCurator, "chiang-mai")
	reject := "/v1/products/" + p.ID.String() + "/reject"
	for name, body := range map[string]string{
		"empty":    `{"reason":""}`,
		"short":    `{"reason":"blurry"}`,
		"too long": `{"reason":"` + strings.Repeat("x", 2001) + `"}`,
		"NUL":      `{"reason":"Photos are \u0000 blurred, retake them"}`,
		"control":  `{"reason":"Photos are \u0007 blurred, retake them"}`,
	} {
		t.Run(name, func(t *testing.T) {
			rec := a.do(t, http.MethodPost, reject, curator, body, "If-Match", etag(p.Version))
			if pr := assertProblem(t, rec, http.StatusUnprocessableEntity); len(pr.Errors) != 1 || pr.Errors[0].Field != "reason" {
				t.Errorf("reject %s = %s", name, rec.Body)
			}
		})
	}
	if rec := a.do(t, http.MethodPost, reject, curator, `{"reason":"ok`, "If-Match", etag(p.Version)); rec.Code != http.StatusBadRequest {
		t.Errorf("a cut body = %d, want 400", rec.Code)
	}
	reason := "The photos are blurred; please retake them in daylight."
	rec := a.do(t, http.MethodPost, reject, curator, `{"reason":"`+reason+`"}`, "If-Match", etag(p.Version))
	if rec.Code != http.StatusOK {
		t.Fatalf("reject = %d %s", rec.Code, rec.Body)
	}
	path := "/v1/products/" + p.ID.String()
	for _, who := range []struct {
		name, token string
		want        int
		reason      bool
	}{
		{"owner", owner, http.StatusOK, true},
		{"curator", curator, http.StatusOK, true},
		{"importer", a.signUp(t, account.RoleImporter, ""), http.StatusNotFound, false},
		{"anonymous", "", http.StatusNotFound, false},
	} {
		rec := a.do(t, http.MethodGet, path, who.token, "")
		if rec.Code != who.want {
			t.Errorf("%s reads the rejected product: %d, want %d", who.name, rec.Code, who.want)
			continue
		}
		if who.want == http.StatusOK {
			got := decode[productJSON](t, rec)
			if (got.RejectionReason != nil && *got.RejectionReason == reason) != who.reason {
				t.Errorf("%s sees rejection_reason %v", who.name, got.RejectionReason)
			}
		}
	}
	rec = a.do(t, http.MethodGet, "/v1/notifications?unread=true", owner, "")
	feed := decode[listReply[notificationJSON]](t, rec)
	if len(feed.Items) != 1 || feed.Items[0].Kind != "product_rejected" || feed.Items[0].Data["reason"] != reason {
		t.Fatalf("owner's notifications = %s", rec.Body)
	}
	rec = a.do(t, http.MethodPost, "/v1/notifications/read", owner, fmt.Sprintf(`{"ids":[%q]}`, feed.Items[0].ID))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"marked":1`) {
		t.Errorf("mark read = %d %s", rec.Code, rec.Body)
	}
	rec = a.do(t, http.MethodGet, "/v1/products/"+p.ID.String()+"/history", owner, "")
	history := decode[listReply[auditJSON]](t, rec)
	if rec.Code != http.StatusOK || len(history.Items) != 2 || history.Items[0].Action != "reject" || history.Items[1].Action != "submit" {
		t.Errorf("history = %d %s", rec.Code, rec.Body)
	}
	if history.Items[0].RequestID == "" {
		t.Errorf("the audit row does not name its request")
	}
}

func TestCurationRoutesRefuseBadInput(t *testing.T) {
	a := newCatalogAPI(t)
	_, p := a.submitted(t)
	admin := a.signUp(t, account.RoleAdmin, "")
	id := p.ID.String()
	cases := []struct {
		name, method, path, body string
		headers                  []string
		want                     int
	}{
		{"queue: unknown center", http.MethodGet, "/v1/curation/queue?select_center=paris", "", nil, http.StatusBadRequest},
		{"queue: bad resubmitted", http.MethodGet, "/v1/curation/queue?resubmitted=maybe", "", nil, http.StatusBadRequest},
		{"queue: bad cursor", http.MethodGet, "/v1/curation/queue?cursor=abc", "", nil, http.StatusBadRequest},
		{"queue: limit too high", http.MethodGet, "/v1/curation/queue?limit=1000", "", nil, http.StatusBadRequest},
		{"audit: bad time", http.MethodGet, "/v1/audit?from=0000-01-01", "", nil, http.StatusBadRequest},
		{"audit: unknown action", http.MethodGet, "/v1/audit?action=delete", "", nil, http.StatusBadRequest},
		{"audit: bad entity id", http.MethodGet, "/v1/audit?entity_id=1", "", nil, http.StatusBadRequest},
		{"approve: malformed If-Match", http.MethodPost, "/v1/products/" + id + "/approve", "", []string{"If-Match", "3"}, http.StatusBadRequest},
		{"approve: unknown field", http.MethodPost, "/v1/products/" + id + "/approve", `{"status":"published"}`, []string{"If-Match", etag(p.Version)}, http.StatusUnprocessableEntity},
		{"decisions: empty", http.MethodPost, "/v1/curation/decisions", `{"decisions":[]}`, nil, http.StatusUnprocessableEntity},
		{"decisions: unknown decision", http.MethodPost, "/v1/curation/decisions", `{"decisions":[{"id":"` + id + `","version":1,"decision":"maybe"}]}`, nil, http.StatusUnprocessableEntity},
		{"decisions: cut body", http.MethodPost, "/v1/curation/decisions", `{"decisions":[`, nil, http.StatusBadRequest},
		{"reassign: unknown center", http.MethodPost, "/v1/products/" + id + "/reassign", `{"select_center_id":"paris","reason":"moving it to the capital"}`, nil, http.StatusUnprocessableEntity},
		{"reassign: NUL in reason", http.MethodPost, "/v1/products/" + id + "/reassign", `{"select_center_id":"bangkok","reason":"moving it \u0000 to the capital"}`, nil, http.StatusUnprocessableEntity},
		{"topotop: missing", http.MethodPut, "/v1/products/" + id + "/topotop", `{"note":"x"}`, nil, http.StatusUnprocessableEntity},
		{"topotop: not published", http.MethodPut, "/v1/products/" + id + "/topotop", `{"topotop":true}`, nil, http.StatusConflict},
		{"verify: unknown verdict", http.MethodPost, "/v1/products/" + id + "/certifications/gi/verify", `{"verdict":"maybe"}`, nil, http.StatusUnprocessableEntity},
		{"verify: unknown kind", http.MethodPost, "/v1/products/" + id + "/certifications/nasa/verify", `{"verdict":"verified"}`, nil, http.StatusNotFound},
		{"verify: overlong note", http.MethodPost, "/v1/products/" + id + "/otop-stars/verify", `{"verdict":"disputed","note":"` + strings.Repeat("n", 2001) + `"}`, nil, http.StatusUnprocessableEntity},
		{"notifications: neither ids nor all", http.MethodPost, "/v1/notifications/read", `{}`, nil, http.StatusUnprocessableEntity},
		{"notifications: bad id", http.MethodPost, "/v1/notifications/read", `{"ids":["x"]}`, nil, http.StatusBadRequest},
		{"notifications: cut body", http.MethodPost, "/v1/notifications/read", `{"all":tr`, nil, http.StatusBadRequest},
		{"reassign: cut body", http.MethodPost, "/v1/products/" + id + "/reassign", `{"select_center_id":"bang`, nil, http.StatusBadRequest},
		{"topotop: overlong note", http.MethodPut, "/v1/products/" + id + "/topotop", `{"topotop":false,"note":"` + strings.Repeat("n", 2001) + `"}`, nil, http.StatusUnprocessableEntity},
		{"topotop: NUL in note", http.MethodPut, "/v1/products/" + id + "/topotop", `{"topotop":false,"note":"ok\u0000"}`, nil, http.StatusUnprocessableEntity},
		{"verify: NUL in note", http.MethodPost, "/v1/products/" + id + "/certifications/gi/verify", `{"verdict":"disputed","note":"Number does not \u0000 match"}`, nil, http.StatusUnprocessableEntity},
		{"verify: cut body", http.MethodPost, "/v1/products/" + id + "/otop-stars/verify", `{"verdict":`, nil, http.StatusBadRequest},
		{"decisions: NUL in reason", http.MethodPost, "/v1/curation/decisions", `{"decisions":[{"id":"` + id + `","version":1,"decision":"reject","reason":"bad \u0000 photos here"}]}`, nil, http.StatusUnprocessableEntity},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := a.do(t, tc.method, tc.path, admin, tc.body, tc.headers...)
			assertProblem(t, rec, tc.want)
		})
	}
	// Nothing of the above changed the product.
	rec := a.do(t, http.MethodGet, "/v1/products/"+id, admin, "")
	if got := decode[productJSON](t, rec); got.Version != p.Version || got.Status != "pending_review" || got.SelectCenterID != "chiang-mai" {
		t.Errorf("after the refused requests: version %d status %s center %s", got.Version, got.Status, got.SelectCenterID)
	}
}

func TestBatchDecisionsAnswerOneResultPerItem(t *testing.T) {
	a := newCatalogAPI(t)
	_, p := a.submitted(t)
	_, q := a.submitted(t)
	curator := a.signUp(t, account.RoleCurator, "chiang-mai")
	body := fmt.Sprintf(`{"decisions":[{"id":%q,"version":%d,"decision":"approve"},
		{"id":%q,"version":%d,"decision":"reject","reason":"x"},{"id":%q,"version":1,"decision":"approve"}]}`,
		p.ID, p.Version, q.ID, q.Version, uuid.New())
	rec := a.do(t, http.MethodPost, "/v1/curation/decisions", curator, body)
	if rec.Code != http.StatusOK {
		t.Fatalf("decisions = %d %s", rec.Code, rec.Body)
	}
	results := decode[struct {
		Results []decisionResultJSON `json:"results"`
	}](t, rec).Results
	if len(results) != 3 || results[0].Status != 200 || results[0].Product == nil || results[1].Status != 422 || results[2].Status != 404 {
		t.Fatalf("results = %s", rec.Body)
	}
	if results[1].Problem == nil || results[1].Problem.Errors[0].Field != "decisions[1].reason" {
		t.Errorf("the invalid item's problem = %+v", results[1].Problem)
	}
}

func TestDisputeDetailsStayWithTheOwnerEvenWhenThePublicReplyIsCached(t *testing.T) {
	a := newCatalogAPI(t)
	owner, p := a.submitted(t)
	curator := a.signUp(t, account.RoleCurator, "chiang-mai")
	rec := a.do(t, http.MethodPost, "/v1/products/"+p.ID.String()+"/approve", curator, "", "If-Match", etag(p.Version))
	if rec.Code != http.StatusOK {
		t.Fatalf("approve = %d %s", rec.Code, rec.Body)
	}
	note := "The GI registration number does not match the register."
	rec = a.do(t, http.MethodPost, "/v1/products/"+p.ID.String()+"/certifications/gi/verify", curator,
		`{"verdict":"disputed","note":"`+note+`"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("dispute = %d %s", rec.Code, rec.Body)
	}
	path := "/v1/products/" + p.ID.String()
	for _, who := range []struct {
		name, token string
		sees        bool
	}{{"anonymous", "", false}, {"owner", owner, true}, {"anonymous again", "", false}, {"owner again", owner, true}} {
		got := decode[productJSON](t, a.do(t, http.MethodGet, path, who.token, ""))
		gi := got.Certifications[0]
		if gi.Kind != "gi" || gi.Disputed != who.sees || (gi.VerificationNote == note) != who.sees || gi.Verified {
			t.Errorf("%s sees %+v", who.name, gi)
		}
	}
}

func TestControlCharactersAndBadDatesAreRefusedInEveryBody(t *testing.T) {
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	p := a.createProduct(t, token)
	path := "/v1/products/" + p.ID.String()
	cases := []struct {
		name, method, target, body string
		headers                    []string
		want                       int
		field                      string
	}{
		{"NUL in a name", http.MethodPatch, path, `{"name_en":"Silk\u0000scarf"}`, nil, http.StatusUnprocessableEntity, "name_en"},
		{"bell in a tag", http.MethodPatch, path, `{"tags":["silk","sc\u0007arf"]}`, nil, http.StatusUnprocessableEntity, "tags[1]"},
		{"NUL in a certificate number", http.MethodPatch, path, `{"certifications":[{"kind":"gi","number":"GI\u00001"}]}`, nil, http.StatusUnprocessableEntity, "certifications[0].number"},
		{"C1 control in a description", http.MethodPatch, path, "{\"description_en\":\"Silk \u0085 scarf\"}", nil, http.StatusUnprocessableEntity, "description_en"},
		{"year 0000", http.MethodPatch, path, `{"certifications":[{"kind":"gi","number":"GI-1","expires_on":"0000-01-01"}]}`, nil, http.StatusUnprocessableEntity, "certifications[0].expires_on"},
		{"year 9999", http.MethodPatch, path, `{"certifications":[{"kind":"gi","number":"GI-1","expires_on":"9999-12-31"}]}`, nil, http.StatusUnprocessableEntity, "certifications[0].expires_on"},
		{"UTF-16 body", http.MethodPatch, path, `{"name_en":"Silk"}`, []string{"Content-Type", "application/json; charset=utf-16"}, http.StatusUnsupportedMediaType, ""},
		{"NUL in a login email", http.MethodPost, "/v1/auth/login", `{"email":"a\u0000@example.com","password":"x"}`, nil, http.StatusUnprocessableEntity, "email"},
		{"NUL in a query", http.MethodGet, "/v1/search?q=silk%00", "", nil, http.StatusBadRequest, "q"},
		{"importer country XX", http.MethodPost, "/v1/auth/register", `{"email":"buyer@example.com","password":"a long enough passphrase 42","role":"importer","display_name":"Buyer","country":"XX"}`, nil, http.StatusUnprocessableEntity, "country"},
		{"overlong login email", http.MethodPost, "/v1/auth/login", `{"email":"` + strings.Repeat("a", 3000) + `@example.com","password":"x"}`, nil, http.StatusUnprocessableEntity, "email"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := a.do(t, tc.method, tc.target, token, tc.body, tc.headers...)
			pr := assertProblem(t, rec, tc.want)
			if tc.field != "" && (len(pr.Errors) != 1 || pr.Errors[0].Field != tc.field) {
				t.Errorf("errors = %+v, want one naming %s", pr.Errors, tc.field)
			}
		})
	}
	rec := a.do(t, http.MethodGet, path, token, "")
	if got := decode[productJSON](t, rec); got.Version != p.Version || got.NameEN != p.NameEN {
		t.Errorf("a refused request changed the product: version %d, name %q", got.Version, got.NameEN)
	}
}

func TestIfMatchFollowsRFC9110(t *testing.T) {
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	p := a.createProduct(t, token)
	path := "/v1/products/" + p.ID.String()
	v := p.Version
	for _, tc := range []struct {
		header string
		want   int
	}{
		{`"bogus"`, http.StatusPreconditionFailed},
		{`"0"`, http.StatusPreconditionFailed},
		{fmt.Sprintf(`W/"%d"`, v), http.StatusPreconditionFailed}, // weak tags never match
		{fmt.Sprintf(`"%d"x`, v), http.StatusBadRequest},
		{fmt.Sprint(v), http.StatusBadRequest},
		{`"unterminated`, http.StatusBadRequest},
		{`,`, http.StatusBadRequest},
		{fmt.Sprintf(`"%d", "%d"`, v+5, v), http.StatusOK}, // any member of a list
		{`*`, http.StatusOK},
	} {
		t.Run(tc.header, func(t *testing.T) {
			rec := a.do(t, http.MethodPatch, path, token, `{"lead_time_days":12}`, "If-Match", tc.header)
			if rec.Code != tc.want {
				t.Fatalf("If-Match %s = %d %s, want %d", tc.header, rec.Code, rec.Body, tc.want)
			}
			if tc.want == http.StatusBadRequest && !strings.Contains(rec.Body.String(), "If-Match") {
				t.Errorf("the 400 does not name the header: %s", rec.Body)
			}
			if rec.Code == http.StatusOK {
				v = decode[productJSON](t, rec).Version
			}
		})
	}
}

func TestConcurrentPatchesWithoutIfMatchAllSucceed(t *testing.T) {
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	p := a.createProduct(t, token)
	path := "/v1/products/" + p.ID.String()
	const n = 8
	codes := make(chan int, n)
	for i := range n {
		go func() {
			req := httptest.NewRequestWithContext(context.Background(), http.MethodPatch, path,
				strings.NewReader(fmt.Sprintf(`{"lead_time_days":%d}`, 10+i)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			a.router.ServeHTTP(rec, req)
			codes <- rec.Code
		}()
	}
	for range n {
		if code := <-codes; code != http.StatusOK {
			t.Errorf("a PATCH without If-Match answered %d, want 200 (last write wins)", code)
		}
	}
}

func TestTruncatedMultipartIsABadRequest(t *testing.T) {
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	p := a.createProduct(t, token)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", "photo.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := part.Write(mediatest.JPEG(mediatest.Photo(640, 480, 1), 90)); err != nil {
		t.Fatal(err)
	}
	// No w.Close(): the closing boundary is missing, as from a client cut off mid-upload.
	req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/v1/products/"+p.ID.String()+"/images", bytes.NewReader(body.Bytes()))
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	got := httptest.NewRecorder()
	a.router.ServeHTTP(got, req)
	a.assertDocumented(t, http.MethodPost, "/v1/products/"+p.ID.String()+"/images", got)
	assertProblem(t, got, http.StatusBadRequest)
	if n := len(decode[productJSON](t, a.do(t, http.MethodGet, "/v1/products/"+p.ID.String(), token, "")).Images); n != 0 {
		t.Errorf("a cut upload left %d images", n)
	}
}
