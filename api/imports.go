package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/bulk"
	"github.com/otopmarket/otop/internal/errs"
)

type importJobJSON struct {
	ID          uuid.UUID   `json:"id"`
	State       string      `json:"state"`
	FileName    string      `json:"file_name"`
	DryRun      bool        `json:"dry_run"`
	SkipInvalid bool        `json:"skip_invalid"`
	ProducerID  *uuid.UUID  `json:"producer_id"`
	RowsTotal   int         `json:"rows_total"`
	RowsDone    int         `json:"rows_done"`
	Report      bulk.Report `json:"report"`
	Error       *string     `json:"error"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
	FinishedAt  *time.Time  `json:"finished_at"`
}

func newImportJobJSON(j bulk.Job) importJobJSON {
	out := importJobJSON{
		ID: j.ID, State: string(j.State), FileName: j.FileName, DryRun: j.DryRun, SkipInvalid: j.SkipInvalid,
		RowsTotal: j.RowsTotal, RowsDone: j.RowsDone, Report: j.Report,
		CreatedAt: j.CreatedAt.UTC(), UpdatedAt: j.UpdatedAt.UTC(), FinishedAt: utcTime(j.FinishedAt),
	}
	if j.ProducerID != uuid.Nil {
		out.ProducerID = &j.ProducerID
	}
	if j.Error != "" {
		out.Error = &j.Error
	}
	return out
}

// importForm is a POST /v1/imports request: its files, saved in temporary
// files as they stream in, and its flags.
type importForm struct {
	in    bulk.JobInput
	files []*os.File
}

func (f *importForm) close() {
	for _, file := range f.files {
		_ = file.Close()
		_ = os.Remove(file.Name())
	}
}

// readImportForm streams the multipart body: the sheet (field file) and the
// ZIP of photos (field images) go to temporary files within their limits.
func readImportForm(c *gin.Context) (*importForm, error) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, errs.New(errs.ErrUnsupportedMediaType, "send the import as multipart/form-data: the sheet in the field \"file\"")
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, &errBadRequest{msg: "the multipart body cannot be read"}
	}
	form := &importForm{}
	var v errs.ValidationError
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			form.close()
			return nil, multipartError(err)
		}
		if err := form.part(part, &v); err != nil {
			form.close()
			return nil, err
		}
	}
	if form.in.File.File == nil {
		v.Add("file", "is required: the multipart field \"file\" holds the CSV or XLSX sheet")
	}
	if err := v.Err(); err != nil {
		form.close()
		return nil, err
	}
	return form, nil
}

func multipartError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &errBadRequest{msg: "the multipart body ended before its closing boundary; send the whole file"}
	}
	return &errBadRequest{msg: "the multipart body is malformed"}
}

// maxFormValue bounds a multipart text field.
const maxFormValue = 200

func (f *importForm) part(part *multipart.Part, v *errs.ValidationError) error {
	switch name := part.FormName(); name {
	case "file", "images":
		limit := int64(bulk.MaxFileBytes)
		if name == "images" {
			limit = bulk.MaxImagesBytes
		}
		up, err := f.save(part, limit)
		if err != nil {
			return err
		}
		if name == "file" {
			f.in.File = up
		} else {
			f.in.Images = &up
		}
	case "dry_run", "skip_invalid", "producer_id":
		b, err := io.ReadAll(io.LimitReader(part, maxFormValue+1))
		if err != nil {
			return multipartError(err)
		}
		s := strings.TrimSpace(string(b))
		switch {
		case len(b) > maxFormValue:
			v.Add(name, "is too long")
		case name == "producer_id":
			if id, err := uuid.Parse(s); err == nil {
				f.in.ProducerID = id
			} else if s != "" {
				v.Add(name, "must be a producer id (a UUID)")
			}
		default:
			on, err := strconv.ParseBool(s)
			if err != nil && s != "" {
				v.Add(name, "must be true or false")
			}
			if name == "dry_run" {
				f.in.DryRun = on
			} else {
				f.in.SkipInvalid = on
			}
		}
	}
	return nil
}

func (f *importForm) save(part *multipart.Part, limit int64) (bulk.Upload, error) {
	file, err := os.CreateTemp("", "otop-upload-")
	if err != nil {
		return bulk.Upload{}, err
	}
	f.files = append(f.files, file)
	n, err := io.Copy(file, io.LimitReader(part, limit+1))
	if err != nil {
		return bulk.Upload{}, multipartError(err)
	}
	if n > limit {
		return bulk.Upload{}, errs.Newf(errs.ErrTooLarge, "the field %q is larger than %d MiB", part.FormName(), limit>>20)
	}
	if n == 0 {
		return bulk.Upload{}, errs.Invalid(part.FormName(), "is empty")
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return bulk.Upload{}, err
	}
	name := part.FileName()
	if len(name) > maxFormValue || strings.ContainsFunc(name, isRefusedControl) {
		name = part.FormName()
	}
	return bulk.Upload{Name: name, File: file, Size: n}, nil
}

// importUploadTime bounds the upload of an import: a sheet and a ZIP of
// photos from a village's mobile connection take longer than the server's
// request timeout allows other requests.
const importUploadTime = 15 * time.Minute

func (h *handlers) createImport(c *gin.Context) {
	if principalFrom(c).Anonymous() {
		respondError(c, errs.ErrUnauthenticated) // before reading a large body for nothing
		return
	}
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetReadDeadline(time.Now().Add(importUploadTime)) // not supported by test recorders: then the default stays
	_ = rc.SetWriteDeadline(time.Now().Add(importUploadTime + time.Minute))
	form, err := readImportForm(c)
	if err != nil {
		respondError(c, err)
		return
	}
	defer form.close()
	// The request's deadline was set for ordinary requests and may have
	// passed during the upload; storing the files gets time of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 2*time.Minute)
	defer cancel()
	job, err := h.imports.Create(ctx, principalFrom(c), form.in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Location", "/v1/imports/"+job.ID.String())
	c.JSON(http.StatusAccepted, newImportJobJSON(job))
}

func (h *handlers) getImport(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	job, err := h.imports.Job(c.Request.Context(), principalFrom(c), id)
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, newImportJobJSON(job))
}

// importTemplate serves the template (template.csv or template.xlsx).
func (h *handlers) importTemplate(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		contentType := "text/csv; charset=utf-8"
		if format == "xlsx" {
			contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		c.Header("Content-Type", contentType)
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="otop-import-template.%s"`, format))
		c.Header("Cache-Control", "public, max-age=3600")
		c.Status(http.StatusOK)
		if err := h.imports.Template(c.Writer, format); err != nil {
			panic(http.ErrAbortHandler) // the reply has begun: break it rather than send half a file
		}
	}
}
