package docker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"logto-entra-sso/plugin-doubles/internal/provider"
)

const ImageToken = "docker:index/image:Image"

// Image is pulumi-docker's native Image resource (provider/image.go, provider/provider.go): Check fills in
// the build defaults and the context digest, Diff compares the old inputs kept in the state (`__inputs`)
// with the new ones and only ever updates, Create/Update build the image, Read and Delete do nothing (the
// real provider neither refreshes the image nor removes it from the engine on delete).
type Image struct {
	docker *Docker
}

func (r *Image) Check(ctx context.Context, req provider.CheckRequest) (provider.CheckResponse, error) {
	inputs := req.News.Copy()
	if !provider.Set(inputs, "buildOnPreview") {
		inputs["buildOnPreview"] = resource.NewProperty(false)
	} else if v := provider.Plain(inputs["buildOnPreview"]); !provider.Known(v) {
		inputs["buildOnPreview"] = resource.NewProperty(false)
	}
	build, err := buildDefaults(inputs["build"])
	if err != nil {
		return provider.CheckResponse{}, err
	}
	var buildObj resource.PropertyMap
	knownDockerfile := false
	switch b := provider.Plain(inputs["build"]); {
	case b.IsNull():
		buildObj = resource.PropertyMap{
			"dockerfile": resource.NewProperty(build.dockerfile),
			"context":    resource.NewProperty(build.context),
		}
		knownDockerfile = true
	case b.IsObject():
		buildObj = b.ObjectValue().Copy()
		if provider.Known(buildObj["dockerfile"]) {
			buildObj["dockerfile"] = resource.NewProperty(build.dockerfile)
			knownDockerfile = true
		}
		if provider.Known(buildObj["context"]) {
			buildObj["context"] = resource.NewProperty(build.context)
		}
	}
	if knownDockerfile {
		if _, statErr := os.Stat(build.dockerfile); statErr != nil {
			if filepath.IsAbs(build.dockerfile) {
				return provider.CheckResponse{}, fmt.Errorf(
					"expected a relative Dockerfile path; got %q instead: %v", build.dockerfile, statErr)
			}
			relPath := filepath.Join(build.context, build.dockerfile)
			if _, err := os.Stat(relPath); err != nil {
				return provider.CheckResponse{}, fmt.Errorf("could not open dockerfile at relative path %q: %v", build.dockerfile, statErr)
			}
			return provider.CheckResponse{}, fmt.Errorf("could not open dockerfile at relative path %q. "+
				"Try setting `dockerfile` to %q", build.dockerfile, relPath)
		}
		digest, err := contextDigest(build.context, build.dockerfile)
		if err != nil {
			return provider.CheckResponse{}, err
		}
		buildObj["contextDigest"] = resource.NewProperty(digest)
	}
	if buildObj != nil && provider.Plain(buildObj["platform"]).IsNull() {
		hostPlatform := "linux/" + runtime.GOARCH
		buildObj["platform"] = resource.NewProperty(hostPlatform)
		r.docker.host.Info(ctx, req.URN, fmt.Sprintf("Building your image for %s architecture.\n"+
			"To ensure you are building for the correct platform, consider "+
			"explicitly setting the `platform` field on ImageBuildOptions.", hostPlatform))
	}
	if buildObj != nil {
		inputs["build"] = resource.NewProperty(buildObj)
	}
	return provider.CheckResponse{Inputs: inputs}, nil
}

// Diff: any change of the inputs is an update (the real Image has no replacement); a registry's
// username or password alone is no change.
func (r *Image) Diff(_ context.Context, req provider.DiffRequest) (provider.DiffResponse, error) {
	olds := oldImageInputs(req.OldOutputs)
	d := olds.Diff(req.News)
	resp := provider.DiffResponse{DetailedDiff: map[string]provider.PropertyDiff{}}
	if d == nil {
		return resp, nil
	}
	for k := range d.Adds {
		resp.DetailedDiff[string(k)] = provider.PropertyDiff{Kind: kindAdd}
	}
	for k := range d.Deletes {
		resp.DetailedDiff[string(k)] = provider.PropertyDiff{Kind: kindDelete}
	}
	for k, vd := range d.Updates {
		if k == "registry" && vd.Object != nil {
			if _, serverChanged := vd.Object.Updates["server"]; !serverChanged {
				continue
			}
		}
		resp.DetailedDiff[string(k)] = provider.PropertyDiff{Kind: kindUpdate}
	}
	resp.Changes = len(resp.DetailedDiff) > 0
	return resp, nil
}

