-- What GET /v1/products/{id} asks PostgreSQL: one query for the product,
-- its owner, its certificates and its images (bench_ids holds the published ids).
\set n random(1, :nids)
SELECT products.id, products.producer_id, producers.user_id AS owner_id, products.status,
  products.name_th, products.name_en, products.description_th, products.description_en, products.category,
  products.creative_industry, products.otop_stars, products.otop_stars_year, products.price_minor,
  products.currency, products.price_tiers, products.moq, products.unit, products.monthly_capacity,
  products.lead_time_days, products.hs_code, products.weight_grams, products.stock, products.sku, products.tags, products.province_code,
  products.cluster_id, products.region, products.select_center_id, products.topotop, products.rejection_reason,
  products.reviewed_by, products.reviewed_at, products.stars_verification, products.stars_verified_by,
  products.stars_verified_at, products.stars_note,
  products.submitted_at, products.published_at, products.created_at, products.updated_at, products.version,
  (SELECT coalesce(json_agg(json_build_object('kind', c.kind, 'number', c.number, 'expires_on', c.expires_on,
       'verification', c.verification, 'verified_by', c.verified_by, 'verified_at', c.verified_at,
       'verification_note', c.verification_note) ORDER BY c.position), '[]')
     FROM product_certifications c WHERE c.product_id = products.id) AS certs_json,
  (SELECT coalesce(json_agg(i ORDER BY i.position), '[]') FROM product_images i WHERE i.product_id = products.id) AS images_json
FROM products JOIN producers ON producers.id = products.producer_id
WHERE products.id = (SELECT id FROM bench_ids WHERE n = :n) LIMIT 1;
