// Package api is the HTTP layer: routing, middleware, request and response
// types, and the mapping of domain errors to problem details.
package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/bulk"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/curation"
	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/notify"
	"github.com/otopmarket/otop/internal/proforma"
	"github.com/otopmarket/otop/internal/readcache"
	"github.com/otopmarket/otop/internal/stats"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/trade"
	"github.com/otopmarket/otop/internal/webhook"
)

// Deps is everything the HTTP layer needs; main wires it.
type Deps struct {
	Logger   *slog.Logger
	Taxonomy *taxonomy.Taxonomy
	Accounts *account.Service
	Catalog  *catalog.Service
	Curation *curation.Service
	Notify   *notify.Service
	Trade    *trade.Service
	Webhooks *webhook.Service
	Stats    *stats.Service
	Imports  *bulk.Service
	Images   *media.Images
	Search   *catalog.Search
	// URLs turns object keys into the public URLs of image variants.
	URLs         URLer
	Metrics      *Metrics
	Checks       []Check
	MaxBodyBytes int64
	// RequestTimeout is every request's deadline (0: none): past it the
	// work stops (queries, searches) instead of running for nobody.
	RequestTimeout time.Duration
	CORSOrigins    []string
	// TrustedProxies are the load balancers whose X-Forwarded-For names the
	// client (TRUSTED_PROXIES); none: the peer is the client.
	TrustedProxies []string
	// MetricsAside: /metrics is served on a listener of its own
	// (METRICS_ADDR), and answers 404 here.
	MetricsAside bool
	// Cache holds public replies; nil caches nothing.
	Cache *readcache.Catalog
}

type handlers struct {
	taxonomy *taxonomy.Taxonomy
	accounts *account.Service
	catalog  *catalog.Service
	curation *curation.Service
	notify   *notify.Service
	trade    *trade.Service
	proforma *proforma.Renderer
	webhooks *webhook.Service
	stats    *stats.Service
	imports  *bulk.Service
	images   *media.Images
	searcher *catalog.Search
	metrics  *Metrics
	urls     URLer
	checks   []Check
	cache    *readcache.Catalog
}

type route struct {
	method  string
	path    string
	handler gin.HandlerFunc
}