// oldImageInputs are the inputs the real provider keeps in its state under the secret `__inputs` key.
func oldImageInputs(state resource.PropertyMap) resource.PropertyMap {
	v := provider.Plain(state["__inputs"])
	if v.IsObject() {
		return v.ObjectValue()
	}
	return nil
}

func (r *Image) Create(ctx context.Context, req provider.CreateRequest) (provider.CreateResponse, error) {
	if req.Preview && !r.canPreview(ctx, req.URN, req.Properties) {
		return provider.CreateResponse{Properties: req.Properties}, nil
	}
	name, outputs, err := r.build(ctx, req.URN, req.Properties)
	if err != nil {
		return provider.CreateResponse{}, err
	}
	return provider.CreateResponse{ID: name, Properties: checkpoint(req.Properties, outputs)}, nil
}

func (r *Image) Update(ctx context.Context, req provider.UpdateRequest) (provider.UpdateResponse, error) {
	if req.Preview && !r.canPreview(ctx, req.URN, req.News) {
		return provider.UpdateResponse{Properties: req.News}, nil
	}
	_, outputs, err := r.build(ctx, req.URN, req.News)
	if err != nil {
		return provider.UpdateResponse{}, err
	}
	return provider.UpdateResponse{Properties: checkpoint(req.News, outputs)}, nil
}

// Read returns the state as it is, as the real Image does.
func (r *Image) Read(_ context.Context, req provider.ReadRequest) (provider.ReadResponse, error) {
	return provider.ReadResponse{ID: req.ID, Properties: req.Properties, Inputs: req.Inputs}, nil
}

// Delete leaves the image in the engine: the real Image's Delete does nothing.
func (r *Image) Delete(context.Context, provider.DeleteRequest) error { return nil }

func checkpoint(inputs, outputs resource.PropertyMap) resource.PropertyMap {
	state := outputs.Copy()
	state["__inputs"] = resource.MakeSecret(resource.NewProperty(inputs))
	return state
}

// canPreview: a preview builds only with buildOnPreview and known image name, dockerfile, context, args.
func (r *Image) canPreview(ctx context.Context, urn resource.URN, inputs resource.PropertyMap) bool {
	v := provider.Plain(inputs["buildOnPreview"])
	if !provider.Known(v) {
		r.docker.host.Warning(ctx, urn, "buildOnPreview is unresolved; cannot build on preview. Continuing "+
			"without preview image build. To avoid this warning, set buildOnPreview explicitly, and ensure all "+
			"inputs are resolved at preview.")
		return false
	}
	if !v.IsBool() || !v.BoolValue() {
		return false
	}
	build := provider.Plain(inputs["build"])
	if !build.IsObject() || !provider.Known(build.ObjectValue()["dockerfile"]) ||
		!provider.Known(build.ObjectValue()["context"]) || !provider.Known(build.ObjectValue()["args"]) ||
		!provider.Known(inputs["imageName"]) {
		r.docker.host.Warning(ctx, urn, "Minimum inputs for build are unresolved. Continuing without preview "+
			"image build. To avoid this warning, ensure image name, dockerfile, args, and context are resolved at preview.")
		return false
	}
	return true
}

type buildSettings struct {
	context, dockerfile, target, platform, network string
	args                                           map[string]string
	builderVersion                                 string
	addHosts                                       []string
}

