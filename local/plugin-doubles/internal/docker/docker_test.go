package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"logto-entra-sso/plugin-doubles/internal/provider"
	"logto-entra-sso/plugin-doubles/internal/recorder"
)

var ctx = context.Background()

// fakeEngine answers the Engine API on a unix socket and records the requests.
type fakeEngine struct {
	log        recorder.Log
	mu         sync.Mutex
	containers map[string]bool // id → running
	images     map[string]bool
	buildTar   map[string]string // file name → content of the last build context (or upload)
	tarModes   map[string]int64  // file name → mode, of the last tar received
	hostConfig map[string]any    // HostConfig of the last container created, echoed by inspect
	volumes    map[string]int    // name → how many more removals answer "volume is in use"
	socket     string
}

type engineRequest struct {
	Method, Path, Query string
	Body                map[string]any
}

func newFakeEngine(t *testing.T) *fakeEngine {
	dir, err := os.MkdirTemp("", "engine")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	f := &fakeEngine{containers: map[string]bool{}, images: map[string]bool{"sha256:built": true}, volumes: map[string]int{},
		socket: filepath.Join(dir, "d.sock")}
	l, err := net.Listen("unix", f.socket)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(f.serve)}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return f
}

func (f *fakeEngine) calls() []string { return f.log.Calls() }

func (f *fakeEngine) reset() { f.log.Reset() }

// lastQuery is the query string of the latest request with that method and path.
func (f *fakeEngine) lastQuery(method, path string) string {
	r, _ := f.log.Last(method, path)
	return r.Query.Encode()
}

func (f *fakeEngine) lastBody(method, path string) map[string]any {
	r, _ := f.log.Last(method, path)
	return r.Body
}

