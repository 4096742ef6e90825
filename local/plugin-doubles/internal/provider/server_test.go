package provider

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

var ctx = context.Background()

const token = "test:index:Thing"
const urn = "urn:pulumi:dev::proj::test:index:Thing::one"

// echo is a resource whose operations are whatever the test sets.
type echo struct {
	check  func(CheckRequest) (CheckResponse, error)
	create func(context.Context, CreateRequest) (CreateResponse, error)
}

func (e *echo) Check(_ context.Context, r CheckRequest) (CheckResponse, error) { return e.check(r) }
func (e *echo) Diff(_ context.Context, r DiffRequest) (DiffResponse, error) {
	return DiffResponse{Changes: true, DetailedDiff: map[string]PropertyDiff{
		"ports[0].ip": {Kind: pulumirpc.PropertyDiff_UPDATE_REPLACE}, "ports[1]": {Kind: pulumirpc.PropertyDiff_ADD_REPLACE},
		"name": {Kind: pulumirpc.PropertyDiff_UPDATE}}, Replaces: []string{"ports"}}, nil
}
func (e *echo) Create(c context.Context, r CreateRequest) (CreateResponse, error) {
	return e.create(c, r)
}
func (e *echo) Read(context.Context, ReadRequest) (ReadResponse, error) { return ReadResponse{}, nil }
func (e *echo) Update(context.Context, UpdateRequest) (UpdateResponse, error) {
	return UpdateResponse{}, nil
}
func (e *echo) Delete(context.Context, DeleteRequest) error { return nil }

func server(r Resource) *Server {
	return NewServer(Package{Name: "test", Version: "1.2.3", Resources: map[string]Resource{token: r}}, &Host{})
}

func wire(t *testing.T, m resource.PropertyMap) *pulumirpc.CheckRequest {
	t.Helper()
	s, err := plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.CheckRequest{Urn: urn, News: s}
}

func TestPluginInfoAnnouncesThePackageVersion(t *testing.T) {
	info, err := server(&echo{}).GetPluginInfo(ctx, &emptypb.Empty{})
	if err != nil || info.GetVersion() != "1.2.3" {
		t.Fatalf("info = %v, %v", info, err)
	}
}

func TestSecretsAndUnknownsSurviveTheRoundTrip(t *testing.T) {
	var seen resource.PropertyMap
	s := server(&echo{check: func(r CheckRequest) (CheckResponse, error) {
		seen = r.News
		return CheckResponse{Inputs: r.News}, nil
	}})
	in := resource.PropertyMap{
		"secret":  resource.MakeSecret(resource.NewProperty("hunter2")),
		"unknown": resource.MakeComputed(resource.NewProperty("")),
		"list":    resource.NewProperty([]resource.PropertyValue{resource.MakeSecret(resource.NewProperty("x"))}),
	}
	resp, err := s.Check(ctx, wire(t, in))
	if err != nil {
		t.Fatal(err)
	}
	if !seen["secret"].IsSecret() || !seen["unknown"].IsComputed() || !seen["list"].ArrayValue()[0].IsSecret() {
		t.Errorf("the double must receive secrets and unknowns as such: %v", seen)
	}
	out, _ := plugin.UnmarshalProperties(resp.GetInputs(), plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if !out["secret"].IsSecret() || !out["unknown"].IsComputed() {
		t.Errorf("the engine must get them back as such: %v", out)
	}
}

func TestCheckFailuresReachTheEngine(t *testing.T) {
	s := server(&echo{check: func(r CheckRequest) (CheckResponse, error) {
		return CheckResponse{Inputs: r.News, Failures: []CheckFailure{{Property: "name", Reason: "name is empty: give one"}}}, nil
	}})
	resp, err := s.Check(ctx, wire(t, resource.PropertyMap{}))
	if err != nil || len(resp.GetFailures()) != 1 || resp.GetFailures()[0].GetProperty() != "name" {
		t.Fatalf("resp = %v, %v", resp, err)
	}
}

func TestAnUnknownTypeIsUnimplementedAndSaysWhatIs(t *testing.T) {
	_, err := server(&echo{}).Check(ctx, &pulumirpc.CheckRequest{Urn: "urn:pulumi:dev::proj::test:index:Other::x"})
	if status.Code(err) != codes.Unimplemented || !strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "real pulumi-resource-test") {
		t.Fatalf("error = %v", err)
	}
}

