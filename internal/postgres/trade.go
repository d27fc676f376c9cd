package postgres

import "gorm.io/gorm"

// Trade is the store of inquiries, quotes, RFQs and orders.
type Trade struct{ db *gorm.DB }

// NewTrade returns the trade store.
func NewTrade(db *gorm.DB) *Trade { return &Trade{db: db} }