func (f *fakeEngine) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_ping" {
		w.Header().Set("API-Version", "1.41")
		w.Write([]byte("OK"))
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/v1.41")
	req := recorder.Request{Method: r.Method, Path: path, Query: r.URL.Query()}
	data, _ := io.ReadAll(r.Body)
	if r.Header.Get("Content-Type") == "application/x-tar" {
		files, modes := map[string]string{}, map[string]int64{}
		tr := tar.NewReader(bytes.NewReader(data))
		for {
			h, err := tr.Next()
			if err != nil {
				break
			}
			content, _ := io.ReadAll(tr)
			files[h.Name], modes[h.Name] = string(content), h.Mode
		}
		f.mu.Lock()
		f.buildTar, f.tarModes = files, modes
		f.mu.Unlock()
	} else if len(data) > 0 {
		_ = json.Unmarshal(data, &req.Body)
	}
	f.log.Add(req)
	f.mu.Lock()
	defer f.mu.Unlock()
	notFound := func(what string) {
		w.WriteHeader(404)
		json.NewEncoder(w).Encode(map[string]string{"message": "No such " + what})
	}
	id := ""
	if parts := strings.Split(path, "/"); len(parts) > 2 && parts[1] == "containers" {
		id = parts[2]
	}
	switch {
	case r.Method == "POST" && path == "/build":
		f.images["sha256:built"] = true
		w.Write([]byte(`{"stream":"Step 1/1 : FROM scratch\n"}` + "\n" + `{"aux":{"ID":"sha256:built"}}` + "\n"))
	case r.Method == "GET" && path == "/images/json":
		var list []map[string]string
		for img := range f.images {
			list = append(list, map[string]string{"Id": img})
		}
		json.NewEncoder(w).Encode(list)
	case r.Method == "GET" && strings.HasPrefix(path, "/images/"):
		name := strings.TrimSuffix(strings.TrimPrefix(path, "/images/"), "/json")
		if name == "smoke:test" {
			name = "sha256:built"
		}
		if !f.images[name] {
			notFound("image: " + name)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"Id": name})
	case r.Method == "POST" && path == "/containers/create":
		f.containers["c1"] = false
		f.hostConfig, _ = req.Body["HostConfig"].(map[string]any)
		json.NewEncoder(w).Encode(map[string]string{"Id": "c1"})
	case r.Method == "POST" && path == "/volumes/create":
		name, _ := req.Body["Name"].(string)
		f.volumes[name] = 0
		json.NewEncoder(w).Encode(map[string]any{"Name": name, "Driver": "local"})
	case r.Method == "GET" && strings.HasPrefix(path, "/volumes/"):
		name := strings.TrimPrefix(path, "/volumes/")
		if _, ok := f.volumes[name]; !ok {
			notFound("volume: " + name)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"Name": name, "Driver": "local", "Mountpoint": "/var/lib/docker/volumes/" + name + "/_data"})
	case r.Method == "DELETE" && strings.HasPrefix(path, "/volumes/"):
		name := strings.TrimPrefix(path, "/volumes/")
		if f.volumes[name] > 0 {
			f.volumes[name]--
			w.WriteHeader(409)
			json.NewEncoder(w).Encode(map[string]string{"message": "remove " + name + ": volume is in use - [c1]"})
			return
		}
		delete(f.volumes, name)
		w.WriteHeader(204)
	case r.Method == "PUT" && strings.HasSuffix(path, "/archive"):
		if _, ok := f.containers[id]; !ok {
			notFound("container: " + id)
			return
		}
		w.WriteHeader(200)
	case r.Method == "POST" && strings.HasSuffix(path, "/start"):
		f.containers[id] = true
		w.WriteHeader(204)
	case r.Method == "GET" && path == "/containers/json":
		var list []map[string]string
		for c := range f.containers {
			list = append(list, map[string]string{"Id": c})
		}
		json.NewEncoder(w).Encode(list)
	case r.Method == "GET" && strings.HasSuffix(path, "/json"):
		running, ok := f.containers[id]
		if !ok {
			notFound("container: " + id)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"Id": id, "Name": "/app", "Image": "sha256:built",
			"State": map[string]any{"Running": running, "ExitCode": 0},
			"Config": map[string]any{"Image": "sha256:built", "Hostname": "h1", "Entrypoint": []string{"/app"},
				"Healthcheck": map[string]any{"Test": []string{"CMD", "true"}, "Interval": 30_000_000_000, "Retries": 3}},
			"HostConfig": f.inspectedHostConfig(),
			"NetworkSettings": map[string]any{"Ports": map[string]any{"8080/tcp": []map[string]string{{"HostIp": "127.0.0.1", "HostPort": "18080"}}},
				"Networks": map[string]any{"bridge": map[string]any{"IPAddress": "172.17.0.2"}}},
		})
	case r.Method == "POST" && strings.HasSuffix(path, "/stop"):
		if _, ok := f.containers[id]; !ok {
			notFound("container: " + id)
			return
		}
		f.containers[id] = false
		w.WriteHeader(204)
	case r.Method == "DELETE":
		if _, ok := f.containers[id]; !ok {
			notFound("container: " + id)
			return
		}
		delete(f.containers, id)
		w.WriteHeader(204)
	case r.Method == "POST" && strings.HasSuffix(path, "/wait"):
		notFound("container: " + id)
	case r.Method == "POST" && strings.HasSuffix(path, "/update"):
		json.NewEncoder(w).Encode(map[string]any{"Warnings": nil})
	default:
		w.WriteHeader(500)
		json.NewEncoder(w).Encode(map[string]string{"message": "the fake engine has no route for " + r.Method + " " + path})
	}
}

// inspectedHostConfig is what inspect reports of the last container's HostConfig: what the engine keeps as
// given (capabilities, security options, read-only root, memory), over fixed values.
func (f *fakeEngine) inspectedHostConfig() map[string]any {
	host := map[string]any{"RestartPolicy": map[string]any{"Name": "unless-stopped"}, "NetworkMode": "bridge",
		"LogConfig": map[string]any{"Type": "json-file"}}
	for _, key := range []string{"CapAdd", "CapDrop", "SecurityOpt", "ReadonlyRootfs", "Memory", "MemorySwap", "Binds"} {
		if v, ok := f.hostConfig[key]; ok {
			host[key] = v
		}
	}
	return host
}

func (f *fakeEngine) docker(t *testing.T) *Docker {
	d := &Docker{}
	if err := d.configure(ctx, resource.PropertyMap{"host": resource.NewProperty("unix://" + f.socket)}, nil); err != nil {
		t.Fatal(err)
	}
	return d
}

