package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/backend/app"
	"github.com/prodproof/prodproof/backend/cli"
	"github.com/prodproof/prodproof/backend/config"
	"github.com/prodproof/prodproof/internal/clispec"
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
	if clispec.WantsHelp(args) {
		writeUsage(stdout, tool)
		return exitOK
	}
	cmd, fs, err := tool.Parse(args, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "reference-backend: %v\n", err)
		fmt.Fprintln(stderr, "run 'reference-backend --help' for the commands, environment variables and exit statuses")
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

// writeUsage is --help: the commands, the environment and the exit
// statuses, from the same definitions the binary runs with.
func writeUsage(w io.Writer, tool clispec.Tool) {
	fmt.Fprintln(w, "reference-backend: the Postgres job service (HTTP API and supervised worker).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	tool.WriteCommands(w)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Environment (read by serve; migrate reads only DATABASE_URL and MIGRATIONS_DIR):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range config.Variables {
		need := "optional"
		if v.Required {
			need = "required"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Name, need, v.Meaning)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Exit status:")
	fmt.Fprintf(w, "  %d  success (serve: stopped cleanly on SIGINT or SIGTERM)\n", exitOK)
	fmt.Fprintf(w, "  %d  failure: the database refused, the schema is not current or was modified, the server failed\n", exitFailed)
	fmt.Fprintf(w, "  %d  bad usage or bad configuration: nothing was started\n", exitUsage)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "More: docs/reference-backend.md")
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
	// One line with every setting as it takes effect, defaults included:
	// what an operator (and the start-up proof) compares with the docs.
	// After New, so a start that fails still prints its one line alone.
	logger.Info("configuration", cfg.Effective()...)
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
