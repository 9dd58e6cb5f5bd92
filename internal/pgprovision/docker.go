package pgprovision

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/ory/dockertest/v3"
	dc "github.com/ory/dockertest/v3/docker"

	"github.com/prodproof/prodproof/internal/await"
	"github.com/prodproof/prodproof/internal/redact"
)

// DefaultDockerImage is the image the docker source runs unless
// Options.DockerImage names another.
const DefaultDockerImage = "postgres:15"

// DockerImageEnv is the environment variable through which a user picks
// another image than DefaultDockerImage (a registry mirror's copy, or one
// built locally). The proofs runner reads it when --docker-image is not
// given, and so do this package's docker tests.
const DockerImageEnv = "PRODPROOF_DOCKER_IMAGE"

const (
	// dockerPingTimeout is how long we wait for a daemon to answer before
	// deciding there is none.
	dockerPingTimeout = 2 * time.Second
	// dockerPullInactivity bounds a pull that stops making progress (a
	// registry that accepts the connection and then says nothing).
	dockerPullInactivity = 2 * time.Minute
	// dockerReadyTimeout bounds waiting for the container's server to
	// accept connections.
	dockerReadyTimeout = 90 * time.Second
	// dockerPurgeTimeout bounds removing the container on Close.
	dockerPurgeTimeout = 30 * time.Second
)

// ImagePullError means the daemon answered but the image is not on it and
// could not be pulled: no registry, a typo, or a registry that wants a
// mirror. Provision with SourceAuto falls back to local on it.
type ImagePullError struct {
	Image string // as given, e.g. "postgres:15"
	Err   error  // the daemon's answer
}

func (e *ImagePullError) Error() string {
	return fmt.Sprintf("docker postgres: image %s is not on the Docker daemon and pulling it failed (%v); "+
		"pick another image with --docker-image or %s (a registry mirror's copy, or one built locally), or use --db local",
		e.Image, e.Err, DockerImageEnv)
}

func (e *ImagePullError) Unwrap() error { return e.Err }

