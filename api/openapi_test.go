package api

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"sigs.k8s.io/yaml"
)

func TestOpenAPIDocumentIsValid(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPIYAML)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	err = doc.Validate(context.Background(),
		openapi3.EnableExamplesValidation(),
		openapi3.EnableSchemaFormatValidation(),
		openapi3.EnableSchemaPatternValidation(),
		openapi3.EnableSchemaDefaultsValidation(),
	)
	if err != nil {
		t.Fatalf("validate: %v", err)
	}
}

// TestOpenAPIDocumentFollowsConventions checks the rules of DESIGN.md §4 that a validator does
// not: every operation is named and tagged, every response carries X-Request-ID, and every
// error is problem details.
func TestOpenAPIDocumentFollowsConventions(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPIYAML)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	tags := map[string]bool{}
	for _, tag := range doc.Tags {
		tags[tag.Name] = true
	}
	if doc.Components == nil || doc.Components.SecuritySchemes["bearerAuth"] == nil {
		t.Errorf("components.securitySchemes.bearerAuth is missing")
	}
	operationIDs := map[string]string{}
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + p
			t.Run(name, func(t *testing.T) {
				if op.OperationID == "" {
					t.Errorf("no operationId")
				} else if other, dup := operationIDs[op.OperationID]; dup {
					t.Errorf("operationId %q also used by %s", op.OperationID, other)
				}
				operationIDs[op.OperationID] = name
				if len(op.Tags) == 0 {
					t.Errorf("no tags")
				}
				for _, tag := range op.Tags {
					if !tags[tag] {
						t.Errorf("tag %q is not declared in the top-level tags", tag)
					}
				}
				for status, ref := range op.Responses.Map() {
					resp := ref.Value
					if resp.Headers["X-Request-ID"] == nil {
						t.Errorf("response %s has no X-Request-ID header", status)
					}
					if strings.HasPrefix(status, "4") || strings.HasPrefix(status, "5") {
						if p == "/readyz" { // readiness reports its checks, not a problem
							continue
						}
						if resp.Content.Get("application/problem+json") == nil || len(resp.Content) != 1 {
							t.Errorf("error response %s is not only application/problem+json", status)
						}
					}
				}
			})
		}
	}
}

