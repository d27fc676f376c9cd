package api

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"sigs.k8s.io/yaml"
)

// openAPIYAML is the API description, the source of /openapi.yaml and /openapi.json.
//
//go:embed openapi.yaml
var openAPIYAML []byte

// docsFS holds the page served at /docs and its assets: Swagger UI from the swagger-ui-dist npm
// package (version named in docs/index.html), vendored so the page works without network access.
//
//go:embed docs
var docsFS embed.FS

const (
	docsDir   = "docs"
	docsIndex = "index.html"

	// docsAssetCacheControl lets browsers keep the assets for a year; the page names them with a
	// ?v= query that changes whenever a file does.
	docsAssetCacheControl = "public, max-age=31536000, immutable"
)

// docsContentType returns the media type of a file under docs/ by its extension, and false for
// extensions that are not served.
func docsContentType(name string) (string, bool) {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8", true
	case ".css":
		return "text/css; charset=utf-8", true
	case ".txt", "": // the license files: LICENSE, NOTICE, *.LICENSE.txt
		return "text/plain; charset=utf-8", true
	case ".png":
		return "image/png", true
	case ".svg":
		return "image/svg+xml", true
	default:
		return "", false
	}
}

// openAPIDoc holds the document in both encodings, converted once at start-up.
type openAPIDoc struct {
	yaml, json []byte
	etag       string // strong validator shared by both encodings
}

// loadOpenAPIDoc returns the embedded document in YAML and JSON.
func loadOpenAPIDoc() (*openAPIDoc, error) {
	return newOpenAPIDoc(openAPIYAML)
}

// newOpenAPIDoc converts an OpenAPI document from YAML to JSON. It fails when src is not YAML or
// not an OpenAPI document with at least one path.
func newOpenAPIDoc(src []byte) (*openAPIDoc, error) {
	js, err := yaml.YAMLToJSON(src)
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	var head struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(js, &head); err != nil {
		return nil, fmt.Errorf("openapi document: not an object: %w", err)
	}
	if head.OpenAPI == "" {
		return nil, errors.New("openapi document: no openapi version field")
	}
	if len(head.Paths) == 0 {
		return nil, errors.New("openapi document: no paths")
	}
	sum := sha256.Sum256(src)
	return &openAPIDoc{
		yaml: src,
		json: js,
		etag: `"` + hex.EncodeToString(sum[:16]) + `"`,
	}, nil
}

// serveJSON answers GET /openapi.json.
func (d *openAPIDoc) serveJSON(c *gin.Context) {
	d.serve(c, "application/json; charset=utf-8", d.json)
}

// serveYAML answers GET /openapi.yaml.
func (d *openAPIDoc) serveYAML(c *gin.Context) {
	d.serve(c, "application/yaml", d.yaml)
}

// serve writes body with an ETag, so clients that revalidate (Cache-Control: no-cache) get a
// 304 while the document is unchanged.
func (d *openAPIDoc) serve(c *gin.Context, contentType string, body []byte) {
	h := c.Writer.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", d.etag)
	http.ServeContent(c.Writer, c.Request, "", time.Time{}, bytes.NewReader(body))
}

// serveDocsPage answers GET /docs with the Swagger UI page. The page has no inline script, so
// it runs under the Content-Security-Policy that securityHeaders sets for /docs.
func serveDocsPage(c *gin.Context) {
	page, err := docsFS.ReadFile(docsDir + "/" + docsIndex)
	if err != nil {
		respondError(c, fmt.Errorf("docs page missing from the embedded files: %w", err))
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/html; charset=utf-8", page)
}

// serveDocsAsset answers GET /docs/:asset with one file of the docs directory. It serves only
// regular files directly in that directory with a known extension; any other name, including
// one that tries to climb out of the directory, answers 404.
func serveDocsAsset(c *gin.Context) {
	name := c.Param("asset")
	contentType, ok := docsContentType(name)
	if ok && fs.ValidPath(name) && name != "." && !strings.ContainsAny(name, `/\`) {
		if body, err := docsFS.ReadFile(docsDir + "/" + name); err == nil { // else missing, or a directory
			c.Header("Cache-Control", docsAssetCacheControl)
			c.Data(http.StatusOK, contentType, body)
			return
		}
	}
	writeProblem(c, http.StatusNotFound, "No documentation file has this name.", nil)
}

// openAPIOperations returns every (METHOD, path) pair the document declares, with gin-style
// paths (":param" instead of "{param}"), sorted, for the router test.
func openAPIOperations(doc []byte) ([]string, error) {
	var parsed struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := yaml.Unmarshal(doc, &parsed); err != nil {
		return nil, fmt.Errorf("openapi operations: %w", err)
	}
	ops := []string{}
	for p, item := range parsed.Paths {
		ginPath, err := ginRoutePath(p)
		if err != nil {
			return nil, err
		}
		// The operation keys of an OpenAPI 3.0 path item; other keys (parameters, summary, ...)
		// are not operations.
		for _, m := range []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"} {
			if _, ok := item[m]; ok {
				ops = append(ops, strings.ToUpper(m)+" "+ginPath)
			}
		}
	}
	slices.Sort(ops)
	return ops, nil
}

// ginRoutePath turns an OpenAPI path template ("/v1/provinces/{code}") into a gin route path
// ("/v1/provinces/:code"). A template that gin cannot express (a parameter sharing a segment
// with other text) is an error.
func ginRoutePath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("openapi operations: path %q does not start with /", p)
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if !strings.ContainsAny(s, "{}") {
			continue
		}
		name, ok := strings.CutPrefix(s, "{")
		name, ok2 := strings.CutSuffix(name, "}")
		if !ok || !ok2 || name == "" || strings.ContainsAny(name, "{}") {
			return "", fmt.Errorf("openapi operations: path %q: segment %q is not a whole {parameter}", p, s)
		}
		segs[i] = ":" + name
	}
	return strings.Join(segs, "/"), nil
}
