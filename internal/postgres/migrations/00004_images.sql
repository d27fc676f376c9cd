-- +goose Up
-- Product photos. The objects live in MinIO: the original (private) and the
-- resized variants (public); a row is written only after all its objects.
CREATE TABLE product_images (
    id           uuid PRIMARY KEY,
    product_id   uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position     smallint NOT NULL CHECK (position BETWEEN 0 AND 9),
    width        integer NOT NULL CHECK (width > 0),
    height       integer NOT NULL CHECK (height > 0),
    bytes        bigint NOT NULL CHECK (bytes > 0),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    original_key text NOT NULL,
    -- [{"name": "w200", "width": 200, "height": 150, "key": "...", "content_type": "image/jpeg"}, ...]
    variants     jsonb NOT NULL CHECK (jsonb_typeof(variants) = 'array'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT product_images_same_bytes_once UNIQUE (product_id, sha256),
    CONSTRAINT product_images_position_unique UNIQUE (product_id, position) DEFERRABLE INITIALLY IMMEDIATE
);

-- Direct uploads to MinIO with a presigned POST, completed by the client.
CREATE TABLE image_uploads (
    id           uuid PRIMARY KEY,
    product_id   uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    object_key   text NOT NULL UNIQUE,
    expires_at   timestamptz NOT NULL,
    completed_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX image_uploads_product_idx ON image_uploads (product_id);

-- +goose Down
DROP TABLE image_uploads;
DROP TABLE product_images;
