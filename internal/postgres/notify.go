package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// CatalogChannel carries a notice for each product whose public state
// changed (its id), or "*" when many did (migration 00008).
const CatalogChannel = "otop_catalog"

// CatalogWatcher receives the catalogue's change notices.
type CatalogWatcher interface {
	// ProductChanged: the public state of one product changed.
	ProductChanged(id uuid.UUID)
	// SetLive(false): notices may be missed from now on; SetLive(true):
	// they are followed again from now on (anything before is unknown).
	SetLive(live bool)
}

// AccountsChannel carries a notice whenever sign-in tokens or users are
// changed or deleted (migration 00018).
const AccountsChannel = "otop_accounts"

// AccountsWatcher is told that tokens or users changed. A CatalogWatcher
// that is also an AccountsWatcher follows both channels on one connection,
// live or not together.
type AccountsWatcher interface {
	AccountsChanged()
}

// QueuesChannel carries a notice whenever a product enters, leaves or
// changes in a review queue, or a producer changes (migration 00021).
const QueuesChannel = "otop_queues"

// QueuesWatcher is told that the review queues changed; like an
// AccountsWatcher, it follows its channel on the catalogue's connection.
type QueuesWatcher interface {
	QueuesChanged()
}

// OrdersChannel carries a notice whenever orders or their lines change
// (migration 00022).
const OrdersChannel = "otop_orders"

// OrdersWatcher is told that orders changed; like an AccountsWatcher, it
// follows its channel on the catalogue's connection.
type OrdersWatcher interface {
	OrdersChanged()
}

// ListenerName is the application_name of the listening connection, as
// pg_stat_activity shows it.
const ListenerName = "otop catalogue notices"

// listenPingEvery is how long the listening connection may stay quiet
// before it is checked: after a failure that PostgreSQL could not report
// (a network partition), the caches trust it for at most this long plus
// the 5 s the check may take.
var listenPingEvery = 30 * time.Second

// ListenCatalog follows the notices of CatalogChannel on a connection of
// its own until ctx ends, reconnecting with backoff (1 s doubling to 30 s)
// when the connection fails. The watcher is live only while listening.
func ListenCatalog(ctx context.Context, dsn string, w CatalogWatcher, logger *slog.Logger) {
	failures := 0
	for ctx.Err() == nil {
		wasLive, err := listenOnce(ctx, dsn, w)
		w.SetLive(false)
		if ctx.Err() != nil {
			return
		}
		if wasLive {
			failures = 0
		}
		failures++
		wait := min(time.Second<<min(failures-1, 5), 30*time.Second)
		logger.WarnContext(ctx, "catalogue change notices lost; read caches are off until they return",
			"error", err.Error(), "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// listenOnce listens until the connection fails or ctx ends; wasLive
// reports whether it got as far as listening.
func listenOnce(ctx context.Context, dsn string, w CatalogWatcher) (wasLive bool, err error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return false, fmt.Errorf("database url: %w", err)
	}
	cfg.RuntimeParams["application_name"] = ListenerName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx) // the connection is dropped either way
	}()
	// Every channel the watcher follows, on this one connection: they are
	// live or not together.
	channels := []string{CatalogChannel}
	accounts, _ := w.(AccountsWatcher)
	if accounts != nil {
		channels = append(channels, AccountsChannel)
	}
	queues, _ := w.(QueuesWatcher)
	if queues != nil {
		channels = append(channels, QueuesChannel)
	}
	orders, _ := w.(OrdersWatcher)
	if orders != nil {
		channels = append(channels, OrdersChannel)
	}
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+ch); err != nil {
			return false, fmt.Errorf("listen %s: %w", ch, err)
		}
	}
	w.SetLive(true)
	for {
		// A connection that died without a word (a network partition)
		// would wait forever while the caches trust it: after a quiet
		// while, ask the server.
		wctx, cancel := context.WithTimeout(ctx, listenPingEvery)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return true, ctx.Err()
			}
			if errors.Is(err, context.DeadlineExceeded) {
				pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				err = conn.Ping(pctx)
				cancel()
				if err == nil {
					continue
				}
			}
			return true, fmt.Errorf("wait for notices: %w", err)
		}
		switch n.Channel {
		case AccountsChannel:
			accounts.AccountsChanged()
			continue
		case QueuesChannel:
			queues.QueuesChanged()
			continue
		case OrdersChannel:
			orders.OrdersChanged()
			continue
		}
		id, perr := uuid.Parse(n.Payload)
		if perr != nil { // "*": everything may have changed
			w.SetLive(true)
			continue
		}
		w.ProductChanged(id)
	}
}
