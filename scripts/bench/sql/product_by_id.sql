-- What GET /v1/products/{id} asks PostgreSQL: one query for the product,
-- its owner, its certificates and its images (bench_ids holds the published ids).
\set n random(1, :nids)
SELECT products.*, producers.user_id AS owner_id,
  (SELECT coalesce(json_agg(json_build_object('kind', c.kind, 'number', c.number, 'expires_on', c.expires_on) ORDER BY c.position), '[]')
     FROM product_certifications c WHERE c.product_id = products.id) AS certs_json,
  (SELECT coalesce(json_agg(i ORDER BY i.position), '[]') FROM product_images i WHERE i.product_id = products.id) AS images_json
FROM products JOIN producers ON producers.id = products.producer_id
WHERE products.id = (SELECT id FROM bench_ids WHERE n = :n) LIMIT 1;