func props(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

func check(t *testing.T, r provider.Resource, inputs resource.PropertyMap) resource.PropertyMap {
	t.Helper()
	resp, err := r.Check(ctx, provider.CheckRequest{News: inputs})
	if err != nil || len(resp.Failures) > 0 {
		t.Fatalf("check: %v %+v", err, resp.Failures)
	}
	return resp.Inputs
}

func containerInputs(extra map[string]any) resource.PropertyMap {
	m := props(map[string]any{
		"name": "app", "image": "sha256:built", "restart": "unless-stopped",
		"ports": []any{map[string]any{"internal": 8080, "external": 18080, "ip": "127.0.0.1"}},
	})
	m["envs"] = resource.NewProperty([]resource.PropertyValue{
		resource.NewProperty("PORT=8080"), resource.MakeSecret(resource.NewProperty("SECRET_KEY=hunter2")),
	})
	for k, v := range props(extra) {
		m[k] = v
	}
	return m
}

func TestContainerCreateSendsTheConfigurationAndStartsIt(t *testing.T) {
	f := newFakeEngine(t)
	r := &Container{docker: f.docker(t)}
	inputs := check(t, r, containerInputs(nil))
	f.reset()
	resp, err := r.Create(ctx, provider.CreateRequest{Properties: inputs})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /images/sha256:built/json", "POST /containers/create", "POST /containers/c1/start",
		"GET /containers/json", "GET /containers/c1/json"}
	if got := f.calls(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls %q, want %q", got, want)
	}
	if q := f.lastQuery("POST", "/containers/create"); q != "name=app" {
		t.Errorf("query = %q", q)
	}
	body := f.lastBody("POST", "/containers/create")
	host := body["HostConfig"].(map[string]any)
	if host["NetworkMode"] != "bridge" || host["RestartPolicy"].(map[string]any)["Name"] != "unless-stopped" {
		t.Errorf("HostConfig = %v", host)
	}
	bindings := host["PortBindings"].(map[string]any)["8080/tcp"].([]any)[0].(map[string]any)
	if bindings["HostIp"] != "127.0.0.1" || bindings["HostPort"] != "18080" {
		t.Errorf("PortBindings = %v", bindings)
	}
	if env := body["Env"].([]any); len(env) != 2 || env[1] != "SECRET_KEY=hunter2" {
		t.Errorf("Env = %v", env)
	}
	state := resp.Properties
	if resp.ID != "c1" || state["hostname"].StringValue() != "h1" || state["mustRun"].BoolValue() != true {
		t.Errorf("state = %v", state)
	}
	if envs := state["envs"]; !envs.IsSecret() || provider.Plain(envs).ArrayValue()[0].StringValue() != "PORT=8080" {
		t.Errorf("envs holds a secret, so all of it is secret (as the bridge lifts it): %v", envs)
	}
	if hc := state["healthcheck"].ObjectValue(); hc["interval"].StringValue() != "30s" || hc["retries"].NumberValue() != 3 {
		t.Errorf("the image's healthcheck is read as the real Read does: %v", state["healthcheck"])
	}
	if ports := state["ports"]; !provider.Plain(ports).IsArray() || ports.ArrayValue()[0].ObjectValue()["protocol"].StringValue() != "tcp" {
		t.Errorf("ports = %v", ports)
	}
}

func TestContainerDiffDecisionsFollowTheTerraformSchema(t *testing.T) {
	f := newFakeEngine(t)
	r := &Container{docker: f.docker(t)}
	created, err := r.Create(ctx, provider.CreateRequest{Properties: check(t, r, containerInputs(nil))})
	if err != nil {
		t.Fatal(err)
	}
	state := created.Properties
	diff := func(inputs resource.PropertyMap) provider.DiffResponse {
		d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: state, News: check(t, r, inputs)})
		return d
	}
	if d := diff(containerInputs(nil)); d.Changes {
		t.Errorf("the same inputs are no change: %+v", d)
	}
	reordered := containerInputs(nil)
	reordered["envs"] = resource.NewProperty([]resource.PropertyValue{
		resource.MakeSecret(resource.NewProperty("SECRET_KEY=hunter2")), resource.NewProperty("PORT=8080")})
	if d := diff(reordered); d.Changes {
		t.Errorf("envs is a set: another order is no change: %+v", d)
	}
	if d := diff(containerInputs(map[string]any{"restart": "always"})); !d.Changes || len(d.Replaces) != 0 ||
		d.DetailedDiff["restart"].Kind != pulumirpc.PropertyDiff_UPDATE {
		t.Errorf("restart is updated in place: %+v", d)
	}
	if d := diff(containerInputs(map[string]any{"image": "sha256:other"})); !reflect.DeepEqual(d.Replaces, []string{"image"}) || !d.DeleteBeforeReplace {
		t.Errorf("a new image replaces, the old container first: %+v", d)
	}
	newSecret := containerInputs(nil)
	newSecret["envs"] = resource.NewProperty([]resource.PropertyValue{
		resource.NewProperty("PORT=8080"), resource.MakeSecret(resource.NewProperty("SECRET_KEY=rotated"))})
	if d := diff(newSecret); !reflect.DeepEqual(d.Replaces, []string{"envs"}) {
		t.Errorf("a new environment replaces: %+v", d)
	}
	otherIP := containerInputs(map[string]any{"ports": []any{map[string]any{"internal": 8080, "external": 18080, "ip": "0.0.0.0"}}})
	if d := diff(otherIP); !reflect.DeepEqual(d.Replaces, []string{"ports"}) {
		t.Errorf("a new bind address replaces: %+v", d)
	}
}