// imageRepository and imageTag are what a docker image reference may look
// like (a subset of Docker's grammar: no digests).
var (
	imageRepository = regexp.MustCompile(`^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?/)?` +
		`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)
	imageTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
)

// ParseDockerImage splits an image reference NAME[:TAG] into repository and
// tag ("latest" when none is given). NAME may start with a registry host
// and port (mirror.example.com:5000/library/postgres). Digests (@sha256:...)
// are refused: dockertest names images by tag only.
func ParseDockerImage(ref string) (repository, tag string, err error) {
	if strings.Contains(ref, "@") {
		return "", "", fmt.Errorf("docker image %q: digests are not supported, name the image by tag (NAME:TAG)", ref)
	}
	repository, tag = ref, "latest"
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repository, tag = ref[:i], ref[i+1:]
	}
	if !imageRepository.MatchString(repository) || !imageTag.MatchString(tag) {
		return "", "", fmt.Errorf("docker image %q is not an image reference: want NAME[:TAG], e.g. %s or mirror.example.com/library/%s", ref, DefaultDockerImage, DefaultDockerImage)
	}
	return repository, tag, nil
}

// ensureImage pulls repository:tag unless the daemon has it already. Doing
// this before dockertest's RunWithOptions (which would pull too) lets a
// pull failure be told apart from a failed start, and honours ctx.
func ensureImage(ctx context.Context, pool *dockertest.Pool, image, repository, tag string, opts Options) error {
	_, err := pool.Client.InspectImage(repository + ":" + tag)
	if err == nil {
		return nil
	}
	if !errors.Is(err, dc.ErrNoSuchImage) {
		return fmt.Errorf("docker postgres: inspect image %s: %w", image, err)
	}
	opts.logf("docker postgres: image %s is not on the daemon, pulling it", image)
	var auth dc.AuthConfiguration
	if host, _, found := strings.Cut(repository, "/"); found && strings.ContainsAny(host, ".:") {
		// A registry of its own may want the user's credential helper.
		if res, err := dc.NewAuthConfigurationsFromCredsHelpers(host); err == nil {
			auth = *res
		}
	}
	err = pool.Client.PullImage(dc.PullImageOptions{
		Repository:        repository,
		Tag:               tag,
		InactivityTimeout: dockerPullInactivity,
		Context:           ctx,
	}, auth)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("docker postgres: pull %s: %w", image, ctxErr)
		}
		return &ImagePullError{Image: image, Err: err}
	}
	return nil
}

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

// provisionDocker runs opts.DockerImage (default postgres:15) in a
// container whose port is published on 127.0.0.1 only and which Docker
// removes when it stops.
func provisionDocker(ctx context.Context, opts Options) (srv *Server, err error) {
	image := cmp.Or(opts.DockerImage, DefaultDockerImage)
	repository, tag, err := ParseDockerImage(image)
	if err != nil {
		return nil, err
	}
	pool, err := newDockerPool(ctx, dockerPingTimeout)
	if err != nil {
		return nil, err
	}
	if err := ensureImage(ctx, pool, image, repository, tag, opts); err != nil {
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
	opts.logf("starting docker postgres %s as container %s", image, name)
	resource, err := pool.RunWithOptions(&dockertest.RunOptions{
		Name:       name,
		Repository: repository,
		Tag:        tag,
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
		runErr := fmt.Errorf("docker postgres: run %s: %s", image, redact.Text(err.Error(), password))
		rmErr := pool.RemoveContainerByName(name)
		return nil, errors.Join(runErr, releaseGuard(rmErr != nil))
	}
	purge := func() error {
		done := make(chan error, 1)
		go func() { done <- removeContainer(pool, resource.Container.ID) }()
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
			// A server that died (a bad setting, an image that is not
			// postgres) will never answer: say so now, not in 90 s.
			if exitErr := containerExited(pool, resource.Container.ID); exitErr != nil {
				return backoff.Permanent(fmt.Errorf("%w (last connection attempt: %v)", exitErr, err))
			}
			return err
		}
		version = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("docker postgres: %s not ready on 127.0.0.1:%d: %s", image, port, redact.Text(err.Error(), url, password))
	}
	opts.logf("docker postgres %s ready on 127.0.0.1:%d", version, port)
	return &Server{
		URL:       url,
		Source:    SourceDocker,
		Version:   version,
		Password:  password,
		Owned:     true,
		stop:      purge,
		container: resource.Container.ID,
	}, nil
}

// removeContainer removes container id and its anonymous volumes. One that
// is already gone counts as removed: with AutoRemove the daemon removes an
// exited container itself, and may be doing so as we ask.
func removeContainer(pool *dockertest.Pool, id string) error {
	err := pool.Client.RemoveContainer(dc.RemoveContainerOptions{ID: id, Force: true, RemoveVolumes: true})
	if err == nil {
		return nil
	}
	var gone *dc.NoSuchContainer
	if errors.As(err, &gone) {
		return nil
	}
	// 409 "removal already in progress": wait for the daemon to finish it.
	var apiErr *dc.Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict {
		return err
	}
	waitErr := await.Poll(context.Background(), dockerPurgeTimeout, 100*time.Millisecond, "container "+id+" removed", func() (bool, string, error) {
		_, inspectErr := pool.Client.InspectContainer(id)
		return errors.As(inspectErr, &gone), fmt.Sprintf("inspect: %v", inspectErr), nil
	})
	if waitErr != nil {
		return fmt.Errorf("%w (%v)", err, waitErr)
	}
	return nil
}

// containerExited returns an error when container id no longer runs (with
// AutoRemove, an exited container is soon gone altogether), nil while it
// runs or when the daemon cannot tell.
func containerExited(pool *dockertest.Pool, id string) error {
	c, err := pool.Client.InspectContainer(id)
	var gone *dc.NoSuchContainer
	switch {
	case errors.As(err, &gone):
		return errors.New("the container exited before accepting connections (run the image by hand to see its log)")
	case err != nil:
		return nil
	case !c.State.Running:
		return fmt.Errorf("the container exited with status %d before accepting connections (run the image by hand to see its log)", c.State.ExitCode)
	}
	return nil
}
