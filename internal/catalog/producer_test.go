package catalog_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
)

func TestCreateProducerDerivesClusterAndRegionFromTheProvince(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	tests := []struct {
		province, cluster, region string
	}{
		{"TH-50", "upper-north-1", "north"},
		{"TH-40", "middle-northeast", "northeast"},
		{"TH-90", "south-border", "south"},
		{"TH-10", "", "central"},
	}
	for _, tt := range tests {
		t.Run(tt.province, func(t *testing.T) {
			_, prod := f.producer(t, tt.province)
			if prod.ClusterID != tt.cluster || prod.Region != tt.region || prod.ProvinceCode != tt.province {
				t.Errorf("place = %s/%q/%s, want %s/%q/%s", prod.ProvinceCode, prod.ClusterID, prod.Region, tt.province, tt.cluster, tt.region)
			}
			if prod.Version != 1 || prod.Contact == nil || prod.Contact.Phone != "+66 53 521 234" {
				t.Errorf("created profile = %+v", prod)
			}
		})
	}
}

func TestCreateProducerIsForProducerAccountsOnceEach(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, _ := f.producer(t, "TH-50")
	tests := []struct {
		name string
		who  account.Principal
		want error
	}{
		{"anonymous", account.Principal{}, errs.ErrUnauthenticated},
		{"importer", f.user(t, account.RoleImporter, ""), errs.ErrForbidden},
		{"curator", f.user(t, account.RoleCurator, "chiang-mai"), errs.ErrForbidden},
		{"admin", f.user(t, account.RoleAdmin, ""), errs.ErrForbidden},
		{"producer with a profile already", owner, errs.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.svc.CreateProducer(f.ctx, tt.who, producerInput("TH-51")); !errors.Is(err, tt.want) {
				t.Fatalf("CreateProducer = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCreateProducerReportsEveryInvalidFieldOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	p := f.user(t, account.RoleProducer, "")
	_, err := f.svc.CreateProducer(f.ctx, p, catalog.ProducerInput{
		NameTH: ptr("Ban Nong Nguek"), Kind: ptr("cooperative"), ProvinceCode: ptr("TH-99"),
		Amphoe: ptr(""), EnterpriseLevel: ptr(5),
		Contact: &catalog.ContactInput{Email: ptr("not an email"), Website: ptr("ftp://example.com"), Phone: ptr("call me"), LineID: ptr("has space")},
	})
	wantFields(t, err, "name_th", "name_en", "kind", "province_code", "amphoe", "tambon", "enterprise_level",
		"contact.email", "contact.website", "contact.phone", "contact.line_id")
}

func TestProducerContactIsShownToOwnerAndStaffOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, prod := f.producer(t, "TH-50")
	other, _ := f.producer(t, "TH-51")
	tests := []struct {
		name    string
		who     account.Principal
		contact bool
	}{
		{"anonymous", account.Principal{}, false},
		{"importer", f.user(t, account.RoleImporter, ""), false},
		{"another producer", other, false},
		{"owner", owner, true},
		{"curator of another center", f.user(t, account.RoleCurator, "songkhla"), true},
		{"admin", f.user(t, account.RoleAdmin, ""), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.svc.GetProducer(f.ctx, tt.who, prod.ID)
			if err != nil {
				t.Fatalf("GetProducer: %v", err)
			}
			if (got.Contact != nil) != tt.contact {
				t.Errorf("GetProducer contact = %+v, want shown = %v", got.Contact, tt.contact)
			}
			page, err := f.svc.ListProducers(f.ctx, tt.who, catalog.ProducerFilter{Province: "TH-50"})
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("ListProducers = %+v, %v", page, err)
			}
			if (page.Items[0].Contact != nil) != tt.contact {
				t.Errorf("ListProducers contact = %+v, want shown = %v", page.Items[0].Contact, tt.contact)
			}
		})
	}
}

func TestUpdateProducer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, prod := f.producer(t, "TH-50")
	other, _ := f.producer(t, "TH-51")

	t.Run("the owner changes fields and the version", func(t *testing.T) {
		got, err := f.svc.UpdateProducer(f.ctx, owner, prod.ID, catalog.MatchVersion(prod.Version), catalog.ProducerInput{
			EnterpriseLevel: ptr(3), Contact: &catalog.ContactInput{Website: ptr("https://weavers.example.com")},
		})
		if err != nil {
			t.Fatalf("UpdateProducer: %v", err)
		}
		if got.EnterpriseLevel != 3 || got.Contact.Website != "https://weavers.example.com" || got.Contact.Phone != "+66 53 521 234" {
			t.Errorf("updated = %+v, contact %+v", got, got.Contact)
		}
		if got.Version != prod.Version+1 || !got.UpdatedAt.After(prod.UpdatedAt) {
			t.Errorf("version %d, updated_at %v; want %d and later than %v", got.Version, got.UpdatedAt, prod.Version+1, prod.UpdatedAt)
		}
		var before, after string
		err = f.db.Raw(`SELECT before::text, after::text FROM audit_log WHERE entity_type = 'producer' AND entity_id = ?
			AND action = 'update_profile' AND actor_id = ? AND select_center_id = 'chiang-mai'`, prod.ID, owner.UserID).Row().Scan(&before, &after)
		if err != nil || before != `{"contact": {"email": "weavers@example.com", "phone": "+66 53 521 234", "line_id": "", "website": ""}, "enterprise_level": 2}` ||
			!strings.Contains(after, `"enterprise_level": 3`) || !strings.Contains(after, "https://weavers.example.com") {
			t.Errorf("audit row: before %s, after %s, %v; want the changed fields only", before, after, err)
		}
	})
	t.Run("a stale version is a failed precondition", func(t *testing.T) {
		_, err := f.svc.UpdateProducer(f.ctx, owner, prod.ID, catalog.MatchVersion(prod.Version), catalog.ProducerInput{Tambon: ptr("ท่าตุ้ม")})
		if !errors.Is(err, errs.ErrPrecondition) {
			t.Fatalf("UpdateProducer = %v, want ErrPrecondition", err)
		}
	})
	t.Run("another producer is forbidden", func(t *testing.T) {
		_, err := f.svc.UpdateProducer(f.ctx, other, prod.ID, nil, catalog.ProducerInput{Tambon: ptr("ท่าตุ้ม")})
		if !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("UpdateProducer = %v, want ErrForbidden", err)
		}
	})
	t.Run("anonymous is unauthenticated", func(t *testing.T) {
		_, err := f.svc.UpdateProducer(f.ctx, account.Principal{}, prod.ID, nil, catalog.ProducerInput{Tambon: ptr("ท่าตุ้ม")})
		if !errors.Is(err, errs.ErrUnauthenticated) {
			t.Fatalf("UpdateProducer = %v, want ErrUnauthenticated", err)
		}
	})
	t.Run("the province cannot change", func(t *testing.T) {
		_, err := f.svc.UpdateProducer(f.ctx, owner, prod.ID, nil, catalog.ProducerInput{ProvinceCode: ptr("TH-51")})
		wantFields(t, err, "province_code")
	})
	t.Run("an unknown producer is not found", func(t *testing.T) {
		_, err := f.svc.UpdateProducer(f.ctx, owner, uuid.New(), nil, catalog.ProducerInput{Tambon: ptr("ท่าตุ้ม")})
		if !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("UpdateProducer = %v, want ErrNotFound", err)
		}
	})
	t.Run("a request that changes nothing keeps the version", func(t *testing.T) {
		cur, err := f.svc.GetProducer(f.ctx, owner, prod.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.UpdateProducer(f.ctx, owner, prod.ID, catalog.MatchVersion(cur.Version), catalog.ProducerInput{NameEN: ptr(cur.NameEN), ProvinceCode: ptr("TH-50")})
		if err != nil || got.Version != cur.Version {
			t.Fatalf("UpdateProducer = version %d, %v; want %d, nil", got.Version, err, cur.Version)
		}
	})
}

func TestListProducersFiltersAndPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	var chiangMai, lamphun, bangkok []uuid.UUID
	for range 3 {
		_, p := f.producer(t, "TH-50")
		chiangMai = append(chiangMai, p.ID)
		_, p = f.producer(t, "TH-51")
		lamphun = append(lamphun, p.ID)
	}
	_, bkk := f.producer(t, "TH-10")
	bangkok = append(bangkok, bkk.ID)

	walk := func(t *testing.T, filter catalog.ProducerFilter) []uuid.UUID {
		var out []uuid.UUID
		for {
			page, err := f.svc.ListProducers(f.ctx, account.Principal{}, filter)
			if err != nil {
				t.Fatalf("ListProducers: %v", err)
			}
			for _, p := range page.Items {
				out = append(out, p.ID)
			}
			if page.NextCursor == "" {
				return out
			}
			filter.Cursor = page.NextCursor
		}
	}
	reversed := func(ids ...[]uuid.UUID) map[uuid.UUID]bool {
		m := map[uuid.UUID]bool{}
		for _, l := range ids {
			for _, id := range l {
				m[id] = true
			}
		}
		return m
	}
	tests := []struct {
		name   string
		filter catalog.ProducerFilter
		want   map[uuid.UUID]bool
	}{
		{"province", catalog.ProducerFilter{Province: "TH-51", Limit: 2}, reversed(lamphun)},
		{"cluster", catalog.ProducerFilter{Cluster: "upper-north-1", Limit: 2}, reversed(chiangMai, lamphun)},
		{"none", catalog.ProducerFilter{Limit: 1}, reversed(chiangMai, lamphun, bangkok)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := walk(t, tt.filter)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d producers, want %d", len(got), len(tt.want))
			}
			for _, id := range got {
				if !tt.want[id] {
					t.Errorf("unexpected producer %s", id)
				}
			}
		})
	}
	t.Run("newest first", func(t *testing.T) {
		got := walk(t, catalog.ProducerFilter{Limit: 3})
		if got[0] != bkk.ID || got[len(got)-1] != chiangMai[0] {
			t.Errorf("order = %v", got)
		}
	})
	t.Run("bad filters are refused", func(t *testing.T) {
		_, err := f.svc.ListProducers(f.ctx, account.Principal{}, catalog.ProducerFilter{Province: "TH-99", Cluster: "nowhere", Limit: 101, Cursor: "x"})
		wantFields(t, err, "province", "cluster", "limit", "cursor")
	})
}
