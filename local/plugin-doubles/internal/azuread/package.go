package azuread

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"logto-entra-sso/plugin-doubles/internal/provider"
	"logto-entra-sso/plugin-doubles/internal/tfschema"
)

// azuread is the configured provider, shared by its resources and functions.
type azuread struct {
	mu    sync.Mutex
	sess  *session
	locks locks
}

func (a *azuread) configure(ctx context.Context, config resource.PropertyMap, _ *provider.Host) error {
	s, err := configure(ctx, config)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.sess = s
	a.mu.Unlock()
	return nil
}

func (a *azuread) graph() (*graph, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sess == nil {
		return nil, errors.New("the azuread provider is not configured")
	}
	return &graph{s: a.sess}, nil
}

func Package(*provider.Host) provider.Package {
	a := &azuread{}
	return provider.Package{
		Name:        "azuread",
		Version:     Version,
		CheckConfig: checkConfig,
		Configure:   a.configure,
		Resources: map[string]provider.Resource{
			"azuread:index/applicationRegistration:ApplicationRegistration":                                   applicationRegistration(a),
			"azuread:index/applicationRedirectUris:ApplicationRedirectUris":                                   applicationRedirectUris(a),
			"azuread:index/applicationApiAccess:ApplicationApiAccess":                                         applicationAPIAccess(a),
			"azuread:index/applicationPassword:ApplicationPassword":                                           applicationPassword(a),
			"azuread:index/servicePrincipal:ServicePrincipal":                                                 servicePrincipal(a),
			"azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant": delegatedPermissionGrant(a),
		},
		Functions: map[string]provider.Function{
			"azuread:index/getApplicationPublishedAppIds:getApplicationPublishedAppIds": a.publishedAppIDs,
			"azuread:index/getServicePrincipal:getServicePrincipal":                     a.getServicePrincipal,
			"azuread:index/getClientConfig:getClientConfig":                             a.clientConfig,
		},
	}
}

// timeouts are the resource's Terraform timeouts; they bound the consistency waits and the retries.
type timeouts struct{ create, read, update, delete time.Duration }

// bridged is a Terraform-bridged resource: the schema gives Check, Diff and the preview plans; the
// operations talk to Graph. read answers gone=true when the object no longer exists.
type bridged struct {
	token    string
	schema   tfschema.Schema
	a        *azuread
	timeouts timeouts
	validate func(inputs resource.PropertyMap) []provider.CheckFailure
	// create answers the new object's id and what only the creation knows (a new secret, say).
	create func(ctx context.Context, g *graph, inputs resource.PropertyMap) (id string, created resource.PropertyMap, err error)
	read   func(ctx context.Context, g *graph, id string, planned resource.PropertyMap) (state resource.PropertyMap, gone bool, err error)
	update func(ctx context.Context, g *graph, id string, state, inputs resource.PropertyMap, changed map[string]bool) error
	delete func(ctx context.Context, g *graph, id string, state resource.PropertyMap) error
}

func (b *bridged) Check(_ context.Context, req provider.CheckRequest) (provider.CheckResponse, error) {
	inputs, failures := b.schema.Check(b.token, req.News)
	if b.validate != nil {
		failures = append(failures, b.validate(inputs)...)
	}
	return provider.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

func (b *bridged) Diff(_ context.Context, req provider.DiffRequest) (provider.DiffResponse, error) {
	return b.schema.Diff(req.OldOutputs, req.News), nil
}

func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || d == 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// planned is what a Terraform state keeps of the configuration before Read fills in the rest.
func planned(inputs resource.PropertyMap) resource.PropertyMap {
	out := inputs.Copy()
	delete(out, "__defaults")
	return out
}

func (b *bridged) Create(ctx context.Context, req provider.CreateRequest) (provider.CreateResponse, error) {
	if req.Preview {
		return provider.CreateResponse{Properties: b.schema.Outputs("", b.schema.PlannedCreate(req.Properties))}, nil
	}
	ctx, cancel := withTimeout(ctx, b.timeouts.create)
	defer cancel()
	g, err := b.a.graph()
	if err != nil {
		return provider.CreateResponse{}, err
	}
	id, created, err := b.create(ctx, g, req.Properties)
	if err != nil {
		if id != "" {
			return provider.CreateResponse{}, &provider.InitError{ID: id, Properties: b.schema.Outputs(id, planned(req.Properties)), Reason: err}
		}
		return provider.CreateResponse{}, err
	}
	known := planned(req.Properties)
	for k, v := range created {
		known[k] = v
	}
	state, gone, err := b.read(ctx, g, id, known)
	if err == nil && gone {
		err = errors.New("Provider produced inconsistent result after apply: the object just created could not be " +
			"read back (Graph answered 404); it is kept in the state so that the next run reads it again")
	}
	if err != nil {
		return provider.CreateResponse{}, &provider.InitError{ID: id, Properties: b.schema.Outputs(id, known), Reason: err}
	}
	return provider.CreateResponse{ID: id, Properties: b.schema.Outputs(id, state)}, nil
}

func (b *bridged) Read(ctx context.Context, req provider.ReadRequest) (provider.ReadResponse, error) {
	ctx, cancel := withTimeout(ctx, b.timeouts.read)
	defer cancel()
	g, err := b.a.graph()
	if err != nil {
		return provider.ReadResponse{}, err
	}
	state, gone, err := b.read(ctx, g, req.ID, b.schema.Planned(req.Properties, req.Inputs))
	if err != nil || gone {
		return provider.ReadResponse{}, err
	}
	return provider.ReadResponse{ID: req.ID, Properties: b.schema.Outputs(req.ID, state), Inputs: req.Inputs}, nil
}

func (b *bridged) Update(ctx context.Context, req provider.UpdateRequest) (provider.UpdateResponse, error) {
	next := b.schema.Planned(req.OldOutputs, req.News)
	if req.Preview {
		return provider.UpdateResponse{Properties: b.schema.Outputs(req.ID, next)}, nil
	}
	if b.update == nil {
		return provider.UpdateResponse{}, errors.New(b.token + " has no update: every change replaces it")
	}
	ctx, cancel := withTimeout(ctx, b.timeouts.update)
	defer cancel()
	g, err := b.a.graph()
	if err != nil {
		return provider.UpdateResponse{}, err
	}
	changed := map[string]bool{}
	for key := range b.schema.Diff(req.OldOutputs, req.News).DetailedDiff {
		changed[key] = true
	}
	if err := b.update(ctx, g, req.ID, req.OldOutputs, next, changed); err != nil {
		return provider.UpdateResponse{}, err
	}
	state, gone, err := b.read(ctx, g, req.ID, next)
	if err == nil && gone {
		err = errors.New("the object disappeared during the update")
	}
	if err != nil {
		return provider.UpdateResponse{}, &provider.InitError{ID: req.ID, Properties: b.schema.Outputs(req.ID, next), Reason: err}
	}
	return provider.UpdateResponse{Properties: b.schema.Outputs(req.ID, state)}, nil
}

func (b *bridged) Delete(ctx context.Context, req provider.DeleteRequest) error {
	ctx, cancel := withTimeout(ctx, b.timeouts.delete)
	defer cancel()
	g, err := b.a.graph()
	if err != nil {
		return err
	}
	return b.delete(ctx, g, req.ID, req.Properties)
}

// set puts Go values into a state under their Pulumi names.
func set(state resource.PropertyMap, values map[string]any) resource.PropertyMap {
	for k, v := range values {
		state[resource.PropertyKey(k)] = resource.NewPropertyValue(v)
	}
	return state
}