func TestContainerStoppedByHandIsStartedAgainThroughMustRun(t *testing.T) {
	f := newFakeEngine(t)
	r := &Container{docker: f.docker(t)}
	inputs := check(t, r, containerInputs(nil))
	created := mustCreate(t, r, inputs)
	f.containers["c1"] = false
	read, err := r.Read(ctx, provider.ReadRequest{ID: "c1", Properties: created.Properties, Inputs: inputs})
	if err != nil || read.Properties["mustRun"].BoolValue() {
		t.Fatalf("a stopped container reads mustRun=false: %v %v", read.Properties["mustRun"], err)
	}
	d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: read.Properties, News: inputs})
	if !d.Changes || len(d.Replaces) != 0 {
		t.Fatalf("diff = %+v", d)
	}
	f.reset()
	if _, err := r.Update(ctx, provider.UpdateRequest{ID: "c1", OldOutputs: read.Properties, News: inputs}); err != nil {
		t.Fatal(err)
	}
	if calls := f.calls(); calls[0] != "POST /containers/c1/start" {
		t.Errorf("calls = %q", calls)
	}
}

func TestContainerRemovedByHandReadsAsGone(t *testing.T) {
	f := newFakeEngine(t)
	r := &Container{docker: f.docker(t)}
	created := mustCreate(t, r, check(t, r, containerInputs(nil)))
	delete(f.containers, "c1")
	read, err := r.Read(ctx, provider.ReadRequest{ID: "c1", Properties: created.Properties})
	if err != nil || read.ID != "" {
		t.Fatalf("read = %+v, %v", read, err)
	}
}

func TestContainerDeleteStopsAtOnceRemovesWithForceAndWaits(t *testing.T) {
	f := newFakeEngine(t)
	r := &Container{docker: f.docker(t)}
	created := mustCreate(t, r, check(t, r, containerInputs(nil)))
	f.reset()
	if err := r.Delete(ctx, provider.DeleteRequest{ID: "c1", Properties: created.Properties}); err != nil {
		t.Fatal(err)
	}
	want := []string{"POST /containers/c1/stop", "DELETE /containers/c1", "POST /containers/c1/wait"}
	if got := f.calls(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls %q", got)
	}
	if q := f.lastQuery("POST", "/containers/c1/stop"); q != "t=0" {
		t.Errorf("stop query = %q", q)
	}
	if q := f.lastQuery("DELETE", "/containers/c1"); q != "force=1&v=1" {
		t.Errorf("remove query = %q", q)
	}
	// Already gone: deleting again is fine.
	if err := r.Delete(ctx, provider.DeleteRequest{ID: "c1", Properties: created.Properties}); err != nil {
		t.Errorf("second delete: %v", err)
	}
}

func TestContainerErrorsNeverShowTheEnvironment(t *testing.T) {
	f := newFakeEngine(t)
	r := &Container{docker: f.docker(t)}
	inputs := check(t, r, containerInputs(map[string]any{"image": "sha256:missing"}))
	_, err := r.Create(ctx, provider.CreateRequest{Properties: inputs})
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "Unable to create container with image sha256:missing") {
		t.Fatalf("error = %v", err)
	}
}

