// Package postgres is the PostgreSQL side of the service: the connection,
// the embedded versioned migrations and the gorm repositories.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	pgxuuid "github.com/vgarvardt/pgx-google-uuid/v5"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaOutdated means the database has not been migrated to the version
// this binary expects; run the migrate subcommand (or serve with MIGRATE_ON_START).
var ErrSchemaOutdated = errors.New("database schema is outdated")

// Options tune the connection pool.
type Options struct {
	MaxOpenConns int
	MaxIdleConns int
	// Logger receives slow queries and errors; nil keeps gorm quiet.
	Logger *slog.Logger
	// StatementTimeout makes PostgreSQL stop any statement of the pool that
	// runs longer (0: none), so that a slow query does not outlive its
	// request; it is answered as unavailable (503).
	StatementTimeout time.Duration
}

// slowStatement is how long a statement may take before it is logged.
const slowStatement = 200 * time.Millisecond

// quietTrace hands a statement's trace to gorm's logger only when it will
// be logged (an error, a slow statement, or every statement at level Info):
// gorm's slog logger renders every statement's SQL before it decides.
type quietTrace struct {
	logger.Interface
	level logger.LogLevel
}

func (q quietTrace) LogMode(level logger.LogLevel) logger.Interface {
	return quietTrace{Interface: q.Interface.LogMode(level), level: level}
}

func (q quietTrace) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	quiet := err == nil || errors.Is(err, gorm.ErrRecordNotFound)
	if quiet && q.level < logger.Info && time.Since(begin) <= slowStatement {
		return
	}
	q.Interface.Trace(ctx, begin, fc, err)
}

// Open connects to PostgreSQL, checks the connection and returns the gorm handle.
// Errors come back translated (gorm.ErrDuplicatedKey and friends).
func Open(ctx context.Context, dsn string, opts Options) (*gorm.DB, error) {
	gl := logger.Discard
	if opts.Logger != nil {
		gl = quietTrace{Interface: logger.NewSlogLogger(opts.Logger, logger.Config{
			SlowThreshold:             slowStatement,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
			ParameterizedQueries:      true,
		}), level: logger.Warn}
	}
	if opts.StatementTimeout > 0 {
		dsn = withRuntimeParam(dsn, "statement_timeout", strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10))
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	conn := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
		// uuid.UUID parameters are encoded as uuids: through their
		// driver.Valuer (a string) pgx first failed to encode them in binary,
		// formatting an error each time, and then parsed the string.
		m := c.TypeMap()
		m.TryWrapEncodePlanFuncs = append([]pgtype.TryWrapEncodePlanFunc{pgxuuid.TryWrapUUIDEncodePlan}, m.TryWrapEncodePlanFuncs...)
		return nil
	}))
	dial := newDialector(conn)
	db, err := gorm.Open(dial, &gorm.Config{
		TranslateError:         true,
		Logger:                 gl,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	// gorm's row callback (Raw(…).Rows, Row, Scan) stores the query's
	// error without the translation every other callback applies: a
	// statement's duplicate key would reach translate as a bare PgError.
	err = db.Callback().Row().After("gorm:row").Register("otop:translate_error", func(tx *gorm.DB) {
		if tx.Error != nil {
			tx.Error = dial.Translate(tx.Error)
		}
	})
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("postgres pool: %w", err)
	}
	if opts.MaxOpenConns > 0 {
		sqlDB.SetMaxOpenConns(opts.MaxOpenConns)
	}
	if opts.MaxIdleConns > 0 {
		sqlDB.SetMaxIdleConns(opts.MaxIdleConns)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return db, nil
}

// withRuntimeParam adds a run-time parameter to a connection string, in
// either form (URL or key=value), for pgx to set on every connection.
func withRuntimeParam(dsn, name, value string) string {
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + url.QueryEscape(name) + "=" + url.QueryEscape(value)
	}
	return dsn + " " + name + "=" + value
}

// Close releases the pool behind db.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Migrations returns the embedded migration files, for tools and tests.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the directory is embedded at build time; this cannot fail
	}
	return sub
}

func provider(db *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, Migrations(), goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration, holding an advisory lock so that
// replicas starting together migrate once. It returns the resulting version.
func Migrate(ctx context.Context, db *gorm.DB) (int64, error) {
	sqlDB, err := db.DB()
	if err != nil {
		return 0, err
	}
	p, err := provider(sqlDB)
	if err != nil {
		return 0, err
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("apply migrations: %w", err)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// CheckSchema returns ErrSchemaOutdated unless every embedded migration has been applied.
func CheckSchema(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	p, err := provider(sqlDB)
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if pending || current < target {
		return fmt.Errorf("%w: at version %d, this build needs %d", ErrSchemaOutdated, current, target)
	}
	return nil
}

// Ping checks that the database answers.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}