// buildDefaults is marshalBuildAndApplyDefaults: context ".", dockerfile <context>/Dockerfile.
func buildDefaults(b resource.PropertyValue) (buildSettings, error) {
	s := buildSettings{context: ".", builderVersion: "2"}
	b = provider.Plain(b)
	if b.IsNull() {
		s.dockerfile = "Dockerfile"
		return s, nil
	}
	if !b.IsObject() {
		return s, nil
	}
	obj := b.ObjectValue()
	var err error
	if provider.Known(obj["context"]) && provider.Set(obj, "context") {
		if s.context, err = provider.String(obj, "context"); err != nil {
			return s, fmt.Errorf("build.%w", err)
		}
	}
	if provider.Known(obj["dockerfile"]) {
		if provider.Set(obj, "dockerfile") {
			if s.dockerfile, err = provider.String(obj, "dockerfile"); err != nil {
				return s, fmt.Errorf("build.%w", err)
			}
		} else {
			s.dockerfile = path.Join(s.context, "Dockerfile")
		}
	}
	switch v, _ := provider.String(obj, "builderVersion"); v {
	case "":
	case "BuilderV1":
		s.builderVersion = "1"
	case "BuilderBuildKit":
		s.builderVersion = "2"
	default:
		return s, errors.New("invalid Docker Builder version")
	}
	if provider.Known(obj["args"]) {
		if s.args, err = provider.StringMap(obj, "args"); err != nil {
			return s, fmt.Errorf("build.%w", err)
		}
	}
	s.target, _ = provider.String(obj, "target")
	s.platform, _ = provider.String(obj, "platform")
	s.network, _ = provider.String(obj, "network")
	s.addHosts, _ = provider.Strings(obj, "addHosts")
	if provider.Set(obj, "cacheFrom") {
		return s, errors.New("build.cacheFrom is not implemented by the docker plugin double (it pulls from a " +
			"registry); run with the real pulumi-resource-docker plugin")
	}
	return s, nil
}

// build is dockerBuild for skipPush images: send the context to the engine's build endpoint, wait for the
// image in the image store, and answer the image id as repoDigest.
func (r *Image) build(ctx context.Context, urn resource.URN, inputs resource.PropertyMap) (string, resource.PropertyMap, error) {
	name, err := provider.String(inputs, "imageName")
	if err != nil {
		return "", nil, err
	}
	skipPush, err := provider.Bool(inputs, "skipPush", false)
	if err != nil {
		return "", nil, err
	}
	if !skipPush {
		return "", nil, errors.New("pushing an image is not implemented by the docker plugin double (there is no " +
			"registry here): set skipPush: true, or run with the real pulumi-resource-docker plugin")
	}
	build, err := buildDefaults(inputs["build"])
	if err != nil {
		return "", nil, err
	}
	engine, err := r.docker.engine(ctx)
	if err != nil {
		return "", nil, err
	}
	contextDir, relDockerfile, err := resolveContext(build.context, build.dockerfile)
	if err != nil {
		return "", nil, fmt.Errorf("error resolving context: %w", err)
	}
	patterns, err := readIgnorePatterns(build.dockerfile, build.context)
	if err != nil {
		return "", nil, err
	}
	body, err := contextTar(contextDir, relDockerfile, patterns)
	if err != nil {
		return "", nil, err
	}
	if err := r.runBuild(ctx, engine, urn, name, relDockerfile, build, body); err != nil {
		return "", nil, err
	}
	var inspect struct {
		ID string `json:"Id"`
	}
	if err := engine.call(ctx, "GET", "/images/"+url.PathEscape(name)+"/json", nil, nil, &inspect); err != nil {
		return "", nil, err
	}
	registry := provider.Plain(inputs["registry"])
	server := ""
	if registry.IsObject() {
		server, _ = provider.String(registry.ObjectValue(), "server")
	}
	return name, resource.PropertyMap{
		"dockerfile":     resource.NewProperty(relDockerfile),
		"context":        resource.NewProperty(build.context),
		"baseImageName":  resource.NewProperty(name),
		"registryServer": resource.NewProperty(server),
		"imageName":      resource.NewProperty(name),
		"platform":       resource.NewProperty(build.platform),
		// For an image that is not pushed, the real provider answers the image id (docker inspect) here.
		"repoDigest": resource.NewProperty(inspect.ID),
	}, nil
}

