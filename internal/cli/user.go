package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/postgres"
)

func (e process) userCommand() *cli.Command {
	return &cli.Command{
		Name:  "user",
		Usage: "manage staff accounts",
		Commands: []*cli.Command{{
			Name:      "create",
			Usage:     "create a curator (bound to one Select center) or an admin",
			UsageText: "otop user create --email E (--password P | --password-stdin) --role curator|admin [--select-center ID] [--name N]",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "email", Required: true},
				&cli.StringFlag{Name: "role", Required: true, Usage: "curator or admin"},
				&cli.StringFlag{Name: "select-center", Usage: "chiang-mai, khon-kaen, songkhla or bangkok (curators only)"},
				&cli.StringFlag{Name: "name", Usage: "display name (defaults to the email)"},
			},
			// A password on the command line stays in the shell's history and
			// in the process list; --password-stdin keeps it out of both.
			MutuallyExclusiveFlags: []cli.MutuallyExclusiveFlags{{
				Required: true,
				Flags: [][]cli.Flag{
					{&cli.StringFlag{Name: "password", Usage: "at least 10 characters, not a common password"}},
					{&cli.BoolFlag{Name: "password-stdin", Usage: "read the password from the first line of standard input"}},
				},
			}},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				password := cmd.String("password")
				if cmd.Bool("password-stdin") {
					var err error
					if password, err = readPassword(e.stdin); err != nil {
						return err
					}
				}
				return e.createUser(ctx, account.RegisterInput{
					Email: cmd.String("email"), Password: password, Role: account.Role(cmd.String("role")),
					SelectCenterID: cmd.String("select-center"), DisplayName: cmd.String("name"),
				})
			},
		}},
	}
}

func (e process) createUser(ctx context.Context, in account.RegisterInput) error {
	a, err := e.open(ctx, false, 0)
	if err != nil {
		return err
	}
	defer a.close()
	accounts, err := account.NewService(postgres.NewAccounts(a.db), a.tax.SelectCenterExists, account.DefaultPolicy(), time.Now)
	if err != nil {
		return err
	}
	if in.DisplayName == "" {
		in.DisplayName = in.Email
	}
	u, err := accounts.CreateStaff(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created %s %s (%s)\n", u.Role, u.Email, u.ID)
	return nil
}

// readPassword reads the first line of r, without its line ending: the rest
// of the line is the password, spaces included.
func readPassword(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("--password-stdin: no standard input")
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("--password-stdin: read standard input: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("--password-stdin: standard input holds no password")
	}
	return line, nil
}
