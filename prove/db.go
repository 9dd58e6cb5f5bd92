package prove

import "github.com/jackc/pgx/v5/pgxpool"

// DB is a small pool on the proof's database, opened on first use and
// closed when the proof ends. A proof reads rows directly, never through
// the system under test. Failing to connect ends the proof with verdict
// error.
func (t *T) DB() *pgxpool.Pool {
	t.mu.Lock()
	pool := t.db
	t.mu.Unlock()
	if pool != nil {
		return pool
	}
	cfg, err := pgxpool.ParseConfig(t.DatabaseURL)
	if err != nil {
		t.Fatal("parse the proof's database URL: malformed (value not shown)")
	}
	cfg.MaxConns = 4
	pool, err = pgxpool.NewWithConfig(t.ctx, cfg)
	if err != nil {
		t.Fatal("open the proof's database: %s", t.red.Redact(err.Error()))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.db != nil {
		pool.Close()
		return t.db
	}
	t.db = pool
	return pool
}