// resolveContext is the Docker CLI's GetContextFromLocalDir: the context directory (absolute, symlinks
// resolved) and the Dockerfile relative to it; a Dockerfile path is relative to the working directory.
func resolveContext(contextPath, dockerfile string) (string, string, error) {
	abs, err := filepath.Abs(contextPath)
	if err != nil {
		return "", "", err
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return "", "", fmt.Errorf("unable to prepare context: path %q not found", contextPath)
	}
	if info, err := os.Stat(abs); err != nil || !info.IsDir() {
		return "", "", fmt.Errorf("unable to prepare context: path %q not found", contextPath)
	}
	absDockerfile := filepath.Join(abs, "Dockerfile")
	if dockerfile != "" {
		if absDockerfile, err = filepath.Abs(dockerfile); err != nil {
			return "", "", err
		}
	}
	if resolved, err := filepath.EvalSymlinks(absDockerfile); err == nil {
		absDockerfile = resolved
	}
	if _, err := os.Lstat(absDockerfile); err != nil {
		return "", "", fmt.Errorf("Cannot locate specified Dockerfile: %s", dockerfile)
	}
	rel, err := filepath.Rel(abs, absDockerfile)
	if err != nil {
		return "", "", err
	}
	if strings.HasPrefix(rel, "..") {
		return "", "", fmt.Errorf("the Dockerfile %s is outside the build context %s: the docker plugin double "+
			"does not add outside Dockerfiles to the context; move it in or run with the real plugin", dockerfile, contextPath)
	}
	return abs, rel, nil
}

// runBuild posts the context to /build and follows its progress stream until the image id appears, then
// waits for that image in the store (5 checks, 1 s apart, as runImageBuild does).
func (r *Image) runBuild(ctx context.Context, engine *Engine, urn resource.URN, name, relDockerfile string,
	build buildSettings, body []byte,
) error {
	q := url.Values{}
	q.Set("t", name)
	q.Set("dockerfile", filepath.ToSlash(relDockerfile))
	// The legacy builder, always: BuildKit needs a session over a hijacked connection (see README.md).
	q.Set("version", "1")
	// Intermediate containers of the legacy builder are removed; BuildKit (the real default) leaves none.
	q.Set("rm", "1")
	q.Set("forcerm", "1")
	if len(build.args) > 0 {
		args, _ := json.Marshal(build.args)
		q.Set("buildargs", string(args))
	}
	if build.network != "" {
		q.Set("networkmode", build.network)
	}
	if build.platform != "" {
		q.Set("platform", build.platform)
	}
	if build.target != "" {
		q.Set("target", build.target)
	}
	for _, h := range build.addHosts {
		q.Add("extrahosts", h)
	}
	r.docker.host.Status(ctx, urn, "Starting Docker build")
	resp, err := engine.do(ctx, "POST", "/build", q, bytesReader(body),
		map[string]string{"X-Registry-Config": base64.URLEncoding.EncodeToString([]byte("{}"))})
	if err != nil {
		return fmt.Errorf("error building image: %v", err)
	}
	defer resp.Body.Close()
	imageID := ""
	err = readStream(resp.Body, func(m jsonMessage) error {
		if len(m.Aux) > 0 {
			var aux struct {
				ID string `json:"ID"`
			}
			if json.Unmarshal(m.Aux, &aux) == nil && aux.ID != "" {
				imageID = aux.ID
				r.docker.host.Status(ctx, urn, "Built image with ID "+imageID)
				return nil
			}
		}
		if line := strings.TrimSpace(m.Stream + m.Status); line != "" {
			r.docker.host.Status(ctx, urn, line)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("error reading build output: %v", err)
	}
	if imageID == "" {
		return errors.New("no image id found in build output")
	}
	for i := 0; i < 5; i++ {
		var images []struct {
			ID string `json:"Id"`
		}
		if err := engine.call(ctx, "GET", "/images/json", nil, nil, &images); err != nil {
			return fmt.Errorf("error inspecting image: %v", err)
		}
		for _, img := range images {
			if img.ID == imageID {
				r.docker.host.Status(ctx, urn, fmt.Sprintf("Image built successfully, local id %q", imageID))
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return errors.New("unable to find built image in local image store")
}
