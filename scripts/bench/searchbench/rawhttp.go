package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"
)

// conn is one keep-alive HTTP/1.1 connection of a load worker. The load
// runs send plain GETs and read replies sized by Content-Length, which is
// all a load generator needs. The load generator shares the two cores
// with the API it measures: net/http's client spent 0.18 ms of CPU a
// request here (its connection goroutines, header maps and copies; a
// quarter of what serve spends on a search), this one 0.10 ms, most of it
// the kernel's copying of the 45 KB reply, as wrk does.
type conn struct {
	addr, host string
	c          net.Conn
	r          *bufio.Reader
	req        []byte
}

func newConn(base string) (*conn, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("load client: base URL %q: want http://host:port", base)
	}
	return &conn{addr: u.Host, host: u.Host}, nil
}

// get sends GET path and reads the whole reply; a status other than 200
// is an error.
func (c *conn) get(ctx context.Context, path string) error {
	if c.c == nil {
		var d net.Dialer
		nc, err := d.DialContext(ctx, "tcp", c.addr)
		if err != nil {
			return err
		}
		c.c, c.r = nc, bufio.NewReaderSize(nc, 64<<10)
	}
	c.req = append(append(append(append(c.req[:0], "GET "...), path...), " HTTP/1.1\r\nHost: "...), c.host...)
	c.req = append(c.req, "\r\n\r\n"...)
	if err := c.c.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return err
	}
	err := c.roundTrip()
	if err != nil {
		c.close()
	}
	return err
}

func (c *conn) close() {
	if c.c != nil {
		_ = c.c.Close()
		c.c = nil
	}
}

func (c *conn) roundTrip() error {
	if _, err := c.c.Write(c.req); err != nil {
		return err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return fmt.Errorf("load client: bad status line %q", line)
	}
	status := string(line[9:12])
	length, closing := -1, false
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return fmt.Errorf("load client: bad header %q", h)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return fmt.Errorf("load client: bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return errors.New("load client: chunked reply (a reply without Content-Length)")
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			closing = true
		}
	}
	if length < 0 {
		return errors.New("load client: reply without Content-Length")
	}
	if _, err := c.r.Discard(length); err != nil {
		return err
	}
	if closing {
		c.close()
	}
	if status != "200" {
		return errStatus{status}
	}
	return nil
}
