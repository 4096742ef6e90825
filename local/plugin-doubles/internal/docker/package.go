package docker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"logto-entra-sso/plugin-doubles/internal/provider"
)

// Version is the pulumi-docker release this double models (package-lock.json's @pulumi/docker).
const Version = "5.2.0"

const (
	kindAdd    = pulumirpc.PropertyDiff_ADD
	kindDelete = pulumirpc.PropertyDiff_DELETE
	kindUpdate = pulumirpc.PropertyDiff_UPDATE
)

// The provider settings of pulumi-docker's schema (config.variables). The double uses `host`; TLS, ssh and
// registry settings are accepted only when empty, since it cannot honour them.
var configKeys = map[string]bool{
	"host": true, "caMaterial": false, "certMaterial": false, "certPath": false, "keyMaterial": false,
	"context": false, "disableDockerDaemonCheck": true, "registryAuth": false, "sshOpts": false,
}

// Docker is the configured provider: the engine it talks to, connected on first use.
type Docker struct {
	host *provider.Host

	mu         sync.Mutex
	configured string
	connected  *Engine
}

func Package(host *provider.Host) provider.Package {
	d := &Docker{host: host}
	return provider.Package{
		Name:        "docker",
		Version:     Version,
		CheckConfig: checkConfig,
		Configure:   d.configure,
		Resources: map[string]provider.Resource{
			ImageToken:     &Image{docker: d},
			ContainerToken: &Container{docker: d},
			VolumeToken:    &Volume{docker: d},
		},
	}
}

func checkConfig(_ context.Context, news resource.PropertyMap) (resource.PropertyMap, []provider.CheckFailure, error) {
	var failures []provider.CheckFailure
	for _, key := range provider.Keys(news) {
		supported, known := configKeys[key]
		if key == "version" || strings.HasPrefix(key, "__") {
			continue
		}
		switch {
		case !known:
			failures = append(failures, provider.CheckFailure{Property: key,
				Reason: fmt.Sprintf("could not validate provider configuration: Invalid or unknown key %q", key)})
		case !supported && provider.Set(news, key):
			failures = append(failures, provider.CheckFailure{Property: key,
				Reason: fmt.Sprintf("docker:%s is not implemented by the docker plugin double; run with the real "+
					"pulumi-resource-docker plugin", key)})
		}
	}
	return news, failures, nil
}

// configure connects to the engine now, as the real provider's Configure does (configureDockerClient with
// verify): a preview of docker resources needs a reachable engine with the real provider too.
func (d *Docker) configure(ctx context.Context, config resource.PropertyMap, _ *provider.Host) error {
	host, err := provider.String(config, "host")
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.configured = hostFromConfig(host)
	d.connected = nil
	d.mu.Unlock()
	if skip, _ := provider.Bool(config, "disableDockerDaemonCheck", false); skip {
		return nil
	}
	_, err = d.engine(ctx)
	return err
}

func (d *Docker) engine(ctx context.Context) (*Engine, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.connected != nil {
		return d.connected, nil
	}
	host := d.configured
	if host == "" {
		host = hostFromConfig("")
	}
	e, err := NewEngine(host)
	if err != nil {
		return nil, err
	}
	if err := e.Ping(ctx); err != nil {
		return nil, fmt.Errorf("failed to connect to any docker daemon: %v", err)
	}
	d.connected = e
	return e, nil
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
