package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	gormpg "gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/errs"
)

// translate turns gorm's errors into the domain's kinds. PostgreSQL being
// down, restarting, full or too slow is errs.ErrUnavailable (a 503 with
// Retry-After), not an internal error: the client may retry.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%s: %w", what, errs.ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%s: %w", what, errs.ErrConflict)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return fmt.Errorf("%s: %w", what, errs.ErrConflict)
	case unavailable(err):
		return fmt.Errorf("%s: %w: %w", what, errs.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// dialector is gorm's PostgreSQL dialector with an error translation that
// also marks PostgreSQL being unreachable as errs.ErrUnavailable. gorm
// passes every error it records through it, those of BEGIN and COMMIT in
// Transaction included, which reach the caller without going through
// translate: a write caught by an outage answered 500 instead of 503.
type dialector struct{ *gormpg.Dialector }

func newDialector(conn *sql.DB) dialector {
	return dialector{&gormpg.Dialector{Config: &gormpg.Config{Conn: conn}}}
}

func (d dialector) Translate(err error) error {
	err = d.Dialector.Translate(err)
	if unavailable(err) && !errors.Is(err, errs.ErrUnavailable) {
		return fmt.Errorf("%w: %w", errs.ErrUnavailable, err)
	}
	return err
}

// unavailable reports whether err says PostgreSQL cannot be reached or
// cannot serve now, rather than that the request was wrong.
func unavailable(err error) bool {
	var (
		connect *pgconn.ConnectError
		netErr  net.Error
		pgErr   *pgconn.PgError
	)
	switch {
	case errors.As(err, &connect), errors.As(err, &netErr), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exceptions; 53300: too many connections;
		// 57P01–57P05: shutdown, crash, cannot connect now; 57014: a
		// statement cancelled by its timeout.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "53300" ||
			strings.HasPrefix(pgErr.Code, "57P") || pgErr.Code == "57014"
	}
	return pgconn.Timeout(err) || strings.Contains(err.Error(), "conn closed")
}
