package docker

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"logto-entra-sso/plugin-doubles/internal/provider"
	"logto-entra-sso/plugin-doubles/internal/tfschema"
)

const VolumeToken = "docker:index/volume:Volume"

// volumeResourceSchema is resource_docker_volume.go of terraform-provider-docker v4.5.0 under pulumi-docker's names.
// The swarm `cluster` block and labels are not modelled: a value for them is a Check failure.
var volumeResourceSchema = tfschema.Schema{
	"name":       {Kind: tfschema.String, Optional: true, Computed: true, ForceNew: true},
	"driver":     {Kind: tfschema.String, Optional: true, Computed: true, ForceNew: true},
	"driverOpts": {Kind: tfschema.Map, Optional: true, ForceNew: true},
	"mountpoint": {Kind: tfschema.String, Computed: true},
	"labels":     {Kind: tfschema.Object, Optional: true, ForceNew: true, Unsupported: true},
	"cluster":    {Kind: tfschema.Object, Optional: true, Unsupported: true},
}

// The wait of resourceDockerVolumeDelete while the engine answers "volume is in use" (retry.StateChangeConf
// with Delay 2 s, MinTimeout 5 s, Timeout 30 s).
var volumeRemoveWait = struct{ delay, interval, timeout time.Duration }{2 * time.Second, 5 * time.Second, 30 * time.Second}

type Volume struct {
	docker *Docker
}

func (r *Volume) Check(_ context.Context, req provider.CheckRequest) (provider.CheckResponse, error) {
	inputs, failures := volumeResourceSchema.Check(VolumeToken, req.News)
	return provider.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

func (r *Volume) Diff(_ context.Context, req provider.DiffRequest) (provider.DiffResponse, error) {
	return volumeResourceSchema.Diff(req.OldOutputs, req.News), nil
}

// volumeInspect is the part of GET /volumes/{name} the state is read from.
type volumeInspect struct {
	Name       string            `json:"Name"`
	Driver     string            `json:"Driver"`
	Mountpoint string            `json:"Mountpoint"`
	Options    map[string]string `json:"Options"`
}

// Create is resourceDockerVolumeCreate: POST /volumes/create with the name, driver and options given (the
// engine names and defaults the rest); the id is the volume's name; then Read.
func (r *Volume) Create(ctx context.Context, req provider.CreateRequest) (provider.CreateResponse, error) {
	if req.Preview {
		return provider.CreateResponse{Properties: volumeResourceSchema.PlannedCreate(req.Properties)}, nil
	}
	engine, err := r.docker.engine(ctx)
	if err != nil {
		return provider.CreateResponse{}, fmt.Errorf("failed to create Docker client: %w", err)
	}
	body := map[string]any{}
	if name, _ := provider.String(req.Properties, "name"); name != "" {
		body["Name"] = name
	}
	if driver, _ := provider.String(req.Properties, "driver"); driver != "" {
		body["Driver"] = driver
	}
	if opts, _ := provider.StringMap(req.Properties, "driverOpts"); len(opts) > 0 {
		body["DriverOpts"] = opts
	}
	var created volumeInspect
	if err := engine.call(ctx, "POST", "/volumes/create", nil, body, &created); err != nil {
		return provider.CreateResponse{}, err
	}
	state, gone, err := r.read(ctx, engine, created.Name, req.Properties)
	if err != nil || gone {
		if err == nil {
			err = fmt.Errorf("volume %s disappeared right after it was created", created.Name)
		}
		return provider.CreateResponse{}, &provider.InitError{ID: created.Name, Properties: req.Properties, Reason: err}
	}
	return provider.CreateResponse{ID: created.Name, Properties: state}, nil
}

// read is resourceDockerVolumeRead: gone when the engine does not know the name; otherwise name, driver,
// driver options and mountpoint as the engine reports them.
func (r *Volume) read(ctx context.Context, engine *Engine, id string, planned resource.PropertyMap) (resource.PropertyMap, bool, error) {
	var v volumeInspect
	if err := engine.call(ctx, "GET", "/volumes/"+url.PathEscape(id), nil, nil, &v); err != nil {
		if IsNotFound(err) {
			return nil, true, nil
		}
		return nil, false, fmt.Errorf("Unable to inspect volume: %s", err)
	}
	state := planned.Copy()
	delete(state, "__defaults")
	state["name"] = resource.NewProperty(v.Name)
	state["driver"] = resource.NewProperty(v.Driver)
	state["mountpoint"] = resource.NewProperty(v.Mountpoint)
	state["driverOpts"] = provider.StringMapValue(v.Options)
	return volumeResourceSchema.Outputs(id, state), false, nil
}

func (r *Volume) Read(ctx context.Context, req provider.ReadRequest) (provider.ReadResponse, error) {
	engine, err := r.docker.engine(ctx)
	if err != nil {
		return provider.ReadResponse{}, fmt.Errorf("failed to create Docker client: %w", err)
	}
	planned := req.Properties
	if len(req.Inputs) > 0 {
		planned = volumeResourceSchema.Planned(req.Properties, req.Inputs)
	}
	state, gone, err := r.read(ctx, engine, req.ID, planned)
	if err != nil || gone {
		return provider.ReadResponse{}, err
	}
	return provider.ReadResponse{ID: req.ID, Properties: state, Inputs: req.Inputs}, nil
}

// Update: every modelled field is ForceNew (upstream updates only the swarm cluster's availability).
func (r *Volume) Update(_ context.Context, req provider.UpdateRequest) (provider.UpdateResponse, error) {
	return provider.UpdateResponse{Properties: volumeResourceSchema.Planned(req.OldOutputs, req.News)}, nil
}

// Delete is resourceDockerVolumeDelete: DELETE /volumes/{name}?force=1, again while the engine answers that the
// volume is in use (a container removed a moment ago), until it is removed or 30 s have passed.
func (r *Volume) Delete(ctx context.Context, req provider.DeleteRequest) error {
	engine, err := r.docker.engine(ctx)
	if err != nil {
		return fmt.Errorf("failed to create Docker client: %w", err)
	}
	deadline := time.Now().Add(volumeRemoveWait.timeout)
	wait := volumeRemoveWait.delay
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		err := engine.call(ctx, "DELETE", "/volumes/"+url.PathEscape(req.ID), url.Values{"force": {"1"}}, nil, nil)
		if err == nil {
			return nil
		}
		if !strings.Contains(err.Error(), "volume is in use") {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timeout while waiting for state to become 'removed' (last state: 'in_use', timeout: %s)", volumeRemoveWait.timeout)
		}
		wait = volumeRemoveWait.interval
	}
}
