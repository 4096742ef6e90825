// Package provider is the gRPC plumbing every plugin double shares: the ResourceProviderServer the Pulumi
// engine talks to, property (un)marshalling with secrets and unknowns, dispatch of resource operations and
// invokes by type token, cancellation, and logging back to the engine. A double only supplies its Package.
package provider

import (
	"context"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Package is one provider plugin: its name and version (what GetPluginInfo announces), its configuration
// hooks, and the resources and functions it implements, keyed by type token (e.g. "command:local:Command").
type Package struct {
	Name    string
	Version string
	// CheckConfig validates provider inputs; nil passes them through.
	CheckConfig func(ctx context.Context, news resource.PropertyMap) (resource.PropertyMap, []CheckFailure, error)
	// Configure receives the provider's configuration (secrets kept as secrets) before any other operation.
	Configure func(ctx context.Context, config resource.PropertyMap, host *Host) error
	Resources map[string]Resource
	Functions map[string]Function
}

// Resource implements the lifecycle of one resource type.
type Resource interface {
	Check(ctx context.Context, req CheckRequest) (CheckResponse, error)
	Diff(ctx context.Context, req DiffRequest) (DiffResponse, error)
	Create(ctx context.Context, req CreateRequest) (CreateResponse, error)
	Read(ctx context.Context, req ReadRequest) (ReadResponse, error)
	Update(ctx context.Context, req UpdateRequest) (UpdateResponse, error)
	Delete(ctx context.Context, req DeleteRequest) error
}

// Function implements one invoke.
type Function func(ctx context.Context, args resource.PropertyMap) (resource.PropertyMap, error)

type CheckFailure struct {
	Property string
	Reason   string
}

type CheckRequest struct {
	URN        resource.URN
	Olds       resource.PropertyMap
	News       resource.PropertyMap
	RandomSeed []byte
}

type CheckResponse struct {
	Inputs   resource.PropertyMap
	Failures []CheckFailure
}

type DiffRequest struct {
	ID            string
	URN           resource.URN
	OldInputs     resource.PropertyMap
	OldOutputs    resource.PropertyMap
	News          resource.PropertyMap
	IgnoreChanges []string
}

// PropertyDiff is the change of one property; Kind is one of the pulumirpc.PropertyDiff kinds.
type PropertyDiff struct {
	Kind      pulumirpc.PropertyDiff_Kind
	InputDiff bool
}

type DiffResponse struct {
	Changes             bool
	Replaces            []string
	DeleteBeforeReplace bool
	DetailedDiff        map[string]PropertyDiff
}

type CreateRequest struct {
	URN        resource.URN
	Properties resource.PropertyMap
	Preview    bool
	Timeout    time.Duration
}

type CreateResponse struct {
	ID         string
	Properties resource.PropertyMap
}

type ReadRequest struct {
	ID         string
	URN        resource.URN
	Properties resource.PropertyMap
	Inputs     resource.PropertyMap
}

// ReadResponse with an empty ID tells the engine the resource is gone.
type ReadResponse struct {
	ID         string
	Properties resource.PropertyMap
	Inputs     resource.PropertyMap
}

type UpdateRequest struct {
	ID         string
	URN        resource.URN
	OldOutputs resource.PropertyMap
	OldInputs  resource.PropertyMap
	News       resource.PropertyMap
	Preview    bool
	Timeout    time.Duration
}

type UpdateResponse struct {
	Properties resource.PropertyMap
}

type DeleteRequest struct {
	ID         string
	URN        resource.URN
	Properties resource.PropertyMap
	OldInputs  resource.PropertyMap
	Timeout    time.Duration
}

// InitError reports an operation that changed something before failing (a created object that could not be
// read back, say): the engine keeps ID and Properties in the state, as it does for the real providers'
// partial failures, so the next run updates or deletes the object instead of leaking it.
type InitError struct {
	ID         string
	Properties resource.PropertyMap
	Reason     error
}

func (e *InitError) Error() string { return e.Reason.Error() }
func (e *InitError) Unwrap() error { return e.Reason }