// TestOpenAPIExamplesUseDeclaredFields catches misspelt fields in examples, which schema
// validation lets through because the response schemas allow fields to be added later.
func TestOpenAPIExamplesUseDeclaredFields(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPIYAML)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	responses := map[string]*openapi3.Response{}
	for name, ref := range doc.Components.Responses {
		responses["components.responses."+name] = ref.Value
	}
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status, ref := range op.Responses.Map() {
				responses[method+" "+p+" "+status] = ref.Value
			}
		}
	}
	checked := 0
	for where, resp := range responses {
		for mediaType, content := range resp.Content {
			if content.Schema == nil {
				continue
			}
			examples := map[string]any{}
			if content.Example != nil {
				examples["example"] = content.Example
			}
			for name, ex := range content.Examples {
				examples["examples."+name] = ex.Value.Value
			}
			for name, value := range examples {
				checked++
				for _, field := range undeclaredFields(content.Schema.Value, value, "") {
					t.Errorf("%s %s %s: field %s is not in the schema", where, mediaType, name, field)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatalf("no examples found")
	}
}

// undeclaredFields returns the paths of the object keys in v that schema does not declare.
// Objects whose schema declares no properties at all are free-form and not looked into.
func undeclaredFields(schema *openapi3.Schema, v any, at string) []string {
	if schema == nil {
		return nil
	}
	var out []string
	switch v := v.(type) {
	case map[string]any:
		if len(schema.Properties) == 0 && schema.AdditionalProperties.Schema == nil {
			return nil // a free-form object
		}
		for k, val := range v {
			switch prop, declared := schema.Properties[k]; {
			case declared:
				out = append(out, undeclaredFields(prop.Value, val, at+"/"+k)...)
			case schema.AdditionalProperties.Schema != nil:
				out = append(out, undeclaredFields(schema.AdditionalProperties.Schema.Value, val, at+"/"+k)...)
			default:
				out = append(out, at+"/"+k)
			}
		}
	case []any:
		if schema.Items != nil {
			for i, val := range v {
				out = append(out, undeclaredFields(schema.Items.Value, val, at+"/"+strconv.Itoa(i))...)
			}
		}
	}
	return out
}

// TestOpenAPIDescribesTheRealResponses sends requests to the real router and checks every reply
// against the operation the document declares for it: the status is documented, the media type
// is declared, the body matches the schema, and every documented header is sent.
func TestOpenAPIDescribesTheRealResponses(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPIYAML)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	newRouter := func(pingErr error) *gin.Engine {
		d := testDeps(t)
		d.Checks = []Check{
			{Name: "postgres", Ping: func(context.Context) error { return nil }},
			{Name: "minio", Ping: func(context.Context) error { return pingErr }},
		}
		return newRouterFrom(t, d)
	}
	router, routerWithDownDependency := newRouter(nil), newRouter(errors.New("connection refused"))

	tests := []struct {
		target, path string
		status       int
	}{
		{"/healthz", "/healthz", http.StatusOK},
		{"/readyz", "/readyz", http.StatusOK},
		{"/readyz (minio down)", "/readyz", http.StatusServiceUnavailable},
		{"/metrics", "/metrics", http.StatusOK},
		{"/openapi.json", "/openapi.json", http.StatusOK},
		{"/openapi.yaml", "/openapi.yaml", http.StatusOK},
		{"/docs", "/docs", http.StatusOK},
		{"/v1/regions", "/v1/regions", http.StatusOK},
		{"/v1/clusters", "/v1/clusters", http.StatusOK},
		{"/v1/clusters/upper-north-1", "/v1/clusters/{id}", http.StatusOK},
		{"/v1/clusters/upper-north-9", "/v1/clusters/{id}", http.StatusNotFound},
		{"/v1/provinces", "/v1/provinces", http.StatusOK},
		{"/v1/provinces?region=north&cluster=upper-north-1", "/v1/provinces", http.StatusOK},
		{"/v1/provinces?region=east", "/v1/provinces", http.StatusBadRequest},
		{"/v1/provinces?cluster=upper-north-9", "/v1/provinces", http.StatusBadRequest},
		{"/v1/provinces/TH-10", "/v1/provinces/{code}", http.StatusOK},
		{"/v1/provinces/TH-50", "/v1/provinces/{code}", http.StatusOK},
		{"/v1/provinces/TH-99", "/v1/provinces/{code}", http.StatusNotFound},
		{"/v1/select-centers", "/v1/select-centers", http.StatusOK},
		{"/v1/categories", "/v1/categories", http.StatusOK},
		{"/v1/creative-industries", "/v1/creative-industries", http.StatusOK},
		{"/v1/creative-industries?group=arts", "/v1/creative-industries", http.StatusOK},
		{"/v1/creative-industries?group=sports", "/v1/creative-industries", http.StatusBadRequest},
		{"/v1/certification-kinds", "/v1/certification-kinds", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			item := doc.Paths.Value(tt.path)
			if item == nil || item.Get == nil {
				t.Fatalf("document has no GET %s", tt.path)
			}
			r, target := router, tt.target
			if down, ok := strings.CutSuffix(target, " (minio down)"); ok {
				r, target = routerWithDownDependency, down
			}
			w := docsGet(t, r, target, nil)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			ref := item.Get.Responses.Status(w.Code)
			if ref == nil {
				t.Fatalf("status %d is not documented", w.Code)
			}
			resp := ref.Value
			for name := range resp.Headers {
				if name != "ETag" && w.Header().Get(name) == "" {
					t.Errorf("documented header %s not sent", name)
				}
			}
			mediaType, _, err := mime.ParseMediaType(w.Header().Get("Content-Type"))
			if err != nil {
				t.Fatalf("Content-Type %q: %v", w.Header().Get("Content-Type"), err)
			}
			content := resp.Content.Get(mediaType)
			if content == nil {
				t.Fatalf("media type %s is not documented", mediaType)
			}
			if mediaType != "application/json" && mediaType != "application/problem+json" {
				return
			}
			var body any
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			if err := content.Schema.Value.VisitJSON(body); err != nil {
				t.Errorf("body does not match the schema: %v\n%s", err, w.Body)
			}
			for _, field := range undeclaredFields(content.Schema.Value, body, "") {
				t.Errorf("field %s is sent but not documented", field)
			}
		})
	}
}

