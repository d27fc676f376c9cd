package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// copyRecords writes recs with COPY on conn, in the transaction open on it,
// column by column as gorm would insert them (the fields it may create),
// so that a record type has one description for both ways of writing.
func copyRecords[T any](ctx context.Context, db *gorm.DB, conn *sql.Conn, recs []T) error {
	if len(recs) == 0 {
		return nil
	}
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(new(T)); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	var (
		fields  []*schema.Field
		columns []string
	)
	for _, f := range stmt.Schema.Fields {
		if f.DBName != "" && f.Creatable {
			fields = append(fields, f)
			columns = append(columns, f.DBName)
		}
	}
	rows := make([][]any, len(recs))
	for i := range recs {
		rv := reflect.ValueOf(&recs[i]).Elem()
		row := make([]any, len(fields))
		for k, f := range fields {
			row[k], _ = f.ValueOf(ctx, rv)
		}
		rows[i] = row
	}
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy: the pool's connections are %T, not pgx's", dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{stmt.Schema.Table}, columns, pgx.CopyFromRows(rows))
		return err
	})
}
