-- What GET /v1/products?province=<code> asks PostgreSQL:
-- one keyset page of 21 rows (the 21st tells whether a next page exists),
-- each with its owner, certificates and images.
\set p random(1, 77)
SELECT products.*, producers.user_id AS owner_id,
  (SELECT coalesce(json_agg(json_build_object('kind', c.kind, 'number', c.number, 'expires_on', c.expires_on) ORDER BY c.position), '[]')
     FROM product_certifications c WHERE c.product_id = products.id) AS certs_json,
  (SELECT coalesce(json_agg(i ORDER BY i.position), '[]') FROM product_images i WHERE i.product_id = products.id) AS images_json
FROM products JOIN producers ON producers.id = products.producer_id
WHERE products.status = 'published'
  AND products.province_code = (SELECT code FROM bench_provinces WHERE n = :p)
ORDER BY products.created_at DESC, products.id DESC LIMIT 21;