func TestOpenAPILoadDocJSONMatchesYAML(t *testing.T) {
	d, err := loadOpenAPIDoc()
	if err != nil {
		t.Fatalf("loadOpenAPIDoc: %v", err)
	}
	var fromJSON, fromYAML struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(d.json, &fromJSON); err != nil {
		t.Fatalf("JSON encoding does not parse: %v", err)
	}
	if err := yaml.Unmarshal(d.yaml, &fromYAML); err != nil {
		t.Fatalf("YAML encoding does not parse: %v", err)
	}
	if fromJSON.OpenAPI != fromYAML.OpenAPI || fromJSON.OpenAPI == "" {
		t.Errorf("openapi version: JSON %q, YAML %q", fromJSON.OpenAPI, fromYAML.OpenAPI)
	}
	jsonPaths := openAPISortedKeys(fromJSON.Paths)
	yamlPaths := openAPISortedKeys(fromYAML.Paths)
	if !slices.Equal(jsonPaths, yamlPaths) {
		t.Errorf("paths differ:\nJSON %v\nYAML %v", jsonPaths, yamlPaths)
	}
	if len(jsonPaths) == 0 {
		t.Errorf("document has no paths")
	}
	// The JSON is what Swagger UI loads; Thai text must survive the conversion.
	if !strings.Contains(string(d.json), "เชียงใหม่") {
		t.Errorf("JSON encoding lost the Thai examples")
	}
}

func TestOpenAPINewDocRejectsInvalidInput(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"not YAML", "openapi: [3.0.3"},
		{"not an object", "- 3.0.3"},
		{"no openapi field", "paths:\n  /healthz:\n    get: {}\n"},
		{"no paths", "openapi: 3.0.3\ninfo: {title: t, version: v}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d, err := newOpenAPIDoc([]byte(tt.src)); err == nil {
				t.Errorf("newOpenAPIDoc accepted it: %s", d.json)
			}
		})
	}
}

func TestOpenAPIOperations(t *testing.T) {
	const doc = `
openapi: 3.0.3
info: {title: t, version: v}
paths:
  /v1/provinces/{code}:
    parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
    summary: not an operation
    get: {responses: {"200": {description: ok}}}
  /v1/products/{id}/images/{image_id}:
    delete: {responses: {"204": {description: ok}}}
  /healthz:
    get: {responses: {"200": {description: ok}}}
    head: {responses: {"200": {description: ok}}}
  /v1/products:
    post: {responses: {"201": {description: ok}}}
    get: {responses: {"200": {description: ok}}}
`
	got, err := openAPIOperations([]byte(doc))
	if err != nil {
		t.Fatalf("openAPIOperations: %v", err)
	}
	want := []string{
		"DELETE /v1/products/:id/images/:image_id",
		"GET /healthz",
		"GET /v1/products",
		"GET /v1/provinces/:code",
		"HEAD /healthz",
		"POST /v1/products",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestOpenAPIOperationsOfTheEmbeddedDocument(t *testing.T) {
	ops, err := openAPIOperations(openAPIYAML)
	if err != nil {
		t.Fatalf("openAPIOperations: %v", err)
	}
	for _, want := range []string{"GET /healthz", "GET /openapi.json", "GET /docs", "GET /v1/provinces/:code"} {
		if !slices.Contains(ops, want) {
			t.Errorf("%q missing from %q", want, ops)
		}
	}
	if !slices.IsSorted(ops) {
		t.Errorf("not sorted: %q", ops)
	}
	// Also accepts the JSON encoding, which is YAML too.
	d, err := loadOpenAPIDoc()
	if err != nil {
		t.Fatalf("loadOpenAPIDoc: %v", err)
	}
	fromJSON, err := openAPIOperations(d.json)
	if err != nil {
		t.Fatalf("openAPIOperations(JSON): %v", err)
	}
	if !slices.Equal(fromJSON, ops) {
		t.Errorf("JSON gives %q, YAML %q", fromJSON, ops)
	}
}

func TestOpenAPIOperationsRejectsPathsGinCannotRoute(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"not YAML", "paths: ["},
		{"parameter inside a segment", "paths:\n  /files/{name}.json:\n    get: {}\n"},
		{"unbalanced brace", "paths:\n  /files/{name:\n    get: {}\n"},
		{"empty parameter", "paths:\n  /files/{}:\n    get: {}\n"},
		{"relative path", "paths:\n  files:\n    get: {}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ops, err := openAPIOperations([]byte(tt.doc)); err == nil {
				t.Errorf("accepted, got %q", ops)
			}
		})
	}
}

