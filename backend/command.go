package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/backend/app"
	"github.com/prodproof/prodproof/backend/cli"
	"github.com/prodproof/prodproof/backend/config"
	"github.com/prodproof/prodproof/migrations"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // the database refused, the schema is wrong, the server failed
	exitUsage  = 2 // bad arguments or bad configuration: nothing started
)

// run runs the reference-backend command line and returns the exit status.
// lookup reads the environment (os.LookupEnv in production).
func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	tool := cli.Tool()
	cmd, fs, err := tool.Parse(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "reference-backend: %v\n", err)
		}
		return exitUsage
	}
	switch strings.Join(cmd.Path, " ") {
	case "", "serve":
		return serve(ctx, lookup, stderr)
	case "migrate status":
		return migrateStatus(ctx, lookup, fs.Lookup("json").Value.(flag.Getter).Get().(bool), stdout, stderr)
	case "migrate up":
		return migrateUp(ctx, lookup, stdout, stderr)
	}
	fmt.Fprintf(stderr, "reference-backend: command %q has no implementation\n", strings.Join(cmd.Path, " "))
	return exitUsage
}

func serve(ctx context.Context, lookup func(string) (string, bool), stderr io.Writer) int {
	cfg, err := config.FromEnv(lookup)
	if err != nil {
		fmt.Fprintf(stderr, "reference-backend: config: %v\n", err)
		return exitUsage
	}
	password := app.PasswordOf(cfg.DatabaseURL)
	logger := app.NewLogger(stderr, cfg.LogLevel, password)
	srv, err := app.New(ctx, cfg, logger)
	if err != nil {
		fmt.Fprintf(stderr, "reference-backend: %s\n", app.Redact(err.Error(), password, cfg.DatabaseURL))
		return exitFailed
	}
	if err := srv.Run(ctx); err != nil {
		logger.Error("server failed", "error", err.Error())
		return exitFailed
	}
	return exitOK
}

// migrationSource reads only what migrate needs: DATABASE_URL and the
// optional MIGRATIONS_DIR.
func migrationSource(ctx context.Context, lookup func(string) (string, bool), stderr io.Writer) (*pgx.Conn, []migrations.Migration, string, int) {
	rawURL, _ := lookup("DATABASE_URL")
	rawURL = strings.TrimSpace(rawURL)
	if err := config.ValidateDatabaseURL(rawURL); err != nil {
		fmt.Fprintf(stderr, "reference-backend: config: %v\n", err)
		return nil, nil, "", exitUsage
	}
	dir, _ := lookup("MIGRATIONS_DIR")
	files, err := migrations.LoadDir(strings.TrimSpace(dir))
	if err != nil {
		fmt.Fprintf(stderr, "reference-backend: %v\n", err)
		return nil, nil, "", exitFailed
	}
	password := app.PasswordOf(rawURL)
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		fmt.Fprintf(stderr, "reference-backend: connect to the database: %s\n", app.Redact(err.Error(), password, rawURL))
		return nil, nil, "", exitFailed
	}
	return conn, files, password, exitOK
}

func migrateStatus(ctx context.Context, lookup func(string) (string, bool), asJSON bool, stdout, stderr io.Writer) int {
	conn, files, password, code := migrationSource(ctx, lookup, stderr)
	if conn == nil {
		return code
	}
	defer conn.Close(context.WithoutCancel(ctx))
	st, err := migrations.ReadStatus(ctx, conn, files)
	if err != nil {
		fmt.Fprintf(stderr, "reference-backend: %s\n", app.Redact(err.Error(), password, ""))
		return exitFailed
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(st)
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, e := range st.Migrations {
			if e.AppliedAt != nil {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", e.State, e.File, e.AppliedAt.Format("2006-01-02T15:04:05Z"))
			} else {
				fmt.Fprintf(tw, "%s\t%s\n", e.State, e.File)
			}
		}
		_ = tw.Flush()
		fmt.Fprintln(stdout, st.Summary())
	}
	if st.Modified > 0 {
		return exitFailed
	}
	return exitOK
}

func migrateUp(ctx context.Context, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	conn, files, password, code := migrationSource(ctx, lookup, stderr)
	if conn == nil {
		return code
	}
	defer conn.Close(context.WithoutCancel(ctx))
	applied, err := migrations.Up(ctx, conn, files, func(m migrations.Migration) {
		fmt.Fprintf(stdout, "applied %s\n", m.File)
	})
	if err != nil {
		fmt.Fprintf(stderr, "reference-backend: migrate up: %s\n", app.Redact(err.Error(), password, ""))
		return exitFailed
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "nothing to apply")
	}
	st, err := migrations.ReadStatus(ctx, conn, files)
	if err != nil {
		fmt.Fprintf(stderr, "reference-backend: %s\n", app.Redact(err.Error(), password, ""))
		return exitFailed
	}
	fmt.Fprintln(stdout, st.Summary())
	return exitOK
}
