package prove_test

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/prodproof/prodproof/prove"
)

// A proof that runs a command to completion and checks its output. Run
// provisions a throwaway Postgres, gives the proof a database of its own
// and writes the report.
func ExampleRun() {
	reportDir, _ := os.MkdirTemp("", "prove-example-")
	defer os.RemoveAll(reportDir)
	echo := prove.Proof{
		Name:  "echo_repeats_its_argument",
		Claim: "echo prints its argument and exits 0.",
		Run: func(t *prove.T) {
			res := t.Run("echo", prove.Command{Path: "/bin/echo", Args: []string{"hello"}}, 10*time.Second)
			prove.Equal(t, "exit status", 0, res.ExitCode)
			prove.Equal(t, "output", "hello\n", res.Stdout)
		},
	}
	res, err := prove.Run(context.Background(), prove.Params{
		Proofs: []prove.Proof{echo}, Database: "local", ReportDir: reportDir,
	})
	fmt.Println(res.Verdict, res.Passed, res.ExitCode(), err)
	// Output: pass 1 0 <nil>
}

// A proof that freezes, resumes and crashes a long-running process, as a
// proof of a real service would, and reads its database.
func ExampleT_Start() {
	reportDir, _ := os.MkdirTemp("", "prove-example-")
	defer os.RemoveAll(reportDir)
	signals := prove.Proof{
		Name:  "a_killed_process_is_gone",
		Claim: "A frozen process resumes on SIGCONT, and SIGKILL ends it.",
		Run: func(t *prove.T) {
			p := t.Start(prove.Command{Name: "sleeper", Path: "/bin/sleep", Args: []string{"60"}})
			p.Stop()
			p.Cont()
			t.Step("crash it")
			p.Kill()
			exited, code := p.Exited()
			t.Check("SIGKILL ended it", "exited, status -1", fmt.Sprintf("exited=%t status %d", exited, code), exited && code == -1)
			var one int
			if err := t.DB().QueryRow(t.Context(), `SELECT 1`).Scan(&one); err != nil {
				t.Fatal("query: %v", err)
			}
			prove.Equal(t, "the proof's database answers", 1, one)
			prove.Equal(t, "a signal to an exited process", prove.ErrExited, p.Signal(syscall.SIGTERM))
		},
	}
	res, err := prove.Run(context.Background(), prove.Params{
		Proofs: []prove.Proof{signals}, Database: "local", ReportDir: reportDir,
	})
	fmt.Println(res.Verdict, err)
	// Output: pass <nil>
}