func TestContainerUploadsFilesBeforeItStartsAndKeepsTheirContentSecret(t *testing.T) {
	f := newFakeEngine(t)
	r := &Container{docker: f.docker(t)}
	inputs := check(t, r, containerInputs(nil))
	inputs["uploads"] = resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{
		"file":        resource.NewProperty("/run/secrets/app-secret"),
		"content":     resource.MakeSecret(resource.NewProperty("s3cr3t-upload")),
		"permissions": resource.NewProperty("0444"),
	})})
	f.reset()
	resp, err := r.Create(ctx, provider.CreateRequest{Properties: inputs})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /images/sha256:built/json", "POST /containers/create", "PUT /containers/c1/archive", "POST /containers/c1/start",
		"GET /containers/json", "GET /containers/c1/json"}
	if got := f.calls(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls %q, want %q", got, want)
	}
	if q := f.lastQuery("PUT", "/containers/c1/archive"); q != "path=%2F" {
		t.Errorf("query = %q: uploads go to / with the absolute path as the entry name", q)
	}
	if f.buildTar["/run/secrets/app-secret"] != "s3cr3t-upload" || f.tarModes["/run/secrets/app-secret"] != 0o444 {
		t.Errorf("tar = %v modes %v", f.buildTar, f.tarModes)
	}
	if uploads := resp.Properties["uploads"]; !uploads.ContainsSecrets() {
		t.Errorf("the uploaded content must stay secret in the state: %v", uploads)
	}

	both := check(t, r, containerInputs(nil))
	both["uploads"] = resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{
		"file": resource.NewProperty("/x"), "content": resource.NewProperty("a"), "contentBase64": resource.NewProperty("Yg=="),
	})})
	if _, err := r.Create(ctx, provider.CreateRequest{Properties: both}); err == nil || !strings.Contains(err.Error(), "only one of 'content', 'content_base64', or 'source' can be set") {
		t.Errorf("error = %v", err)
	}
}

func TestContainerUnsupportedInputsAreCheckFailures(t *testing.T) {
	r := &Container{docker: &Docker{}}
	resp, _ := r.Check(ctx, provider.CheckRequest{News: containerInputs(map[string]any{"mounts": []any{map[string]any{"target": "/x"}}})})
	if len(resp.Failures) != 1 || resp.Failures[0].Property != "mounts" {
		t.Fatalf("failures = %+v", resp.Failures)
	}
	resp, _ = r.Check(ctx, provider.CheckRequest{News: containerInputs(map[string]any{"capabilities": map[string]any{"drop": []any{"ALL"}}})})
	if len(resp.Failures) != 1 || !strings.Contains(resp.Failures[0].Reason, "capabilities.drop is not a field of capabilities; its fields are adds, drops") {
		t.Fatalf("failures = %+v", resp.Failures)
	}
}

// confinedInputs: the sample app's container as infra/components/sampleApp.ts declares it.
func confinedInputs() resource.PropertyMap {
	return containerInputs(map[string]any{
		"readOnly":     true,
		"capabilities": map[string]any{"drops": []any{"ALL"}},
		"securityOpts": []any{"no-new-privileges:true"},
		"memory":       256, "memorySwap": 256,
		"volumes": []any{map[string]any{"volumeName": "app-secrets", "containerPath": "/run/secrets", "readOnly": true}},
	})
}