// NewRouter builds the gin engine with every route of the API.
func NewRouter(d Deps) (*gin.Engine, error) {
	if d.Taxonomy == nil || d.Accounts == nil || d.Catalog == nil || d.Curation == nil || d.Notify == nil || d.Trade == nil || d.Webhooks == nil || d.Images == nil ||
		d.Search == nil || d.URLs == nil || d.Metrics == nil || d.Logger == nil {
		return nil, fmt.Errorf("api: Logger, Taxonomy, Accounts, Catalog, Curation, Notify, Trade, Webhooks, Images, Search, URLs and Metrics are required")
	}
	if d.Stats == nil {
		return nil, fmt.Errorf("api: Stats is required")
	}
	if d.Imports == nil {
		return nil, fmt.Errorf("api: Imports is required")
	}
	doc, err := loadOpenAPIDoc()
	if err != nil {
		return nil, err
	}
	h := &handlers{taxonomy: d.Taxonomy, accounts: d.Accounts, catalog: d.Catalog, curation: d.Curation, notify: d.Notify, trade: d.Trade, webhooks: d.Webhooks, checks: d.Checks, images: d.Images, urls: d.URLs, searcher: d.Search, metrics: d.Metrics, cache: d.Cache}
	h.stats = d.Stats
	h.imports = d.Imports
	if h.proforma, err = proforma.NewRenderer(); err != nil {
		return nil, err
	}
	if h.cache == nil {
		h.cache = readcache.NewCatalog(readcache.Sizes{})
	}

	exports := newExports(h, d.RequestTimeout)
	routes := []route{
		{http.MethodGet, "/healthz", h.healthz},
		{http.MethodGet, "/readyz", h.readyz},
		{http.MethodGet, "/metrics", metricsRoute(d)},
		{http.MethodGet, "/openapi.json", doc.serveJSON},
		{http.MethodGet, "/openapi.yaml", doc.serveYAML},
		{http.MethodGet, "/docs", serveDocsPage},
		{http.MethodGet, "/docs/:asset", serveDocsAsset},

		{http.MethodGet, "/v1/regions", h.listRegions},
		{http.MethodGet, "/v1/clusters", h.listClusters},
		{http.MethodGet, "/v1/clusters/:id", h.getCluster},
		{http.MethodGet, "/v1/provinces", h.listProvinces},
		{http.MethodGet, "/v1/provinces/:code", h.getProvince},
		{http.MethodGet, "/v1/select-centers", h.listSelectCenters},
		{http.MethodGet, "/v1/categories", h.listCategories},
		{http.MethodGet, "/v1/creative-industries", h.listCreativeIndustries},
		{http.MethodGet, "/v1/certification-kinds", h.listCertificationKinds},

		{http.MethodPost, "/v1/auth/register", h.register},
		{http.MethodPost, "/v1/auth/login", h.login},
		{http.MethodPost, "/v1/auth/logout", h.logout},
		{http.MethodGet, "/v1/me", h.me},

		{http.MethodPost, "/v1/producers", h.createProducer},
		{http.MethodGet, "/v1/producers", h.listProducers},
		{http.MethodGet, "/v1/producers/:id", h.getProducer},
		{http.MethodPatch, "/v1/producers/:id", h.updateProducer},
		{http.MethodPost, "/v1/products", h.createProduct},
		{http.MethodGet, "/v1/products", h.listProducts},
		{http.MethodGet, "/v1/products/:id", h.getProduct},
		{http.MethodPatch, "/v1/products/:id", h.updateProduct},
		{http.MethodDelete, "/v1/products/:id", h.archiveProduct},
		{http.MethodPost, "/v1/products/:id/submit", h.submitProduct},
		{http.MethodGet, "/v1/search", h.search},
		{http.MethodGet, "/v1/search/suggest", h.suggest},
		{http.MethodPost, "/v1/products/:id/images", h.addImage},
		{http.MethodDelete, "/v1/products/:id/images/:image_id", h.deleteImage},
		{http.MethodPut, "/v1/products/:id/images/order", h.reorderImages},
		{http.MethodPost, "/v1/products/:id/images/uploads", h.startImageUpload},
		{http.MethodPost, "/v1/products/:id/images/uploads/:upload_id/complete", h.completeImageUpload},

		{http.MethodGet, "/v1/curation/queue", h.curationQueue},
		{http.MethodGet, "/v1/curation/summary", h.curationSummary},
		{http.MethodPost, "/v1/curation/decisions", h.decideProducts},
		{http.MethodPost, "/v1/products/:id/approve", h.approveProduct},
		{http.MethodPost, "/v1/products/:id/reject", h.rejectProduct},
		{http.MethodPost, "/v1/products/:id/reassign", h.reassignProduct},
		{http.MethodGet, "/v1/products/:id/readiness", h.productReadiness},
		{http.MethodGet, "/v1/products/:id/history", h.productHistory},
		{http.MethodPut, "/v1/products/:id/topotop", h.setTopotop},
		{http.MethodPost, "/v1/products/:id/certifications/:kind/verify", h.verifyCertification},
		{http.MethodPost, "/v1/products/:id/otop-stars/verify", h.verifyStars},
		{http.MethodGet, "/v1/audit", h.listAudit},
		{http.MethodGet, "/v1/notifications", h.listNotifications},
		{http.MethodPost, "/v1/notifications/read", h.markNotificationsRead},

		{http.MethodPost, "/v1/webhooks", h.createWebhook},
		{http.MethodGet, "/v1/webhooks", h.listWebhooks},
		{http.MethodDelete, "/v1/webhooks/:id", h.deleteWebhook},
		{http.MethodGet, "/v1/webhooks/:id/deliveries", h.listWebhookDeliveries},
		{http.MethodPost, "/v1/webhooks/:id/deliveries/:delivery_id/redeliver", h.redeliverWebhook},

		{http.MethodPost, "/v1/inquiries", h.createInquiry},
		{http.MethodGet, "/v1/inquiries", h.listInquiries},
		{http.MethodGet, "/v1/inquiries/:id", h.getInquiry},
		{http.MethodPost, "/v1/inquiries/:id/messages", h.postInquiryMessage},
		{http.MethodPost, "/v1/inquiries/:id/quotes", h.quoteInquiry},
		{http.MethodPost, "/v1/inquiries/:id/close", h.closeInquiry},
		{http.MethodGet, "/v1/quotes/:id", h.getQuote},
		{http.MethodPost, "/v1/quotes/:id/decline", h.declineQuote},
		{http.MethodPost, "/v1/rfqs", h.createRFQ},
		{http.MethodGet, "/v1/rfqs", h.listRFQs},
		{http.MethodGet, "/v1/rfqs/:id", h.getRFQ},
		{http.MethodPost, "/v1/rfqs/:id/quotes", h.quoteRFQ},

		{http.MethodPost, "/v1/orders", h.placeOrder},
		{http.MethodGet, "/v1/orders", h.listOrders},
		{http.MethodGet, "/v1/orders/:id", h.getOrder},
		{http.MethodGet, "/v1/orders/:id/proforma.pdf", h.orderProforma},
		{http.MethodPost, "/v1/orders/:id/confirm", h.confirmOrder},
		{http.MethodPost, "/v1/orders/:id/ship", h.shipOrder},
		{http.MethodPost, "/v1/orders/:id/deliver", h.deliverOrder},
		{http.MethodPost, "/v1/orders/:id/cancel", h.cancelOrder},
		{http.MethodPost, "/v1/quotes/:id/accept", h.acceptQuote},

		{http.MethodPost, "/v1/imports", h.createImport},
		{http.MethodGet, "/v1/imports/template.csv", h.importTemplate("csv")},
		{http.MethodGet, "/v1/imports/template.xlsx", h.importTemplate("xlsx")},
		{http.MethodGet, "/v1/imports/:id", h.getImport},
		{http.MethodGet, "/v1/exports/products.csv", exports.csv},
		{http.MethodGet, "/v1/exports/products.xlsx", exports.xlsx},

		{http.MethodGet, "/v1/stats/regions", h.statsRegions},
		{http.MethodGet, "/v1/stats/clusters", h.statsClusters},
		{http.MethodGet, "/v1/stats/provinces", h.statsProvinces},
		{http.MethodGet, "/v1/stats/select-centers", h.statsSelectCenters},
	}

	maxBody := d.MaxBodyBytes
	if maxBody <= 0 {
		maxBody = 1 << 20
	}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.ContextWithFallback = true
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, fmt.Errorf("api: trusted proxies: %w", err)
	}
	r.Use(requestContext(d.Logger), accessLog(), d.Metrics.middleware(), recoverPanics(), securityHeaders(),
		requestDeadline(d.RequestTimeout))
	if len(d.CORSOrigins) > 0 {
		r.Use(corsMiddleware(d.CORSOrigins))
	}
	// Image uploads carry the photo itself, imports a sheet and a ZIP of
	// photos: their limits plus room for the multipart framing.
	r.Use(limitBody(maxBody, map[string]int64{
		"/v1/products/:id/images": d.Images.Limits().MaxBytes + 64<<10,
		"/v1/imports":             bulk.MaxFileBytes + bulk.MaxImagesBytes + 64<<10,
	}), authenticate(d.Accounts), forgetOwnChanges(h.cache))
	r.NoRoute(func(c *gin.Context) { writeProblem(c, http.StatusNotFound, "No route matches this path.", nil) })
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, http.StatusMethodNotAllowed, "This method is not allowed on this path.", nil)
	})
	for _, rt := range routes {
		r.Handle(rt.method, rt.path, rt.handler)
	}
	return r, nil
}

func corsMiddleware(origins []string) gin.HandlerFunc {
	cfg := cors.Config{
		AllowMethods:     []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		AllowHeaders:     []string{"Authorization", "Content-Type", "If-Match", "Idempotency-Key", headerRequestID},
		ExposeHeaders:    []string{"ETag", "Location", "Retry-After", headerRequestID},
		MaxAge:           600,
		AllowCredentials: false,
	}
	if len(origins) == 1 && origins[0] == "*" {
		cfg.AllowAllOrigins = true
	} else {
		cfg.AllowOrigins = origins
	}
	return cors.New(cfg)
}

// metricsRoute serves /metrics, unless it has a listener of its own.
func metricsRoute(d Deps) gin.HandlerFunc {
	if d.MetricsAside {
		return func(c *gin.Context) {
			writeProblem(c, http.StatusNotFound, "Metrics are served on their own listener (METRICS_ADDR).", nil)
		}
	}
	return d.Metrics.handler()
}
