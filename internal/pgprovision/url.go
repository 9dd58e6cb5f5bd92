package pgprovision

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// urlConnectTimeout bounds the first ping of a url server, so a wrong host
// fails in seconds rather than at the OS's TCP timeout.
const urlConnectTimeout = 15 * time.Second

// provisionURL checks that opts.URL names a reachable server. It creates
// nothing, so the Server is not Owned and Close does nothing.
func provisionURL(ctx context.Context, opts Options) (*Server, error) {
	if opts.URL == "" {
		return nil, errors.New("database source url: DATABASE_URL is empty")
	}
	cfg, err := pgx.ParseConfig(opts.URL)
	if err != nil {
		// pgx's parse errors quote the input; never pass them on.
		return nil, errors.New("database source url: DATABASE_URL is not a valid PostgreSQL connection string (value not shown: it may contain a password)")
	}
	ctx, cancel := context.WithTimeout(ctx, urlConnectTimeout)
	defer cancel()
	version, err := serverVersion(ctx, opts.URL, cfg.Password)
	if err != nil {
		return nil, fmt.Errorf("database source url: %w", err)
	}
	opts.logf("using postgres %s from DATABASE_URL (host %s:%d)", version, cfg.Host, cfg.Port)
	return &Server{
		URL:      opts.URL,
		Source:   SourceURL,
		Version:  version,
		Password: cfg.Password,
		Owned:    false,
	}, nil
}