func TestContainerConfinementAndVolumesReachTheEngineAndReadBackWithoutADiff(t *testing.T) {
	f := newFakeEngine(t)
	r := &Container{docker: f.docker(t)}
	inputs := check(t, r, confinedInputs())
	created := mustCreate(t, r, inputs)

	body := f.lastBody("POST", "/containers/create")
	host := body["HostConfig"].(map[string]any)
	for key, want := range map[string]any{
		"ReadonlyRootfs": true, "CapDrop": []any{"ALL"}, "SecurityOpt": []any{"no-new-privileges:true"},
		"Memory": float64(256 << 20), "MemorySwap": float64(256 << 20), "Binds": []any{"app-secrets:/run/secrets:ro"},
	} {
		if !reflect.DeepEqual(host[key], want) {
			t.Errorf("HostConfig.%s = %v, want %v", key, host[key], want)
		}
	}
	if _, ok := host["CapAdd"]; ok {
		t.Errorf("no CapAdd without adds: %v", host)
	}
	if volumes := body["Volumes"].(map[string]any); len(volumes) != 1 || volumes["/run/secrets"] == nil {
		t.Errorf("Volumes = %v", body["Volumes"])
	}

	// What the engine reports, not what the state had (an import, say, knows nothing).
	unknown := created.Properties.Copy()
	delete(unknown, "capabilities")
	delete(unknown, "securityOpts")
	read, err := r.Read(ctx, provider.ReadRequest{ID: "c1", Properties: unknown})
	if err != nil {
		t.Fatal(err)
	}
	if caps := read.Properties["capabilities"]; !caps.IsObject() || provider.Plain(caps.ObjectValue()["drops"]).ArrayValue()[0].StringValue() != "ALL" {
		t.Errorf("capabilities read back = %v", caps)
	}
	if opts := read.Properties["securityOpts"]; !opts.IsArray() || opts.ArrayValue()[0].StringValue() != "no-new-privileges:true" {
		t.Errorf("securityOpts read back = %v", opts)
	}
	for name, state := range map[string]resource.PropertyMap{"create": created.Properties, "read": read.Properties} {
		if d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: state, News: inputs}); d.Changes {
			t.Errorf("after %s, the same inputs are no change: %+v", name, d)
		}
	}
	diff := func(change map[string]any) provider.DiffResponse {
		news := confinedInputs()
		for k, v := range props(change) {
			news[k] = v
		}
		d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: read.Properties, News: check(t, r, news)})
		return d
	}
	for _, change := range []map[string]any{
		{"readOnly": false},
		{"capabilities": map[string]any{"drops": []any{"NET_RAW"}}},
		{"securityOpts": []any{}},
		{"volumes": []any{map[string]any{"volumeName": "app-secrets", "containerPath": "/run/secrets"}}},
	} {
		if d := diff(change); len(d.Replaces) != 1 || !d.DeleteBeforeReplace {
			t.Errorf("%v replaces the container: %+v", change, d)
		}
	}
	noCapabilities := confinedInputs()
	delete(noCapabilities, "capabilities")
	if d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: read.Properties, News: check(t, r, noCapabilities)}); !reflect.DeepEqual(d.Replaces, []string{"capabilities"}) {
		t.Errorf("dropping the capabilities block replaces: %+v", d)
	}
	if d := diff(map[string]any{"memory": 512, "memorySwap": 512}); !d.Changes || len(d.Replaces) != 0 {
		t.Errorf("memory is updated in place: %+v", d)
	}
}

func TestContainerVolumeEntriesAreReadAsTheProviderDoes(t *testing.T) {
	paths, binds, from, err := readVolumes(props(map[string]any{"volumes": []any{
		map[string]any{"containerPath": "/cache"},
		map[string]any{"hostPath": "/srv/data", "volumeName": "ignored", "containerPath": "/data", "selinuxRelabel": "z"},
		map[string]any{"fromContainer": "other"},
	}}))
	if err != nil || len(paths) != 2 || !reflect.DeepEqual(binds, []string{"/srv/data:/data:rw,z"}) || !reflect.DeepEqual(from, []string{"other"}) {
		t.Errorf("paths %v binds %v from %v err %v", paths, binds, from, err)
	}
	for entry, want := range map[string]string{
		`{}`: "volume entry without container path or source container",
		`{"fromContainer": "a", "containerPath": "/a"}`: "both a container and a path specified in a volume entry",
	} {
		var m map[string]any
		json.Unmarshal([]byte(entry), &m)
		if _, _, _, err := readVolumes(props(map[string]any{"volumes": []any{m}})); err == nil || err.Error() != want {
			t.Errorf("%s: %v", entry, err)
		}
	}
	if opts, masked, readonly := parseSystemPaths([]string{"systempaths=unconfined", "seccomp=unconfined"}); !reflect.DeepEqual(opts, []string{"seccomp=unconfined"}) ||
		masked == nil || len(masked) != 0 || readonly == nil {
		t.Errorf("opts %v masked %v readonly %v", opts, masked, readonly)
	}
}

