// Package cli is the otop binary's commands (serve, migrate, seed, user,
// reindex) and the wiring of everything they run: main.go only calls Run.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/urfave/cli/v3"

	"github.com/otopmarket/otop/internal/config"
)

// process is what a command reads of its process: the environment and the
// standard streams, injected so that tests control them.
type process struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// Run executes one command line and returns the process exit code.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := process{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	app := &cli.Command{
		Name:      "otop",
		Usage:     "OTOP marketplace and catalogue backend",
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		// Configuration comes from the environment (see README); flags only choose what to do.
		Commands: []*cli.Command{
			e.serveCommand(),
			e.migrateCommand(),
			e.seedCommand(),
			e.userCommand(),
			e.reindexCommand(),
			e.importCommand(),
			e.exportCommand(),
		},
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
	}
	if err := app.Run(ctx, args); err != nil {
		fmt.Fprintf(stderr, "otop: %v\n", err)
		return 1
	}
	return 0
}

// load reads the configuration and builds the logger every command uses.
func (e process) load() (config.Config, *slog.Logger, error) {
	cfg, err := config.Load(e.getenv, os.ReadFile)
	if err != nil {
		return config.Config{}, nil, err
	}
	return cfg, newLogger(e.stderr, cfg), nil
}

func newLogger(w io.Writer, cfg config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
