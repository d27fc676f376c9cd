package main

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

// conn is one keep-alive HTTP/1.1 connection of a load worker, as in
// searchbench (rawhttp.go): the load generator shares the two cores with
// the API it measures, and net/http's client costs about twice the CPU
// per request. Unlike searchbench's it sends any method with headers and
// a body, keeps the reply's body (the queue's cursor, the items to
// approve, the search hits), and reads chunked replies too (gin's c.JSON
// sends a reply larger than net/http's 2 KB buffer chunked).
type conn struct {
	addr, host string
	c          net.Conn
	r          *bufio.Reader
	req        []byte
	body       []byte // the last reply's body, valid until the next request
}

func newConn(base string) (*conn, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("load client: base URL %q: want http://host:port", base)
	}
	return &conn{addr: u.Host, host: u.Host}, nil
}

// errStatus is a reply whose status was not the one expected.
type errStatus struct {
	status int
	body   string
}

func (e errStatus) Error() string { return fmt.Sprintf("status %d: %s", e.status, e.body) }

// do sends one request (headers as "Name: value" lines) and reads the whole
// reply into c.body. It returns the reply's status; err is a transport or
// protocol error (the connection is then closed and redialled next time).
func (c *conn) do(ctx context.Context, method, path string, headers []string, body []byte) (int, error) {
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
		c.close()
		return 0, err
	}
	status, err := c.roundTrip()
	if err != nil {
		c.close()
	}
	return status, err
}

func (c *conn) close() {
	if c.c != nil {
		_ = c.c.Close()
		c.c = nil
	}
}

func (c *conn) roundTrip() (int, error) {
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
		c.close()
	}
	return status, nil
}

func (c *conn) readN(n int) error {
	start := len(c.body)
	c.body = append(c.body, make([]byte, n)...)
	_, err := io.ReadFull(c.r, c.body[start:])
	return err
}

func (c *conn) readChunks() error {
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

// expect turns a reply other than want into an error carrying the start of
// its body.
func (c *conn) expect(status int, err error, want int) error {
	if err != nil {
		return err
	}
	if status != want {
		b := c.body
		if len(b) > 300 {
			b = b[:300]
		}
		return errStatus{status, string(b)}
	}
	return nil
}
