package pgprovision

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"
)

const (
	// dockerPingTimeout is how long we wait for a daemon to answer before
	// deciding there is none.
	dockerPingTimeout = 2 * time.Second
	// dockerImageRepository and dockerImageTag name the server image.
	dockerImageRepository = "postgres"
	dockerImageTag        = "15"
	// dockerReadyTimeout bounds waiting for the container's server to
	// accept connections.
	dockerReadyTimeout = 90 * time.Second
	// dockerPurgeTimeout bounds removing the container on Close.
	dockerPurgeTimeout = 30 * time.Second
)

// newDockerPool connects to the daemon named by DOCKER_HOST (or the default
// socket) and checks within timeout that it answers.
func newDockerPool(ctx context.Context, timeout time.Duration) (*dockertest.Pool, error) {
	pool, err := dockertest.NewPool("")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoDaemon, err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := pool.Client.PingWithContext(ctx); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoDaemon, err)
	}
	return pool, nil
}

// pingDocker reports whether a daemon answers within timeout (nil if so).
func pingDocker(ctx context.Context, timeout time.Duration) error {
	_, err := newDockerPool(ctx, timeout)
	return err
}

// provisionDocker runs postgres:15 in a container whose port is published
// on 127.0.0.1 only and which Docker removes when it stops.
func provisionDocker(ctx context.Context, opts Options) (srv *Server, err error) {
	pool, err := newDockerPool(ctx, dockerPingTimeout)
	if err != nil {
		return nil, err
	}
	password, err := randomPassword()
	if err != nil {
		return nil, err
	}
	cmd := []string{"postgres"}
	for _, kv := range serverSettings(opts.Settings) {
		cmd = append(cmd, "-c", kv[0]+"="+kv[1])
	}
	// A unique name lets the reaper and the error path remove the container
	// even before (or without) RunWithOptions returning its ID.
	suffix := make([]byte, 8)
	if _, err := rand.Read(suffix); err != nil {
		return nil, fmt.Errorf("container name: %w", err)
	}
	name := "prodproof-pg-" + hex.EncodeToString(suffix)
	// The container outlives this process unless someone removes it; the
	// reaper does if we die before Close, even in the middle of the start.
	var guard *reaper
	if cli, lookErr := exec.LookPath("docker"); lookErr == nil {
		var reaperErr error
		if guard, reaperErr = startReaper(dockerReaperScript, cli, name); reaperErr != nil {
			opts.logf("docker postgres: no reaper (%v); if this process is killed, remove container %s by hand", reaperErr, name)
		}
	} else {
		opts.logf("docker postgres: no docker CLI for a reaper; if this process is killed, remove container %s by hand", name)
	}
	releaseGuard := func(runCleanup bool) error {
		if guard == nil {
			return nil
		}
		return guard.release(runCleanup, reaperReleaseTimeout)
	}
	opts.logf("starting docker postgres %s:%s as container %s", dockerImageRepository, dockerImageTag, name)
	resource, err := pool.RunWithOptions(&dockertest.RunOptions{
		Name:       name,
		Repository: dockerImageRepository,
		Tag:        dockerImageTag,
		Env:        []string{"POSTGRES_PASSWORD=" + password, "POSTGRES_USER=postgres", "POSTGRES_DB=postgres"},
		Cmd:        cmd,
		Labels:     map[string]string{"org.prodproof.throwaway": "true"},
		PortBindings: map[dc.Port][]dc.PortBinding{
			"5432/tcp": {{HostIP: "127.0.0.1", HostPort: "0"}},
		},
	}, func(hc *dc.HostConfig) {
		hc.PublishAllPorts = false // loopback only: only our binding
		hc.AutoRemove = true
		hc.RestartPolicy = dc.RestartPolicy{Name: "no"}
	})
	if err != nil {
		// It may have got as far as creating the container.
		runErr := fmt.Errorf("docker postgres: run %s:%s: %s", dockerImageRepository, dockerImageTag, Redact(err.Error(), password))
		rmErr := pool.RemoveContainerByName(name)
		return nil, errors.Join(runErr, releaseGuard(rmErr != nil))
	}
	purge := func() error {
		done := make(chan error, 1)
		go func() { done <- pool.Purge(resource) }()
		var purgeErr error
		select {
		case err := <-done:
			if err != nil {
				purgeErr = fmt.Errorf("remove docker postgres container: %w", err)
			}
		case <-time.After(dockerPurgeTimeout):
			purgeErr = fmt.Errorf("remove docker postgres container: no answer within %s", dockerPurgeTimeout)
		}
		return errors.Join(purgeErr, releaseGuard(purgeErr != nil))
	}
	defer func() {
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
				err = fmt.Errorf("%w: %s", ctxErr, err.Error())
			}
			if purgeErr := purge(); purgeErr != nil {
				err = errors.Join(err, purgeErr)
			}
		}
	}()
	// RunWithOptions takes no context; honour a cancellation that came in
	// while it ran.
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("docker postgres: %w", err)
	}
	port, err := strconv.Atoi(resource.GetPort("5432/tcp"))
	if err != nil {
		return nil, fmt.Errorf("docker postgres: container publishes no port for 5432/tcp")
	}
	url := superuserURL(password, "127.0.0.1", port)
	opts.logf("waiting for docker postgres on 127.0.0.1:%d", port)

	pool.MaxWait = dockerReadyTimeout
	var version string
	err = pool.Retry(func() error {
		if err := ctx.Err(); err != nil {
			return backoff.Permanent(err)
		}
		attemptCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		v, err := serverVersion(attemptCtx, url, password)
		if err != nil {
			return err
		}
		version = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("docker postgres: not ready on 127.0.0.1:%d: %s", port, Redact(err.Error(), url, password))
	}
	opts.logf("docker postgres %s ready on 127.0.0.1:%d", version, port)
	return &Server{
		URL:      url,
		Source:   SourceDocker,
		Version:  version,
		Password: password,
		Owned:    true,
		stop:     purge,
	}, nil
}
