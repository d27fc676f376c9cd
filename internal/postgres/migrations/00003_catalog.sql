-- +goose Up
-- The catalogue: producers (enterprise profiles), their products and the
-- products' certificates. The CHECK constraints repeat the rules of
-- internal/catalog so that no path around the service can store what it refuses.

-- One enterprise profile per producer account. province_code comes from the
-- producer; cluster_id and region are derived from it (taxonomy) so that the
-- list filters are plain index lookups.
CREATE TABLE producers (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL UNIQUE REFERENCES users (id),
    name_th          text NOT NULL CHECK (char_length(name_th) BETWEEN 1 AND 200),
    name_en          text NOT NULL CHECK (char_length(name_en) BETWEEN 1 AND 200),
    kind             text NOT NULL CHECK (kind IN ('community_enterprise', 'village_group', 'sme', 'individual')),
    province_code    text NOT NULL CHECK (province_code ~ '^TH-[0-9]{2}$'),
    cluster_id       text CHECK ((cluster_id IS NULL) = (province_code = 'TH-10')),
    region           text NOT NULL CHECK (region IN ('north', 'northeast', 'central', 'south')),
    amphoe           text NOT NULL CHECK (char_length(amphoe) BETWEEN 1 AND 100),
    tambon           text NOT NULL CHECK (char_length(tambon) BETWEEN 1 AND 100),
    -- "Enterprise 1.0–4.0" of seed 000.
    enterprise_level smallint NOT NULL CHECK (enterprise_level BETWEEN 1 AND 4),
    story_th         text NOT NULL DEFAULT '' CHECK (char_length(story_th) <= 5000),
    story_en         text NOT NULL DEFAULT '' CHECK (char_length(story_en) <= 5000),
    -- Contact details are private: shown to the owner and to staff only.
    phone            text NOT NULL DEFAULT '' CHECK (char_length(phone) <= 32),
    email            text NOT NULL DEFAULT '' CHECK (char_length(email) <= 254),
    line_id          text NOT NULL DEFAULT '' CHECK (char_length(line_id) <= 64),
    website          text NOT NULL DEFAULT '' CHECK (char_length(website) <= 300),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX producers_newest_idx ON producers (created_at DESC, id DESC);
CREATE INDEX producers_province_idx ON producers (province_code, created_at DESC, id DESC);
CREATE INDEX producers_cluster_idx ON producers (cluster_id, created_at DESC, id DESC) WHERE cluster_id IS NOT NULL;

-- Products. A draft may be incomplete; a product under review or published
-- has a price, an MOQ, a unit and a description (products_reviewable_complete).
-- province_code, cluster_id, region and select_center_id are copied from the
-- producer's province when the product is created (staff may reassign the
-- Select center), so every public filter is answered from one table.
CREATE TABLE products (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    producer_id       uuid NOT NULL REFERENCES producers (id),
    status            text NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft', 'pending_review', 'published', 'rejected', 'archived')),
    name_th           text NOT NULL CHECK (char_length(name_th) BETWEEN 1 AND 200),
    name_en           text NOT NULL CHECK (char_length(name_en) BETWEEN 1 AND 200),
    description_th    text NOT NULL DEFAULT '' CHECK (char_length(description_th) <= 5000),
    description_en    text NOT NULL DEFAULT '' CHECK (char_length(description_en) <= 5000),
    category          text NOT NULL CHECK (category IN ('food', 'beverage', 'textile', 'household', 'herbal')),
    creative_industry text CHECK (creative_industry IN (
                          'crafts', 'design', 'visual_arts', 'publishing', 'architecture', 'fashion',
                          'film_video', 'broadcasting', 'advertising', 'software', 'music',
                          'performing_arts', 'thai_food', 'thai_traditional_medicine', 'cultural_tourism')),
    -- OTOP Product Champion rating: stars and the year they were awarded.
    otop_stars        smallint CHECK (otop_stars BETWEEN 1 AND 5),
    otop_stars_year   smallint CHECK (otop_stars_year BETWEEN 2001 AND 2100),
    -- Money in minor units (satang for THB); never a float.
    price_minor       bigint CHECK (price_minor BETWEEN 0 AND 1000000000000),
    currency          text NOT NULL DEFAULT 'THB' CHECK (currency ~ '^[A-Z]{3}$'),
    -- [{"min_quantity": 100, "amount_minor": 32000}, ...], in the product's currency.
    price_tiers       jsonb NOT NULL DEFAULT '[]'::jsonb
                      CHECK (jsonb_typeof(price_tiers) = 'array' AND jsonb_array_length(price_tiers) <= 10),
    moq               integer CHECK (moq BETWEEN 1 AND 10000000),
    unit              text CHECK (unit IN ('piece', 'set', 'pair', 'dozen', 'box', 'pack', 'bag', 'bottle',
                                           'jar', 'roll', 'kg', 'g', 'litre', 'ml', 'metre', 'yard')),
    monthly_capacity  integer CHECK (monthly_capacity BETWEEN 1 AND 1000000000),
    lead_time_days    smallint CHECK (lead_time_days BETWEEN 0 AND 365),
    hs_code           text CHECK (hs_code ~ '^[0-9]{6}([0-9]{2}){0,2}$'),
    weight_grams      integer CHECK (weight_grams BETWEEN 1 AND 1000000),
    tags              text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
    province_code     text NOT NULL CHECK (province_code ~ '^TH-[0-9]{2}$'),
    cluster_id        text CHECK ((cluster_id IS NULL) = (province_code = 'TH-10')),
    region            text NOT NULL CHECK (region IN ('north', 'northeast', 'central', 'south')),
    select_center_id  text NOT NULL CHECK (select_center_id IN ('chiang-mai', 'khon-kaen', 'songkhla', 'bangkok')),
    -- A curator's designation; never set by a producer.
    topotop           boolean NOT NULL DEFAULT false,
    rejection_reason  text CHECK (char_length(rejection_reason) BETWEEN 1 AND 2000),
    submitted_at      timestamptz,
    published_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- Incremented on every change; the ETag is "<version>".
    version           integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT products_stars_with_year CHECK ((otop_stars IS NULL) = (otop_stars_year IS NULL)),
    CONSTRAINT products_capacity_covers_moq CHECK (monthly_capacity IS NULL OR moq IS NULL OR monthly_capacity >= moq),
    CONSTRAINT products_reviewable_complete CHECK (
        status NOT IN ('pending_review', 'published')
        OR (price_minor IS NOT NULL AND moq IS NOT NULL AND unit IS NOT NULL
            AND (description_th <> '' OR description_en <> ''))),
    CONSTRAINT products_published_has_date CHECK (status <> 'published' OR published_at IS NOT NULL),
    CONSTRAINT products_rejected_has_reason CHECK (status <> 'rejected' OR rejection_reason IS NOT NULL)
);

