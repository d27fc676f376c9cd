package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/otopmarket/otop/internal/errs"
)

// errBadRequest reports a request that cannot be read at all (HTTP 400):
// a body that is not JSON, a malformed header.
type errBadRequest struct{ msg string }

func (e *errBadRequest) Error() string { return e.msg }

// bindJSON decodes the request body into dst strictly: the content type must
// be JSON, unknown fields are refused (422 naming the field), and type
// mismatches name the field. The protected names are refused with their own
// message, since clients sometimes try to set them.
func bindJSON(c *gin.Context, dst any, protected ...string) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return errs.New(errs.ErrUnsupportedMediaType, "send the body as application/json")
		}
		// JSON is UTF-8 (RFC 8259); a body declared in another charset
		// would be read as something it is not.
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return errs.New(errs.ErrUnsupportedMediaType, "send the body as application/json in UTF-8 (charset=utf-8 or none)")
		}
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return err // *http.MaxBytesError is mapped to 413
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &errBadRequest{msg: "the request body is empty; send a JSON object"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, protected)
	}
	if dec.More() {
		return &errBadRequest{msg: "the request body holds more than one JSON value"}
	}
	return controlCharacters(body)
}

// controlCharacters refuses text with control characters other than tab,
// newline and carriage return, in any string of the body: one place for
// every text field, present and future. PostgreSQL refuses NUL in text, and
// the others have no business in a product or a profile.
func controlCharacters(body []byte) error {
	if !bytes.Contains(body, []byte(`\u00`)) && !bytes.ContainsFunc(body, isRefusedControl) {
		return nil // the common case: no escaped or raw control character at all
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return &errBadRequest{msg: "the request body is not valid JSON"}
	}
	var v errs.ValidationError
	walkStrings(doc, "", func(field, s string) {
		if strings.ContainsFunc(s, isRefusedControl) {
			v.Add(field, "must not contain control characters (only tab and line breaks are allowed)")
		}
	})
	return v.Err()
}

func isRefusedControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r <= 0x9f)
}

// walkStrings calls fn with the path (as the API names fields:
// certifications[1].number) and value of every string in v, keys included.
func walkStrings(v any, path string, fn func(field, s string)) {
	switch x := v.(type) {
	case string:
		fn(path, x)
	case []any:
		for i, e := range x {
			walkStrings(e, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	case map[string]any:
		for k, e := range x {
			field := k
			if path != "" {
				field = path + "." + k
			}
			fn(field, k)
			walkStrings(e, field, fn)
		}
	}
}

func decodeError(err error, protected []string) error {
	var (
		syntax    *json.SyntaxError
		typeError *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return &errBadRequest{msg: "the request body is not valid JSON"}
	case errors.As(err, &typeError):
		field := typeError.Field
		if field == "" {
			return &errBadRequest{msg: "the request body must be a JSON object"}
		}
		return errs.Invalid(field, fmt.Sprintf("must be of type %s", jsonType(typeError.Type.Kind().String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		for _, p := range protected {
			if field == p {
				return errs.Invalid(field, "cannot be set by a producer")
			}
		}
		return errs.Invalid(field, "is not a known field")
	}
	return &errBadRequest{msg: "the request body could not be read as JSON"}
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	}
	return "number"
}

// isBadRequest reports whether err is a request that cannot be read, and why.
func isBadRequest(err error) (string, bool) {
	var b *errBadRequest
	if errors.As(err, &b) {
		return b.msg, true
	}
	return "", false
}
