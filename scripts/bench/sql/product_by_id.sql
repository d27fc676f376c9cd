-- What GET /v1/products/{id} asks PostgreSQL: the product with its owner,
-- its certificates and its images (bench_ids holds the published ids).
\set n random(1, :nids)
SELECT products.*, producers.user_id AS owner_id FROM products JOIN producers ON producers.id = products.producer_id
 WHERE products.id = (SELECT id FROM bench_ids WHERE n = :n) LIMIT 1;
SELECT * FROM product_certifications WHERE product_id IN ((SELECT id FROM bench_ids WHERE n = :n)) ORDER BY product_id, position;
SELECT * FROM product_images WHERE product_id IN ((SELECT id FROM bench_ids WHERE n = :n)) ORDER BY product_id, position;
