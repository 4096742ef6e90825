package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Server serves one Package over the ResourceProviderServer protocol.
type Server struct {
	pulumirpc.UnimplementedResourceProviderServer

	pkg  Package
	host *Host

	// cancel ends every operation in flight when the engine calls Cancel (on Ctrl-C, for instance).
	cancelCtx context.Context
	cancel    context.CancelFunc

	mu         sync.Mutex
	configured bool
}

func NewServer(pkg Package, host *Host) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{pkg: pkg, host: host, cancelCtx: ctx, cancel: cancel}
}

// What the doubles accept from the engine: secrets stay secrets (so they can keep them out of logs and mark
// outputs), unknowns stay unknown (previews), nulls are dropped like the real providers drop them.
var inputOptions = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

var outputOptions = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, inputOptions)
}

// unmarshalAll unmarshals each struct of a request, in order.
func unmarshalAll(structs ...*structpb.Struct) ([]resource.PropertyMap, error) {
	maps := make([]resource.PropertyMap, len(structs))
	for i, st := range structs {
		m, err := unmarshal(st)
		if err != nil {
			return nil, err
		}
		maps[i] = m
	}
	return maps, nil
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, outputOptions)
}

// operationContext ends when the request ends, the engine cancels, or the timeout (if any) passes.
func (s *Server) operationContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.cancelCtx, cancel)
	if timeout > 0 {
		var cancelTimeout context.CancelFunc
		ctx, cancelTimeout = context.WithTimeout(ctx, timeout)
		return ctx, func() { cancelTimeout(); stop(); cancel() }
	}
	return ctx, func() { stop(); cancel() }
}

func seconds(t float64) time.Duration { return time.Duration(t * float64(time.Second)) }

func (s *Server) resource(urn string) (Resource, error) {
	token := string(resource.URN(urn).Type())
	r, ok := s.pkg.Resources[token]
	if !ok {
		return nil, status.Errorf(codes.Unimplemented, "the %s plugin double does not implement resource type %s "+
			"(it implements %s); run with the real pulumi-resource-%s plugin", s.pkg.Name, token,
			strings.Join(sortedKeys(s.pkg.Resources), ", "), s.pkg.Name)
	}
	return r, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// rpcError turns an operation's error into what the engine shows: one line, the double's own text.
// An InitError becomes ErrorResourceInitFailed so the engine keeps the partially created resource.
func rpcError(err error, inputs *structpb.Struct) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok && !errors.As(err, new(*InitError)) {
		return err
	}
	var initErr *InitError
	if errors.As(err, &initErr) {
		props, marshalErr := marshal(initErr.Properties)
		if marshalErr != nil {
			return status.Error(codes.Unknown, err.Error())
		}
		st, detailErr := status.New(codes.Unknown, err.Error()).WithDetails(&pulumirpc.ErrorResourceInitFailed{
			Id: initErr.ID, Properties: props, Reasons: []string{err.Error()}, Inputs: inputs,
		})
		if detailErr != nil {
			return status.Error(codes.Unknown, err.Error())
		}
		return st.Err()
	}
	if errors.Is(err, context.Canceled) {
		return status.Error(codes.Canceled, err.Error())
	}
	return status.Error(codes.Unknown, err.Error())
}

func (s *Server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: s.pkg.Version}, nil
}

// GetSchema answers a schema without types: the doubles are driven by programs that already have their SDK.
func (s *Server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{
		Schema: fmt.Sprintf(`{"name":%q,"version":%q}`, s.pkg.Name, s.pkg.Version),
	}, nil
}

func (s *Server) Handshake(_ context.Context, req *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	s.host.connect(req.GetEngineAddress())
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true}, nil
}

func (s *Server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	s.cancel()
	return &emptypb.Empty{}, nil
}

func (s *Server) CheckConfig(ctx context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	inputs, failures := news, []CheckFailure(nil)
	if s.pkg.CheckConfig != nil {
		if inputs, failures, err = s.pkg.CheckConfig(ctx, news); err != nil {
			return nil, rpcError(err, nil)
		}
	}
	return checkResponse(inputs, failures)
}

func checkResponse(inputs resource.PropertyMap, failures []CheckFailure) (*pulumirpc.CheckResponse, error) {
	out, err := marshal(inputs)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.CheckResponse{Inputs: out}
	for _, f := range failures {
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: f.Property, Reason: f.Reason})
	}
	return resp, nil
}

// DiffConfig: no provider setting of these providers forces its resources to be replaced (none is
// ForceNew in the real providers' schemas), so a changed setting is an update of the provider.
func (s *Server) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	if len(olds) == 0 {
		if olds, err = unmarshal(req.GetOlds()); err != nil {
			return nil, err
		}
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	delete(olds, "version")
	delete(news, "version")
	diff := olds.Diff(news)
	if diff == nil || !diff.AnyChanges() {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changedKeys(diff)}, nil
}

