package main

import (
	"context"
	"fmt"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/postgres"
)

func (e env) userCommand() *cli.Command {
	return &cli.Command{
		Name:  "user",
		Usage: "manage staff accounts",
		Commands: []*cli.Command{{
			Name:      "create",
			Usage:     "create a curator (bound to one Select center) or an admin",
			UsageText: "otop user create --email E --password P --role curator|admin [--select-center ID] [--name N]",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "email", Required: true},
				&cli.StringFlag{Name: "password", Required: true, Usage: "at least 10 characters, not a common password"},
				&cli.StringFlag{Name: "role", Required: true, Usage: "curator or admin"},
				&cli.StringFlag{Name: "select-center", Usage: "chiang-mai, khon-kaen, songkhla or bangkok (curators only)"},
				&cli.StringFlag{Name: "name", Usage: "display name (defaults to the email)"},
			},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return e.createUser(ctx, account.RegisterInput{
					Email: cmd.String("email"), Password: cmd.String("password"), Role: account.Role(cmd.String("role")),
					SelectCenterID: cmd.String("select-center"), DisplayName: cmd.String("name"),
				})
			},
		}},
	}
}

func (e env) createUser(ctx context.Context, in account.RegisterInput) error {
	a, err := e.open(ctx, false)
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
