package pgprovision

import (
	"context"
	"errors"
	"fmt"
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
	opts.logf("starting docker postgres %s:%s", dockerImageRepository, dockerImageTag)
	resource, err := pool.RunWithOptions(&dockertest.RunOptions{
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
		return nil, fmt.Errorf("docker postgres: run %s:%s: %s", dockerImageRepository, dockerImageTag, Redact(err.Error(), password))
	}
	purge := func() error {
		done := make(chan error, 1)
		go func() { done <- pool.Purge(resource) }()
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("remove docker postgres container: %w", err)
			}
			return nil
		case <-time.After(dockerPurgeTimeout):
			return fmt.Errorf("remove docker postgres container: no answer within %s", dockerPurgeTimeout)
		}
	}
	defer func() {
		if err != nil {
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
