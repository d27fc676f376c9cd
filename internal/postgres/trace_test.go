package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// traces counts the statements handed to it and whether their SQL was rendered.
type traces struct {
	logger.Interface
	handed, rendered int
}

func (t *traces) LogMode(logger.LogLevel) logger.Interface { return t }

func (t *traces) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	t.handed++
	if sql, _ := fc(); sql != "" {
		t.rendered++
	}
}

func TestQuietTracePassesOnlyWhatWillBeLogged(t *testing.T) {
	rec := &traces{Interface: logger.Discard}
	q := quietTrace{Interface: rec, level: logger.Warn}
	fc := func() (string, int64) { return "SELECT 1", 1 }
	ctx := context.Background()
	q.Trace(ctx, time.Now(), fc, nil)
	q.Trace(ctx, time.Now(), fc, gorm.ErrRecordNotFound)
	if rec.handed != 0 {
		t.Fatalf("a fast, successful statement was handed to the logger (%d)", rec.handed)
	}
	q.Trace(ctx, time.Now(), fc, errors.New("deadlock detected"))
	q.Trace(ctx, time.Now().Add(-2*slowStatement), fc, nil)
	if rec.handed != 2 || rec.rendered != 2 {
		t.Fatalf("a failed and a slow statement: handed %d, rendered %d; want 2, 2", rec.handed, rec.rendered)
	}
	q.LogMode(logger.Info).Trace(ctx, time.Now(), fc, nil)
	if rec.handed != 3 {
		t.Fatalf("at level Info a statement was not handed on (%d)", rec.handed)
	}
}