func TestDiffListsTheChangedTopLevelProperties(t *testing.T) {
	resp, err := server(&echo{}).Diff(ctx, &pulumirpc.DiffRequest{Urn: urn})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(resp.GetDiffs(), ",") != "name,ports" || resp.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME ||
		!resp.GetHasDetailedDiff() || resp.GetReplaces()[0] != "ports" {
		t.Errorf("diff = %v", resp)
	}
}

func TestAPartialCreateKeepsTheObjectInTheState(t *testing.T) {
	s := server(&echo{create: func(context.Context, CreateRequest) (CreateResponse, error) {
		return CreateResponse{}, &InitError{ID: "obj-1", Properties: resource.PropertyMap{"name": resource.NewProperty("n")},
			Reason: errors.New("could not read it back")}
	}})
	_, err := s.Create(ctx, &pulumirpc.CreateRequest{Urn: urn})
	st, _ := status.FromError(err)
	if len(st.Details()) != 1 {
		t.Fatalf("error = %v", err)
	}
	detail, ok := st.Details()[0].(*pulumirpc.ErrorResourceInitFailed)
	if !ok || detail.GetId() != "obj-1" || detail.GetReasons()[0] != "could not read it back" {
		t.Fatalf("detail = %v", st.Details()[0])
	}
}

func TestCancelEndsOperationsInFlight(t *testing.T) {
	started := make(chan struct{})
	s := server(&echo{create: func(c context.Context, _ CreateRequest) (CreateResponse, error) {
		close(started)
		<-c.Done()
		return CreateResponse{}, c.Err()
	}})
	done := make(chan error, 1)
	go func() {
		_, err := s.Create(ctx, &pulumirpc.CreateRequest{Urn: urn})
		done <- err
	}()
	<-started
	if _, err := s.Cancel(ctx, &emptypb.Empty{}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if status.Code(err) != codes.Canceled {
			t.Errorf("error = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Create did not stop after Cancel")
	}
}

func TestDiffConfigIgnoresTheVersionAndNeverReplaces(t *testing.T) {
	s := server(&echo{})
	olds, _ := plugin.MarshalProperties(resource.PropertyMap{"version": resource.NewProperty("1"), "tenantId": resource.NewProperty("a")}, plugin.MarshalOptions{})
	sameButVersion, _ := plugin.MarshalProperties(resource.PropertyMap{"version": resource.NewProperty("2"), "tenantId": resource.NewProperty("a")}, plugin.MarshalOptions{})
	other, _ := plugin.MarshalProperties(resource.PropertyMap{"tenantId": resource.NewProperty("b")}, plugin.MarshalOptions{})
	if resp, _ := s.DiffConfig(ctx, &pulumirpc.DiffRequest{OldInputs: olds, News: sameButVersion}); resp.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("version only: %v", resp)
	}
	resp, _ := s.DiffConfig(ctx, &pulumirpc.DiffRequest{OldInputs: olds, News: other})
	if resp.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || len(resp.GetReplaces()) != 0 {
		t.Errorf("tenant change: %v", resp)
	}
}

func TestConfigureAcceptsSecretsAndSupportsPreview(t *testing.T) {
	var got resource.PropertyMap
	s := NewServer(Package{Name: "test", Configure: func(_ context.Context, c resource.PropertyMap, _ *Host) error {
		got = c
		return nil
	}}, &Host{})
	args, _ := plugin.MarshalProperties(resource.PropertyMap{"clientSecret": resource.MakeSecret(resource.NewProperty("s"))},
		plugin.MarshalOptions{KeepSecrets: true})
	resp, err := s.Configure(ctx, &pulumirpc.ConfigureRequest{Args: args})
	if err != nil || !resp.GetAcceptSecrets() || !resp.GetSupportsPreview() || !got["clientSecret"].IsSecret() {
		t.Fatalf("resp = %v, config = %v, %v", resp, got, err)
	}
}