func changedKeys(diff *resource.ObjectDiff) []string {
	var keys []string
	for _, k := range diff.ChangedKeys() {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	return keys
}

func (s *Server) Configure(ctx context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	config, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	if s.pkg.Configure != nil {
		if err := s.pkg.Configure(ctx, config, s.host); err != nil {
			return nil, rpcError(err, nil)
		}
	}
	s.mu.Lock()
	s.configured = true
	s.mu.Unlock()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (s *Server) Check(ctx context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	r, err := s.resource(req.GetUrn())
	if err != nil {
		return nil, err
	}
	m, err := unmarshalAll(req.GetOlds(), req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, news := m[0], m[1]
	resp, err := r.Check(ctx, CheckRequest{URN: resource.URN(req.GetUrn()), Olds: olds, News: news, RandomSeed: req.GetRandomSeed()})
	if err != nil {
		return nil, rpcError(err, nil)
	}
	return checkResponse(resp.Inputs, resp.Failures)
}

func (s *Server) Diff(ctx context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	r, err := s.resource(req.GetUrn())
	if err != nil {
		return nil, err
	}
	m, err := unmarshalAll(req.GetOlds(), req.GetOldInputs(), req.GetNews())
	if err != nil {
		return nil, err
	}
	oldOutputs, oldInputs, news := m[0], m[1], m[2]
	d, err := r.Diff(ctx, DiffRequest{
		ID: req.GetId(), URN: resource.URN(req.GetUrn()), OldInputs: oldInputs, OldOutputs: oldOutputs, News: news,
		IgnoreChanges: req.GetIgnoreChanges(),
	})
	if err != nil {
		return nil, rpcError(err, nil)
	}
	resp := &pulumirpc.DiffResponse{
		Changes:             pulumirpc.DiffResponse_DIFF_NONE,
		Replaces:            d.Replaces,
		DeleteBeforeReplace: d.DeleteBeforeReplace,
		HasDetailedDiff:     true,
		DetailedDiff:        map[string]*pulumirpc.PropertyDiff{},
	}
	if d.Changes {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	for key, pd := range d.DetailedDiff {
		resp.DetailedDiff[key] = &pulumirpc.PropertyDiff{Kind: pd.Kind, InputDiff: pd.InputDiff}
		resp.Diffs = append(resp.Diffs, topLevelKey(key))
	}
	sort.Strings(resp.Diffs)
	resp.Diffs = dedupe(resp.Diffs)
	return resp, nil
}

// topLevelKey is the property a detailed-diff path starts with ("ports[0].ip" → "ports").
func topLevelKey(path string) string {
	if i := strings.IndexAny(path, ".["); i > 0 {
		return path[:i]
	}
	return path
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func (s *Server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	r, err := s.resource(req.GetUrn())
	if err != nil {
		return nil, err
	}
	props, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	ctx, done := s.operationContext(ctx, seconds(req.GetTimeout()))
	defer done()
	resp, err := r.Create(ctx, CreateRequest{
		URN: resource.URN(req.GetUrn()), Properties: props, Preview: req.GetPreview(), Timeout: seconds(req.GetTimeout()),
	})
	if err != nil {
		return nil, rpcError(err, req.GetProperties())
	}
	out, err := marshal(resp.Properties)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: resp.ID, Properties: out}, nil
}

func (s *Server) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	r, err := s.resource(req.GetUrn())
	if err != nil {
		return nil, err
	}
	m, err := unmarshalAll(req.GetProperties(), req.GetInputs())
	if err != nil {
		return nil, err
	}
	props, inputs := m[0], m[1]
	ctx, done := s.operationContext(ctx, 0)
	defer done()
	resp, err := r.Read(ctx, ReadRequest{ID: req.GetId(), URN: resource.URN(req.GetUrn()), Properties: props, Inputs: inputs})
	if err != nil {
		return nil, rpcError(err, req.GetInputs())
	}
	if resp.ID == "" {
		return &pulumirpc.ReadResponse{}, nil
	}
	out, err := marshal(resp.Properties)
	if err != nil {
		return nil, err
	}
	in, err := marshal(resp.Inputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: resp.ID, Properties: out, Inputs: in}, nil
}

func (s *Server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	r, err := s.resource(req.GetUrn())
	if err != nil {
		return nil, err
	}
	m, err := unmarshalAll(req.GetOlds(), req.GetOldInputs(), req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, oldInputs, news := m[0], m[1], m[2]
	ctx, done := s.operationContext(ctx, seconds(req.GetTimeout()))
	defer done()
	resp, err := r.Update(ctx, UpdateRequest{
		ID: req.GetId(), URN: resource.URN(req.GetUrn()), OldOutputs: olds, OldInputs: oldInputs, News: news,
		Preview: req.GetPreview(), Timeout: seconds(req.GetTimeout()),
	})
	if err != nil {
		var initErr *InitError
		if errors.As(err, &initErr) && initErr.ID == "" {
			initErr.ID = req.GetId()
		}
		return nil, rpcError(err, req.GetNews())
	}
	out, err := marshal(resp.Properties)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: out}, nil
}

func (s *Server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	r, err := s.resource(req.GetUrn())
	if err != nil {
		return nil, err
	}
	m, err := unmarshalAll(req.GetProperties(), req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	props, oldInputs := m[0], m[1]
	ctx, done := s.operationContext(ctx, seconds(req.GetTimeout()))
	defer done()
	err = r.Delete(ctx, DeleteRequest{
		ID: req.GetId(), URN: resource.URN(req.GetUrn()), Properties: props, OldInputs: oldInputs,
		Timeout: seconds(req.GetTimeout()),
	})
	if err != nil {
		return nil, rpcError(err, nil)
	}
	return &emptypb.Empty{}, nil
}

func (s *Server) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	f, ok := s.pkg.Functions[req.GetTok()]
	if !ok {
		return nil, status.Errorf(codes.Unimplemented, "the %s plugin double does not implement function %s "+
			"(it implements %s); run with the real pulumi-resource-%s plugin", s.pkg.Name, req.GetTok(),
			strings.Join(sortedKeys(s.pkg.Functions), ", "), s.pkg.Name)
	}
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	ctx, done := s.operationContext(ctx, 0)
	defer done()
	result, err := f(ctx, args)
	if err != nil {
		return nil, rpcError(err, nil)
	}
	out, err := marshal(result)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: out}, nil
}
