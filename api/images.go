package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/media"
)

// URLer turns an object key into the URL clients fetch it from.
type URLer interface {
	URL(key string) string
}

type variantJSON struct {
	Name   string `json:"name"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	URL    string `json:"url"`
}

type imageJSON struct {
	ID        uuid.UUID         `json:"id"`
	Position  int               `json:"position"`
	Width     int               `json:"width"`
	Height    int               `json:"height"`
	Bytes     int64             `json:"bytes"`
	SHA256    string            `json:"sha256"`
	URLs      map[string]string `json:"urls"`
	Variants  []variantJSON     `json:"variants"`
	CreatedAt time.Time         `json:"created_at"`
}

func newImageJSON(img media.Image, urls URLer) imageJSON {
	out := imageJSON{
		ID: img.ID, Position: img.Position, Width: img.Width, Height: img.Height, Bytes: img.Bytes,
		SHA256: img.SHA256, URLs: make(map[string]string, len(img.Variants)), CreatedAt: img.CreatedAt.UTC(),
		Variants: make([]variantJSON, 0, len(img.Variants)),
	}
	for _, v := range img.Variants {
		u := urls.URL(v.Key)
		out.URLs[v.Name] = u
		out.Variants = append(out.Variants, variantJSON{Name: v.Name, Width: v.Width, Height: v.Height, URL: u})
	}
	return out
}

func newImagesJSON(imgs []media.Image, urls URLer) []imageJSON {
	out := make([]imageJSON, 0, len(imgs))
	for _, img := range imgs {
		out = append(out, newImageJSON(img, urls))
	}
	return out
}

// pathUUID reads a UUID path parameter; a malformed one is a 404, since no
// such resource can exist.
func pathUUID(c *gin.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, fmt.Errorf("%s %q: %w", name, c.Param(name), errs.ErrNotFound)
	}
	return id, nil
}

// uploadedFile streams the multipart field "file" without buffering the
// whole request or writing temporary files.
func uploadedFile(c *gin.Context) (io.Reader, error) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, errs.New(errs.ErrUnsupportedMediaType, "send the image as multipart/form-data in the field \"file\"")
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, &errBadRequest{msg: "the multipart body cannot be read"}
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, errs.Invalid("file", "is required: the multipart field \"file\" holds the image")
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, err
			}
			return nil, &errBadRequest{msg: "the multipart body is malformed"}
		}
		if part.FormName() == "file" {
			return cutUpload{part}, nil
		}
	}
}

// cutUpload reports a multipart body that ends before its closing boundary
// (a client cut off mid-upload) as the client's error, not an internal one.
type cutUpload struct{ io.Reader }

func (r cutUpload) Read(p []byte) (int, error) {
	n, err := r.Reader.Read(p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = &errBadRequest{msg: "the multipart body ended before its closing boundary; send the whole file"}
	}
	return n, err
}

func (h *handlers) addImage(c *gin.Context) {
	productID, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	file, err := uploadedFile(c)
	if err != nil {
		respondError(c, err)
		return
	}
	img, err := h.images.Add(c.Request.Context(), principalFrom(c), productID, file)
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Location", "/v1/products/"+productID.String())
	c.JSON(http.StatusCreated, newImageJSON(img, h.urls))
}

func (h *handlers) deleteImage(c *gin.Context) {
	productID, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	imageID, err := pathUUID(c, "image_id")
	if err != nil {
		respondError(c, err)
		return
	}
	if err := h.images.Delete(c.Request.Context(), principalFrom(c), productID, imageID); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type reorderRequest struct {
	ImageIDs []uuid.UUID `json:"image_ids"`
}

func (h *handlers) reorderImages(c *gin.Context) {
	productID, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	var req reorderRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	imgs, err := h.images.Reorder(c.Request.Context(), principalFrom(c), productID, req.ImageIDs)
	if err != nil {
		respondError(c, err)
		return
	}
	replyList(c, newImagesJSON(imgs, h.urls), nil)
}

type uploadTicketJSON struct {
	UploadID    uuid.UUID         `json:"upload_id"`
	URL         string            `json:"url"`
	Method      string            `json:"method"`
	Fields      map[string]string `json:"fields"`
	FileField   string            `json:"file_field"`
	ExpiresAt   time.Time         `json:"expires_at"`
	MaxBytes    int64             `json:"max_bytes"`
	CompleteURL string            `json:"complete_url"`
}

func (h *handlers) startImageUpload(c *gin.Context) {
	productID, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	t, err := h.images.StartUpload(c.Request.Context(), principalFrom(c), productID)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, uploadTicketJSON{
		UploadID: t.UploadID, URL: t.URL, Method: http.MethodPost, Fields: t.Fields, FileField: "file",
		ExpiresAt: t.ExpiresAt.UTC(), MaxBytes: t.MaxBytes,
		CompleteURL: fmt.Sprintf("/v1/products/%s/images/uploads/%s/complete", productID, t.UploadID),
	})
}

func (h *handlers) completeImageUpload(c *gin.Context) {
	productID, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	uploadID, err := pathUUID(c, "upload_id")
	if err != nil {
		respondError(c, err)
		return
	}
	img, err := h.images.CompleteUpload(c.Request.Context(), principalFrom(c), productID, uploadID)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, newImageJSON(img, h.urls))
}
