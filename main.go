// Command otop is the OTOP marketplace and catalogue backend.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/otopmarket/otop/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
