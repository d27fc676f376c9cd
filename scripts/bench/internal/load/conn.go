package load

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"
)

// Conn is one keep-alive HTTP/1.1 connection of a load worker. The load
// generators share the machine's cores with the API they measure, and
// net/http's client (its connection goroutines, header maps and copies)
// costs several times the CPU per request of this one, which writes each
// request into one reused buffer and reads replies through another, as wrk
// does. It sends any method with headers and a
// body, and reads replies framed by Content-Length or chunked (gin sends
// replies larger than net/http's write buffer chunked). A Conn belongs to
// one goroutine.
type Conn struct {
	addr, host string
	c          net.Conn
	r          *bufio.Reader
	req        []byte
	body       []byte
	keep       bool // copy the reply's body into body (Do), or skip it (Get)
}

// NewConn returns a connection to base (http://host:port); it dials on its
// first request, and again after an error.
func NewConn(base string) (*Conn, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("load client: base URL %q: want http://host:port", base)
	}
	return &Conn{addr: u.Host, host: u.Host}, nil
}

// ErrStatus is a reply whose status was not the one expected, with the
// start of its body when it was kept.
type ErrStatus struct {
	Status int
	Body   string
}

func (e ErrStatus) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("status %d", e.Status)
	}
	return fmt.Sprintf("status %d: %s", e.Status, e.Body)
}

// Do sends one request (headers as "Name: value" lines) and reads the whole
// reply; its body is Body's until the next request. It returns the reply's
// status; err is a transport or protocol error (the connection is then
// closed and redialled next time).
func (c *Conn) Do(ctx context.Context, method, path string, headers []string, body []byte) (int, error) {
	c.keep = true
	return c.do(ctx, method, path, headers, body)
}

// Get sends GET path with no headers and reads the reply, skipping its body
// without copying it out of the read buffer: what a load run needs when it
// only times replies. A status other than 200 is an error and, like any
// error, closes the connection, so that the worker's next request starts
// on a fresh one.
func (c *Conn) Get(ctx context.Context, path string) error {
	c.keep = false
	status, err := c.do(ctx, "GET", path, nil, nil)
	if err == nil && status != 200 {
		c.Close()
		err = ErrStatus{Status: status}
	}
	return err
}

// Body is the last reply's body (Do), valid until the next request.
func (c *Conn) Body() []byte { return c.body }

// Expect turns a reply other than want into an error carrying the start of
// its body.
func (c *Conn) Expect(status int, err error, want int) error {
	if err != nil {
		return err
	}
	if status != want {
		b := c.body
		if len(b) > 300 {
			b = b[:300]
		}
		return ErrStatus{status, string(b)}
	}
	return nil
}

// Close closes the connection; the next request dials again.
func (c *Conn) Close() {
	if c.c != nil {
		_ = c.c.Close()
		c.c = nil
	}
}

func (c *Conn) do(ctx context.Context, method, path string, headers []string, body []byte) (int, error) {
	if c.c == nil {
		var d net.Dialer
		nc, err := d.DialContext(ctx, "tcp", c.addr)
		if err != nil {
			return 0, err
		}
		c.c, c.r = nc, bufio.NewReaderSize(nc, 64<<10)
	}
	c.req = append(append(append(append(c.req[:0], method...), ' '), path...), " HTTP/1.1\r\nHost: "...)
	c.req = append(append(c.req, c.host...), "\r\n"...)
	for _, h := range headers {
		c.req = append(append(c.req, h...), "\r\n"...)
	}
	if body != nil || method == "POST" || method == "PUT" || method == "PATCH" {
		c.req = append(append(c.req, "Content-Length: "...), strconv.Itoa(len(body))...)
		c.req = append(c.req, "\r\n"...)
	}
	c.req = append(append(c.req, "\r\n"...), body...)
	deadline := time.Now().Add(30 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := c.c.SetDeadline(deadline); err != nil {
		c.Close()
		return 0, err
	}
	status, err := c.roundTrip()
	if err != nil {
		c.Close()
	}
	return status, err
}

func (c *Conn) roundTrip() (int, error) {
	if _, err := c.c.Write(c.req); err != nil {
		return 0, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, fmt.Errorf("load client: bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, fmt.Errorf("load client: bad status line %q", line)
	}
	length, chunked, closing := -1, false, false
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return 0, fmt.Errorf("load client: bad header %q", h)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, fmt.Errorf("load client: bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			if !bytes.EqualFold(value, []byte("chunked")) {
				return 0, fmt.Errorf("load client: unsupported Transfer-Encoding %q", value)
			}
			chunked = true
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			closing = true
		}
	}
	c.body = c.body[:0]
	switch {
	case chunked:
		if err := c.readChunks(); err != nil {
			return 0, err
		}
	case length >= 0:
		if err := c.readN(length); err != nil {
			return 0, err
		}
	case status == 204 || status == 304:
	default:
		return 0, errors.New("load client: reply without Content-Length or chunked encoding")
	}
	if closing {
		c.Close()
	}
	return status, nil
}

// readN reads n bytes of the body: appended to c.body, or skipped.
func (c *Conn) readN(n int) error {
	if !c.keep {
		_, err := c.r.Discard(n)
		return err
	}
	start := len(c.body)
	c.body = append(c.body, make([]byte, n)...)
	_, err := io.ReadFull(c.r, c.body[start:])
	return err
}

func (c *Conn) readChunks() error {
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 32)
		if err != nil || n < 0 {
			return fmt.Errorf("load client: bad chunk size %q", line)
		}
		if n == 0 {
			// Trailers, if any, then the empty line.
			for {
				t, err := c.r.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(t, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if err := c.readN(int(n)); err != nil {
			return err
		}
		if _, err := c.r.Discard(2); err != nil { // the chunk's CRLF
			return err
		}
	}
}
