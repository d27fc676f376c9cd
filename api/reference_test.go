package api

import (
	"net/http"
	"testing"
)

type listOf[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

type provinceJSON struct {
	Code           string  `json:"code"`
	NameEN         string  `json:"name_en"`
	NameTH         string  `json:"name_th"`
	Region         string  `json:"region"`
	ClusterID      *string `json:"cluster_id"`
	SelectCenterID string  `json:"select_center_id"`
}

func TestReferenceListsHaveTheirFullCounts(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		path string
		want int
	}{
		{"/v1/regions", 4},
		{"/v1/provinces", 77},
		{"/v1/provinces?region=north", 17},
		{"/v1/provinces?region=northeast", 20},
		{"/v1/provinces?region=central", 26},
		{"/v1/provinces?region=south", 14},
		{"/v1/provinces?cluster=upper-north-1", 4},
		{"/v1/provinces?cluster=south-border&region=south", 5},
		{"/v1/provinces?cluster=south-border&region=north", 0},
		{"/v1/clusters", 18},
		{"/v1/select-centers", 4},
		{"/v1/categories", 5},
		{"/v1/creative-industries", 15},
		{"/v1/creative-industries?group=arts", 2},
		{"/v1/creative-industries?group=cultural_heritage", 4},
		{"/v1/certification-kinds", 8},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := s.do(t, http.MethodGet, tt.path, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d: %s", rec.Code, rec.Body.String())
			}
			got := decode[listOf[map[string]any]](t, rec)
			if len(got.Items) != tt.want || got.Items == nil {
				t.Fatalf("got %d items, want %d", len(got.Items), tt.want)
			}
			if got.NextCursor != nil {
				t.Fatalf("next_cursor = %q, want null", *got.NextCursor)
			}
		})
	}
}

func TestProvinceFields(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		code, region, center string
		cluster              *string
	}{
		{"TH-50", "north", "chiang-mai", ptr("upper-north-1")},
		{"TH-40", "northeast", "khon-kaen", ptr("middle-northeast")},
		{"TH-90", "south", "songkhla", ptr("south-border")},
		{"TH-10", "central", "bangkok", nil},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			rec := s.do(t, http.MethodGet, "/v1/provinces/"+tt.code, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d", rec.Code)
			}
			p := decode[provinceJSON](t, rec)
			if p.Code != tt.code || p.Region != tt.region || p.SelectCenterID != tt.center || p.NameEN == "" || p.NameTH == "" {
				t.Fatalf("province = %+v", p)
			}
			if (p.ClusterID == nil) != (tt.cluster == nil) || (p.ClusterID != nil && *p.ClusterID != *tt.cluster) {
				t.Fatalf("cluster_id = %v, want %v", p.ClusterID, tt.cluster)
			}
		})
	}
	raw := decode[map[string]any](t, s.do(t, http.MethodGet, "/v1/provinces/TH-10", nil))
	if v, present := raw["cluster_id"]; !present || v != nil {
		t.Fatalf("Bangkok cluster_id = %v (present %v), want an explicit null", v, present)
	}
}

func TestClusterByID(t *testing.T) {
	s := newTestServer(t)
	rec := s.do(t, http.MethodGet, "/v1/clusters/lower-northeast-2", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d", rec.Code)
	}
	c := decode[map[string]any](t, rec)
	if c["strategic_position"] != "World Jasmine Rice Production Center and Gateway to Eastern ASEAN" || c["region"] != "northeast" {
		t.Fatalf("cluster = %v", c)
	}
	if codes, _ := c["province_codes"].([]any); len(codes) != 4 {
		t.Fatalf("province_codes = %v", c["province_codes"])
	}
}

func TestUnknownReferenceValues(t *testing.T) {
	s := newTestServer(t)
	for _, path := range []string{"/v1/provinces/TH-99", "/v1/provinces/th-50", "/v1/provinces/Chiang%20Mai", "/v1/clusters/atlantis"} {
		t.Run("404 "+path, func(t *testing.T) { assertProblem(t, s.do(t, http.MethodGet, path, nil), http.StatusNotFound) })
	}
	for _, tt := range []struct{ path, field string }{
		{"/v1/provinces?region=east", "region"},
		{"/v1/provinces?cluster=upper-north-9", "cluster"},
		{"/v1/provinces?cluster=%27%20OR%201%3D1", "cluster"},
		{"/v1/creative-industries?group=sports", "group"},
	} {
		t.Run("400 "+tt.path, func(t *testing.T) {
			p := assertProblem(t, s.do(t, http.MethodGet, tt.path, nil), http.StatusBadRequest)
			if len(p.Errors) != 1 || p.Errors[0].Field != tt.field || p.Errors[0].Message == "" {
				t.Fatalf("errors = %+v, want one about %s", p.Errors, tt.field)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
