// Command toyservice is the service the prove-your-own-backend page
// proves: on start it records a boot row in Postgres, then serves
// GET /health as {"status":"ok","boots":N}. DATABASE_URL and PORT come
// from the environment; TOY_SKIP_BOOT=1 breaks it on purpose.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "toyservice: bad DATABASE_URL")
		os.Exit(2)
	}
	record := `CREATE TABLE IF NOT EXISTS boots (at timestamptz NOT NULL DEFAULT now()); INSERT INTO boots DEFAULT VALUES`
	if os.Getenv("TOY_SKIP_BOOT") == "1" {
		// The sabotage of the docs test: the boot is not recorded.
		record = `CREATE TABLE IF NOT EXISTS boots (at timestamptz NOT NULL DEFAULT now())`
	}
	if _, err := pool.Exec(ctx, record); err != nil {
		fmt.Fprintln(os.Stderr, "toyservice: record boot:", err)
		os.Exit(1)
	}
	http.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		var n int
		if err := pool.QueryRow(r.Context(), `SELECT count(*) FROM boots`).Scan(&n); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			json.NewEncoder(w).Encode(map[string]string{"status": "error"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"status": "ok", "boots": n})
	})
	fmt.Println("listening")
	if err := http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil); err != nil {
		fmt.Fprintln(os.Stderr, "toyservice:", err)
		os.Exit(1)
	}
}