-- The public listing is `WHERE status = 'published' AND <filter> ORDER BY <sort
-- keys>, id LIMIT n` with a keyset condition on the same keys. Partial indexes
-- on the published rows: one per sort order; one per filter in the default
-- order (newest first); and for the selective filters (province, cluster,
-- TOPOTOP) one per sort, plus category by price. The other combinations
-- (region, min_stars, several filters) walk the sort index and filter as they
-- go: each keeps a large share of the rows, so a page is found after a few
-- hundred index entries (the plans of every filter x sort: BENCHMARKS.md).
CREATE INDEX products_pub_newest_idx ON products (created_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX products_pub_price_idx ON products (price_minor, id) WHERE status = 'published';
CREATE INDEX products_pub_name_idx ON products (name_en, id) WHERE status = 'published';
CREATE INDEX products_pub_province_idx ON products (province_code, created_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX products_pub_province_price_idx ON products (province_code, price_minor, id) WHERE status = 'published';
CREATE INDEX products_pub_province_name_idx ON products (province_code, name_en, id) WHERE status = 'published';
CREATE INDEX products_pub_cluster_idx ON products (cluster_id, created_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX products_pub_cluster_price_idx ON products (cluster_id, price_minor, id) WHERE status = 'published';
CREATE INDEX products_pub_cluster_name_idx ON products (cluster_id, name_en, id) WHERE status = 'published';
CREATE INDEX products_pub_region_idx ON products (region, created_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX products_pub_category_idx ON products (category, created_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX products_pub_category_price_idx ON products (category, price_minor, id) WHERE status = 'published';
CREATE INDEX products_pub_creative_idx ON products (creative_industry, created_at DESC, id DESC)
    WHERE status = 'published' AND creative_industry IS NOT NULL;
-- TOPOTOP items are few: small indexes for each sort.
CREATE INDEX products_pub_topotop_idx ON products (created_at DESC, id DESC) WHERE status = 'published' AND topotop;
CREATE INDEX products_pub_topotop_price_idx ON products (price_minor, id) WHERE status = 'published' AND topotop;
CREATE INDEX products_pub_topotop_name_idx ON products (name_en, id) WHERE status = 'published' AND topotop;
-- The owner's view (also the public `producer` filter, and the foreign key).
CREATE INDEX products_producer_idx ON products (producer_id, created_at DESC, id DESC);
-- The staff view of a Select center by status (also the public `select_center` filter).
CREATE INDEX products_center_status_idx ON products (select_center_id, status, created_at DESC, id DESC);

-- Certificates of a product (OTOP stars are not one: they are the otop_stars
-- columns). Search filters on kind and ignores expired certificates.
CREATE TABLE product_certifications (
    product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position   smallint NOT NULL CHECK (position BETWEEN 0 AND 19),
    kind       text NOT NULL CHECK (kind IN ('thai_fda', 'mor_phor_chor', 'tis', 'gmp', 'halal', 'organic', 'gi')),
    number     text NOT NULL CHECK (char_length(number) BETWEEN 1 AND 64),
    expires_on date,
    PRIMARY KEY (product_id, position),
    CONSTRAINT product_certifications_unique UNIQUE (product_id, kind, number)
);
CREATE INDEX product_certifications_kind_idx ON product_certifications (kind, product_id) INCLUDE (expires_on);

-- +goose Down
DROP TABLE product_certifications;
DROP TABLE products;
DROP TABLE producers;