func TestVolumeIsCreatedReadAndRemovedOnceNoContainerUsesIt(t *testing.T) {
	saved := volumeRemoveWait
	volumeRemoveWait.delay, volumeRemoveWait.interval = 0, time.Millisecond
	t.Cleanup(func() { volumeRemoveWait = saved })
	f := newFakeEngine(t)
	r := &Volume{docker: f.docker(t)}
	inputs, err := r.Check(ctx, provider.CheckRequest{News: props(map[string]any{"name": "app-secrets"})})
	if err != nil || len(inputs.Failures) > 0 {
		t.Fatal(err, inputs.Failures)
	}
	created, err := r.Create(ctx, provider.CreateRequest{Properties: inputs.Inputs})
	if err != nil {
		t.Fatal(err)
	}
	if created.ID != "app-secrets" || created.Properties["driver"].StringValue() != "local" ||
		created.Properties["mountpoint"].StringValue() != "/var/lib/docker/volumes/app-secrets/_data" {
		t.Errorf("created = %+v", created)
	}
	if d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: created.Properties, News: inputs.Inputs}); d.Changes {
		t.Errorf("no change: %+v", d)
	}
	renamed, _ := r.Check(ctx, provider.CheckRequest{News: props(map[string]any{"name": "other"})})
	if d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: created.Properties, News: renamed.Inputs}); !reflect.DeepEqual(d.Replaces, []string{"name"}) {
		t.Errorf("a new name replaces: %+v", d)
	}

	f.volumes["app-secrets"] = 2 // The container that used it is still going away.
	f.reset()
	if err := r.Delete(ctx, provider.DeleteRequest{ID: "app-secrets", Properties: created.Properties}); err != nil {
		t.Fatal(err)
	}
	if got := f.calls(); len(got) != 3 || got[2] != "DELETE /volumes/app-secrets" || f.lastQuery("DELETE", "/volumes/app-secrets") != "force=1" {
		t.Errorf("calls %q", got)
	}
	read, err := r.Read(ctx, provider.ReadRequest{ID: "app-secrets", Properties: created.Properties})
	if err != nil || read.ID != "" {
		t.Errorf("a removed volume reads as gone: %+v %v", read, err)
	}

	f.volumes["stuck"] = 1 << 30
	volumeRemoveWait.timeout = 5 * time.Millisecond
	if err := r.Delete(ctx, provider.DeleteRequest{ID: "stuck"}); err == nil || !strings.Contains(err.Error(), "last state: 'in_use'") {
		t.Errorf("a volume in use past the timeout: %v", err)
	}
}

func mustCreate(t *testing.T, r provider.Resource, inputs resource.PropertyMap) provider.CreateResponse {
	t.Helper()
	resp, err := r.Create(ctx, provider.CreateRequest{Properties: inputs})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func writeContext(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestImageCheckAddsDefaultsAndAContextDigestThatFollowsTheFiles(t *testing.T) {
	dir := writeContext(t, map[string]string{"Dockerfile": "FROM scratch\n", "app.py": "print(1)\n", ".dockerignore": "tests/\n", "tests/t.py": "x"})
	r := &Image{docker: &Docker{}}
	inputs := check(t, r, props(map[string]any{"imageName": "smoke:test", "build": map[string]any{"context": dir}, "skipPush": true}))
	build := inputs["build"].ObjectValue()
	if build["dockerfile"].StringValue() != filepath.Join(dir, "Dockerfile") || build["platform"].StringValue() == "" ||
		inputs["buildOnPreview"].BoolValue() {
		t.Errorf("inputs = %v", inputs)
	}
	digest := build["contextDigest"].StringValue()
	again := check(t, r, props(map[string]any{"imageName": "smoke:test", "build": map[string]any{"context": dir}, "skipPush": true}))
	if again["build"].ObjectValue()["contextDigest"].StringValue() != digest {
		t.Errorf("the digest must be stable")
	}
	os.WriteFile(filepath.Join(dir, "tests", "t.py"), []byte("ignored change"), 0o644)
	if d := check(t, r, props(map[string]any{"imageName": "smoke:test", "build": map[string]any{"context": dir}, "skipPush": true}))["build"].ObjectValue()["contextDigest"].StringValue(); d != digest {
		t.Errorf("an ignored file must not change the digest")
	}
	os.WriteFile(filepath.Join(dir, "app.py"), []byte("print(2)\n"), 0o644)
	changed := check(t, r, props(map[string]any{"imageName": "smoke:test", "build": map[string]any{"context": dir}, "skipPush": true}))
	if changed["build"].ObjectValue()["contextDigest"].StringValue() == digest {
		t.Fatalf("an edited file must change the digest")
	}
	d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: resource.PropertyMap{"__inputs": resource.MakeSecret(resource.NewProperty(inputs))}, News: changed})
	if !d.Changes || len(d.Replaces) != 0 || d.DetailedDiff["build"].Kind != pulumirpc.PropertyDiff_UPDATE {
		t.Errorf("an image is rebuilt in place: %+v", d)
	}
}

