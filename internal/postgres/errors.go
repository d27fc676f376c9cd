package postgres

import (
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/errs"
)

// translate turns gorm's errors into the domain's kinds.
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
	}
	return fmt.Errorf("%s: %w", what, err)
}
