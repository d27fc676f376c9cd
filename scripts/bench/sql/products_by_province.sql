-- What GET /v1/products?province=<code>&category=<id>&limit=20 asks PostgreSQL:
-- one keyset page (21 rows, to know whether a next page exists), then the
-- certificates and the images of the page's products.
\set p random(1, 77)
\set c random(1, 5)
SELECT json_agg(t) AS page, quote_literal(coalesce(array_agg(t.id)::text, '{}')) AS ids FROM (
  SELECT products.*, producers.user_id AS owner_id FROM products JOIN producers ON producers.id = products.producer_id
   WHERE products.status = 'published'
     AND products.province_code = (SELECT code FROM bench_provinces WHERE n = :p)
     AND products.category = (SELECT id FROM bench_categories WHERE n = :c)
   ORDER BY products.created_at DESC, products.id DESC LIMIT 21) t \gset
SELECT * FROM product_certifications WHERE product_id = ANY (:ids::uuid[]) ORDER BY product_id, position;
SELECT * FROM product_images WHERE product_id = ANY (:ids::uuid[]) ORDER BY product_id, position;