func TestOpenAPIServeDocument(t *testing.T) {
	d, err := loadOpenAPIDoc()
	if err != nil {
		t.Fatalf("loadOpenAPIDoc: %v", err)
	}
	r := newDocsTestRouter(t, d)
	tests := []struct {
		path, contentType string
		body              []byte
	}{
		{"/openapi.json", "application/json; charset=utf-8", d.json},
		{"/openapi.yaml", "application/yaml", d.yaml},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := docsGet(t, r, tt.path, nil)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d, want 200", w.Code)
			}
			if got := w.Header().Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if got := w.Header().Get("Cache-Control"); got != "no-cache" {
				t.Errorf("Cache-Control %q, want no-cache", got)
			}
			if !slices.Equal(w.Body.Bytes(), tt.body) {
				t.Errorf("body differs from the loaded document")
			}
			etag := w.Header().Get("ETag")
			if etag == "" {
				t.Fatalf("no ETag")
			}
			again := docsGet(t, r, tt.path, http.Header{"If-None-Match": {etag}})
			if again.Code != http.StatusNotModified {
				t.Errorf("revalidation with the current ETag: status %d, want 304", again.Code)
			}
		})
	}
}

func TestDocsPage(t *testing.T) {
	d, err := loadOpenAPIDoc()
	if err != nil {
		t.Fatalf("loadOpenAPIDoc: %v", err)
	}
	r := newDocsTestRouter(t, d, securityHeaders())
	w := docsGet(t, r, "/docs", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", w.Code)
	}
	if got := w.Header().Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	// The page must run under the policy the server gives it: scripts from this server only.
	csp := w.Header().Get("Content-Security-Policy")
	if !regexp.MustCompile(`(^|;)\s*script-src 'self'\s*(;|$)`).MatchString(csp) || strings.Contains(csp, "http") {
		t.Errorf("Content-Security-Policy %q does not restrict scripts to this server", csp)
	}
	page := w.Body.String()
	if !strings.Contains(page, `id="swagger-ui"`) {
		t.Errorf("page has no swagger-ui mount point")
	}

	refs := regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*["']([^"']*)["']`).FindAllStringSubmatch(page, -1)
	if len(refs) == 0 {
		t.Fatalf("page references no assets")
	}
	for _, ref := range refs {
		url := ref[1]
		t.Run(url, func(t *testing.T) {
			lower := strings.ToLower(url)
			if strings.HasPrefix(lower, "http:") || strings.HasPrefix(lower, "https:") || strings.HasPrefix(lower, "//") {
				t.Fatalf("page loads a remote resource %q", url)
			}
			if !strings.HasPrefix(url, "/") {
				t.Fatalf("reference %q is not an absolute path on this server", url)
			}
			// Every local reference resolves on this server.
			if got := docsGet(t, r, url, nil).Code; got != http.StatusOK {
				t.Errorf("GET %s: status %d, want 200", url, got)
			}
		})
	}
	// Under script-src 'self' an inline script would not run: every script is a file.
	for _, tag := range regexp.MustCompile(`(?is)<script\b[^>]*>(.*?)</script>`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(tag[0], "src=") || strings.TrimSpace(tag[1]) != "" {
			t.Errorf("inline script: %s", tag[0])
		}
	}
	if strings.Contains(strings.ToLower(page), "<style") || strings.Contains(strings.ToLower(page), "style=") {
		t.Errorf("page has inline styles")
	}
}

func TestDocsInitScriptLoadsOnlyThisServer(t *testing.T) {
	script, err := docsFS.ReadFile("docs/init.js")
	if err != nil {
		t.Fatalf("read init.js: %v", err)
	}
	src := string(script)
	for _, want := range []string{`url: "/openapi.json"`, "validatorUrl: null", "deepLinking: true", "queryConfigEnabled: false"} {
		if !strings.Contains(src, want) {
			t.Errorf("init.js does not set %s", want)
		}
	}
	if strings.Contains(src, "http://") || strings.Contains(src, "https://") {
		t.Errorf("init.js names a remote URL")
	}
}

func TestDocsPageNamesTheVendoredVersion(t *testing.T) {
	page, err := docsFS.ReadFile("docs/index.html")
	if err != nil {
		t.Fatalf("read index.html: %v", err)
	}
	bundle, err := docsFS.ReadFile("docs/swagger-ui-bundle.js")
	if err != nil {
		t.Fatalf("read bundle: %v", err)
	}
	m := regexp.MustCompile(`PACKAGE_VERSION:"([0-9.]+)"`).FindSubmatch(bundle)
	if m == nil {
		t.Fatalf("no PACKAGE_VERSION in swagger-ui-bundle.js")
	}
	version := string(m[1])
	for _, asset := range []string{"/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"} {
		if want := asset + "?v=" + version; !strings.Contains(string(page), want) {
			t.Errorf("page does not load %s: browsers would keep a cached copy of another version", want)
		}
	}
}

func TestDocsAsset(t *testing.T) {
	r := newDocsTestRouter(t, nil)
	// rawPath decodes %2F only after routing, so "..%2f" reaches the handler as "../".
	rawPath := newDocsTestRouter(t, nil)
	rawPath.UseRawPath = true
	rawPath.UnescapePathValues = true

	tests := []struct {
		name        string
		router      *gin.Engine
		path        string
		status      int
		contentType string
	}{
		{"bundle", r, "/docs/swagger-ui-bundle.js", http.StatusOK, "text/javascript; charset=utf-8"},
		{"bundle with version query", r, "/docs/swagger-ui-bundle.js?v=5.35.0", http.StatusOK, "text/javascript; charset=utf-8"},
		{"stylesheet", r, "/docs/swagger-ui.css", http.StatusOK, "text/css; charset=utf-8"},
		{"init script", r, "/docs/init.js", http.StatusOK, "text/javascript; charset=utf-8"},
		{"license", r, "/docs/LICENSE", http.StatusOK, "text/plain; charset=utf-8"},
		{"unknown name", r, "/docs/swagger-ui-standalone-preset.js", http.StatusNotFound, ""},
		{"source map not vendored", r, "/docs/swagger-ui.css.map", http.StatusNotFound, ""},
		{"page is not an asset", r, "/docs/index.html", http.StatusNotFound, ""},
		{"encoded traversal", r, "/docs/..%2fopenapi.yaml", http.StatusNotFound, ""},
		{"encoded traversal, raw path routing", rawPath, "/docs/..%2fopenapi.yaml", http.StatusNotFound, ""},
		{"encoded traversal to go source, raw path routing", rawPath, "/docs/..%2fopenapi.go", http.StatusNotFound, ""},
		{"encoded backslash traversal, raw path routing", rawPath, "/docs/..%5copenapi.yaml", http.StatusNotFound, ""},
		{"dot-dot", rawPath, "/docs/..", http.StatusNotFound, ""},
		{"dot", rawPath, "/docs/.", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := docsGet(t, tt.router, tt.path, nil)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			if tt.status != http.StatusOK {
				if got := w.Header().Get("Content-Type"); !strings.HasPrefix(got, "application/problem+json") {
					t.Errorf("Content-Type %q, want problem details", got)
				}
				if strings.Contains(w.Body.String(), "package api") || strings.Contains(w.Body.String(), "openapi: ") {
					t.Errorf("body leaks a file outside docs/")
				}
				return
			}
			if got := w.Header().Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if got := w.Header().Get("Cache-Control"); !strings.Contains(got, "max-age=31536000") {
				t.Errorf("Cache-Control %q, want a long max-age", got)
			}
			if w.Body.Len() == 0 {
				t.Errorf("empty body")
			}
		})
	}
}

// TestDocsAssetRefusesNamesOutsideTheDirectory calls the handler directly, so the refusal does
// not depend on how a router splits or unescapes the path.
func TestDocsAssetRefusesNamesOutsideTheDirectory(t *testing.T) {
	gin.SetMode(gin.TestMode)
	for _, name := range []string{
		"", ".", "..", "../openapi.yaml", "../openapi.go", "..\\openapi.yaml", "/etc/passwd",
		"docs/init.js", "./init.js", "init.js/", "index.html",
	} {
		t.Run(name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/docs/x", nil)
			c.Params = gin.Params{{Key: "asset", Value: name}}
			serveDocsAsset(c)
			if w.Code != http.StatusNotFound {
				t.Errorf("status %d, want 404", w.Code)
			}
		})
	}
}

// newDocsTestRouter registers the docs routes the way router.go does, after middleware. d may
// be nil when the test needs no /openapi.* routes.
func newDocsTestRouter(t *testing.T, d *openAPIDoc, middleware ...gin.HandlerFunc) *gin.Engine {
	t.Helper()
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(middleware...)
	r.NoRoute(func(c *gin.Context) { writeProblem(c, http.StatusNotFound, "No route matches this path.", nil) })
	if d != nil {
		r.GET("/openapi.json", d.serveJSON)
		r.GET("/openapi.yaml", d.serveYAML)
	}
	r.GET("/docs", serveDocsPage)
	r.GET("/docs/:asset", serveDocsAsset)
	return r
}

func docsGet(t *testing.T, h http.Handler, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func openAPISortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
