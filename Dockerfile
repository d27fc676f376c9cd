# syntax=docker/dockerfile:1

# --- build ---------------------------------------------------------------------
FROM golang:1.26-bookworm AS build
WORKDIR /src

COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/otop . \
 && mkdir -p /out/data

# --- runtime -------------------------------------------------------------------
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /out/otop /otop
# Writable DATA_DIR for the nonroot user (uid 65532), e.g. the embedded search index.
COPY --from=build --chown=65532:65532 /out/data /data

ENV HTTP_ADDR=0.0.0.0:8080 \
    DATA_DIR=/data
EXPOSE 8080
USER nonroot:nonroot

ENTRYPOINT ["/otop"]
CMD ["serve"]