func TestImageCheckNamesAMisplacedDockerfile(t *testing.T) {
	dir := writeContext(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	r := &Image{docker: &Docker{}}
	_, err := r.Check(ctx, provider.CheckRequest{News: props(map[string]any{"imageName": "x", "build": map[string]any{"context": dir, "dockerfile": "Dockerfile"}})})
	if err == nil || !strings.Contains(err.Error(), "Try setting `dockerfile` to") {
		t.Fatalf("error = %v", err)
	}
}

func TestImageBuildSendsTheContextWithoutIgnoredFilesToTheLegacyBuilder(t *testing.T) {
	f := newFakeEngine(t)
	dir := writeContext(t, map[string]string{"Dockerfile": "FROM scratch\n", "app.py": "print(1)\n",
		".dockerignore": "tests/\nDockerfile\n.dockerignore\n*.pyc\n!keep.pyc\n", "tests/t.py": "x", "a.pyc": "x", "keep.pyc": "y"})
	r := &Image{docker: f.docker(t)}
	inputs := check(t, r, props(map[string]any{"imageName": "smoke:test", "build": map[string]any{"context": dir, "args": map[string]any{"A": "1"}}, "skipPush": true}))
	resp, err := r.Create(ctx, provider.CreateRequest{Properties: inputs})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range f.buildTar {
		names = append(names, n)
	}
	sort.Strings(names)
	if want := []string{".dockerignore", "Dockerfile", "app.py", "keep.pyc"}; !reflect.DeepEqual(names, want) {
		t.Errorf("context files %v, want %v", names, want)
	}
	q := f.lastQuery("POST", "/build")
	for _, part := range []string{"t=smoke%3Atest", "dockerfile=Dockerfile", "version=1", "platform=linux%2F", "buildargs=%7B%22A%22%3A%221%22%7D"} {
		if !strings.Contains(q, part) {
			t.Errorf("build query %q lacks %q", q, part)
		}
	}
	state := resp.Properties
	if resp.ID != "smoke:test" || state["repoDigest"].StringValue() != "sha256:built" || !state["__inputs"].IsSecret() ||
		state["dockerfile"].StringValue() != "Dockerfile" {
		t.Errorf("state = %v", state)
	}
	// Delete leaves the image in the engine, as the real Image does.
	f.reset()
	if err := r.Delete(ctx, provider.DeleteRequest{ID: resp.ID, Properties: state}); err != nil || len(f.calls()) != 0 {
		t.Errorf("delete made calls %v (%v)", f.calls(), err)
	}
}

func TestImagePreviewDoesNotBuildAndLeavesOutputsUnknown(t *testing.T) {
	f := newFakeEngine(t)
	dir := writeContext(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	r := &Image{docker: f.docker(t)}
	inputs := check(t, r, props(map[string]any{"imageName": "smoke:test", "build": map[string]any{"context": dir}, "skipPush": true}))
	f.reset()
	resp, err := r.Create(ctx, provider.CreateRequest{Properties: inputs, Preview: true})
	if err != nil || len(f.calls()) != 0 {
		t.Fatalf("preview made calls %v (%v)", f.calls(), err)
	}
	if _, ok := resp.Properties["repoDigest"]; ok {
		t.Errorf("repoDigest must be left out (unknown to the program) in preview: %v", resp.Properties)
	}
}

func TestImageThatWouldBePushedIsRefusedWithTheFix(t *testing.T) {
	f := newFakeEngine(t)
	dir := writeContext(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	r := &Image{docker: f.docker(t)}
	inputs := check(t, r, props(map[string]any{"imageName": "registry.example/smoke:test", "build": map[string]any{"context": dir}}))
	if _, err := r.Create(ctx, provider.CreateRequest{Properties: inputs}); err == nil || !strings.Contains(err.Error(), "skipPush: true") {
		t.Fatalf("error = %v", err)
	}
}

func TestDockerignorePatterns(t *testing.T) {
	patterns, _ := parseIgnoreFile(strings.NewReader("# comment\n/build\n**/__pycache__/\n*.log\n!important.log\ndocs/**/*.md\n"))
	compiled, err := compilePatterns(patterns)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"build": true, "build/x": true, "src/build": false, "a/b/__pycache__/c.pyc": true, "__pycache__/c": true,
		"x.log": true, "important.log": false, "sub/x.log": false, "docs/a/b/c.md": true, "docs/c.md": true, "docs/c.txt": false,
	} {
		if got := excluded(compiled, path); got != want {
			t.Errorf("excluded(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestConfigureFailsWithoutAnEngine(t *testing.T) {
	d := &Docker{}
	err := d.configure(ctx, resource.PropertyMap{"host": resource.NewProperty("unix:///nonexistent/docker.sock")}, nil)
	if err == nil || !strings.Contains(err.Error(), "failed to connect to any docker daemon") {
		t.Fatalf("error = %v", err)
	}
}
