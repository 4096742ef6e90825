package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"logto-entra-sso/plugin-doubles/internal/provider"
	"logto-entra-sso/plugin-doubles/internal/tfschema"
)

const ContainerToken = "docker:index/container:Container"

// containerSchema is resource_docker_container.go of terraform-provider-docker v4.5.0 under pulumi-docker's
// names (schema.json): which fields are ForceNew, Computed, defaulted. Fields the double does not model are
// Unsupported: a program that sets one gets a Check failure rather than a silently different container.
var containerSchema = tfschema.Schema{
	"name":                {Kind: tfschema.String, Required: true, ForceNew: true},
	"image":               {Kind: tfschema.String, Required: true, ForceNew: true},
	"envs":                {Kind: tfschema.Set, Optional: true, ForceNew: true, Computed: true},
	"ports":               {Kind: tfschema.Object, Optional: true, ForceNew: true, Elem: portSchema},
	"uploads":             {Kind: tfschema.Object, Optional: true, ForceNew: true, Elem: uploadSchema},
	"volumes":             {Kind: tfschema.Object, Optional: true, ForceNew: true, Elem: volumeSchema},
	"capabilities":        {Kind: tfschema.Block, Optional: true, ForceNew: true, Elem: capabilitiesSchema},
	"securityOpts":        {Kind: tfschema.Set, Optional: true, ForceNew: true, Computed: true},
	"restart":             {Kind: tfschema.String, Optional: true, Default: "no"},
	"maxRetryCount":       {Kind: tfschema.Int, Optional: true},
	"networkMode":         {Kind: tfschema.String, Optional: true, ForceNew: true, Default: "bridge"},
	"command":             {Kind: tfschema.List, Optional: true, ForceNew: true, Computed: true},
	"entrypoints":         {Kind: tfschema.List, Optional: true, ForceNew: true, Computed: true},
	"hostname":            {Kind: tfschema.String, Optional: true, ForceNew: true, Computed: true},
	"domainname":          {Kind: tfschema.String, Optional: true, ForceNew: true},
	"logDriver":           {Kind: tfschema.String, Optional: true, ForceNew: true, Computed: true},
	"init":                {Kind: tfschema.Bool, Optional: true, Computed: true},
	"privileged":          {Kind: tfschema.Bool, Optional: true, ForceNew: true},
	"publishAllPorts":     {Kind: tfschema.Bool, Optional: true, ForceNew: true},
	"readOnly":            {Kind: tfschema.Bool, Optional: true, ForceNew: true, Default: false},
	"tty":                 {Kind: tfschema.Bool, Optional: true, ForceNew: true, Default: false},
	"stdinOpen":           {Kind: tfschema.Bool, Optional: true, ForceNew: true, Default: false},
	"memory":              {Kind: tfschema.Int, Optional: true},
	"memoryReservation":   {Kind: tfschema.Int, Optional: true, Default: 0},
	"memorySwap":          {Kind: tfschema.Int, Optional: true},
	"cpuShares":           {Kind: tfschema.Int, Optional: true},
	"cpuSet":              {Kind: tfschema.String, Optional: true},
	"mustRun":             {Kind: tfschema.Bool, Optional: true, Default: true},
	"start":               {Kind: tfschema.Bool, Optional: true, Default: true},
	"rm":                  {Kind: tfschema.Bool, Optional: true, Default: false},
	"attach":              {Kind: tfschema.Bool, Optional: true, Default: false},
	"logs":                {Kind: tfschema.Bool, Optional: true, Default: false},
	"wait":                {Kind: tfschema.Bool, Optional: true, Default: false},
	"waitTimeout":         {Kind: tfschema.Int, Optional: true, Default: 60},
	"destroyGraceSeconds": {Kind: tfschema.Int, Optional: true},
	"removeVolumes":       {Kind: tfschema.Bool, Optional: true, Default: true},
	"containerReadRefreshTimeoutMilliseconds": {Kind: tfschema.Int, Optional: true, Default: 15000},
	// user and workingDir: Terraform suppresses the diff when the configuration leaves them empty, which
	// for a diff is what Computed does.
	"user":       {Kind: tfschema.String, Optional: true, ForceNew: true, Computed: true},
	"workingDir": {Kind: tfschema.String, Optional: true, ForceNew: true, Computed: true},

	"bridge":        {Kind: tfschema.String, Computed: true},
	"containerLogs": {Kind: tfschema.String, Computed: true},
	"exitCode":      {Kind: tfschema.Int, Computed: true},
	"networkDatas":  {Kind: tfschema.Object, Computed: true},
}

var portSchema = tfschema.Schema{
	"internal": {Kind: tfschema.Int, Required: true, ForceNew: true},
	"external": {Kind: tfschema.Int, Optional: true, Computed: true, ForceNew: true},
	"ip":       {Kind: tfschema.String, Optional: true, ForceNew: true, Default: "0.0.0.0"},
	"protocol": {Kind: tfschema.String, Optional: true, ForceNew: true, Default: "tcp"},
}

// uploadSchema is the `upload` block (a set of objects, every field ForceNew) of terraform-provider-docker
// v4.5.0 resource_docker_container.go. The content never appears in the container's inspect data.
var uploadSchema = tfschema.Schema{
	"file":          {Kind: tfschema.String, Required: true, ForceNew: true},
	"content":       {Kind: tfschema.String, Optional: true, ForceNew: true},
	"contentBase64": {Kind: tfschema.String, Optional: true, ForceNew: true},
	"source":        {Kind: tfschema.String, Optional: true, ForceNew: true},
	"sourceHash":    {Kind: tfschema.String, Optional: true, ForceNew: true},
	"executable":    {Kind: tfschema.Bool, Optional: true, ForceNew: true, Default: false},
	"permissions":   {Kind: tfschema.String, Optional: true, ForceNew: true},
}

// volumeSchema is the `volumes` block (a set of objects, every field ForceNew) of terraform-provider-docker
// v4.5.0 resource_docker_container.go.
var volumeSchema = tfschema.Schema{
	"fromContainer":  {Kind: tfschema.String, Optional: true, ForceNew: true},
	"containerPath":  {Kind: tfschema.String, Optional: true, ForceNew: true},
	"hostPath":       {Kind: tfschema.String, Optional: true, ForceNew: true},
	"volumeName":     {Kind: tfschema.String, Optional: true, ForceNew: true},
	"readOnly":       {Kind: tfschema.Bool, Optional: true, ForceNew: true},
	"selinuxRelabel": {Kind: tfschema.String, Optional: true, ForceNew: true},
}

// capabilitiesSchema is the `capabilities` block (MaxItems 1, so one object under pulumi-docker's names).
var capabilitiesSchema = tfschema.Schema{
	"adds":  {Kind: tfschema.Set, Optional: true, ForceNew: true},
	"drops": {Kind: tfschema.Set, Optional: true, ForceNew: true},
}

func init() {
	for _, name := range []string{"cgroupParent", "cgroupnsMode", "cpuPeriod", "cpuQuota", "cpus",
		"dns", "dnsOpts", "dnsSearches", "gpus", "groupAdds", "logOpts", "pidMode", "storageOpts", "sysctls", "tmpfs",
		"usernsMode"} {
		containerSchema[name] = &tfschema.Field{Kind: tfschema.String, Optional: true, Unsupported: true}
	}
	for _, name := range []string{"deviceReadBps", "deviceReadIops", "deviceRequests", "deviceWriteBps",
		"deviceWriteIops", "devices", "hosts", "mounts", "networksAdvanced", "ulimits"} {
		containerSchema[name] = &tfschema.Field{Kind: tfschema.Object, Optional: true, Unsupported: true}
	}
	// Optional and Computed upstream: Read fills them in, a program that leaves them out sees no diff.
	for _, name := range []string{"healthcheck", "ipcMode", "platform", "runtime", "shmSize",
		"stopSignal", "stopTimeout"} {
		containerSchema[name] = &tfschema.Field{Kind: tfschema.String, Optional: true, Computed: true, Unsupported: true}
	}
	containerSchema["labels"] = &tfschema.Field{Kind: tfschema.Object, Optional: true, Computed: true, ForceNew: true, Unsupported: true}
}

var restartPattern = regexp.MustCompile(`^(no|on-failure|always|unless-stopped)$`)

type Container struct {
	docker *Docker
}

func (r *Container) Check(_ context.Context, req provider.CheckRequest) (provider.CheckResponse, error) {
	inputs, failures := containerSchema.Check(ContainerToken, req.News)
	if v := provider.Plain(inputs["restart"]); v.IsString() && !restartPattern.MatchString(v.StringValue()) {
		failures = append(failures, provider.CheckFailure{Property: "restart",
			Reason: fmt.Sprintf("invalid value for restart (%q): use no, on-failure, always or unless-stopped", v.StringValue())})
	}
	for _, flag := range []string{"attach", "wait"} {
		if on, _ := provider.Bool(inputs, flag, false); on {
			failures = append(failures, provider.CheckFailure{Property: flag,
				Reason: flag + " is not implemented by the docker plugin double; run with the real pulumi-resource-docker plugin"})
		}
	}
	return provider.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

// Diff: pulumi-docker's mapping of docker_container sets DeleteBeforeReplace (provider/resources.go), so a
// replacement removes the old container first: its name and host port are taken until then.
func (r *Container) Diff(_ context.Context, req provider.DiffRequest) (provider.DiffResponse, error) {
	d := containerSchema.Diff(req.OldOutputs, req.News)
	d.DeleteBeforeReplace = len(d.Replaces) > 0
	return d, nil
}

// containerConfig and hostConfig are the bodies of POST /containers/create as resourceDockerContainerCreate
// builds them for the fields the double models.
type containerConfig struct {
	Image        string              `json:"Image"`
	Hostname     string              `json:"Hostname"`
	Domainname   string              `json:"Domainname"`
	Tty          bool                `json:"Tty"`
	OpenStdin    bool                `json:"OpenStdin"`
	Env          []string            `json:"Env,omitempty"`
	Cmd          []string            `json:"Cmd,omitempty"`
	Entrypoint   []string            `json:"Entrypoint,omitempty"`
	User         string              `json:"User,omitempty"`
	WorkingDir   string              `json:"WorkingDir,omitempty"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Volumes      map[string]struct{} `json:"Volumes,omitempty"`
	HostConfig   hostConfig          `json:"HostConfig"`
}

type restartPolicy struct {
	Name              string `json:"Name"`
	MaximumRetryCount int    `json:"MaximumRetryCount"`
}

type portBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

type hostConfig struct {
	Privileged        bool                     `json:"Privileged"`
	PublishAllPorts   bool                     `json:"PublishAllPorts"`
	RestartPolicy     restartPolicy            `json:"RestartPolicy"`
	AutoRemove        bool                     `json:"AutoRemove"`
	ReadonlyRootfs    bool                     `json:"ReadonlyRootfs"`
	LogConfig         struct{ Type string }    `json:"LogConfig"`
	PortBindings      map[string][]portBinding `json:"PortBindings,omitempty"`
	NetworkMode       string                   `json:"NetworkMode,omitempty"`
	Memory            int64                    `json:"Memory,omitempty"`
	MemoryReservation int64                    `json:"MemoryReservation,omitempty"`
	MemorySwap        int64                    `json:"MemorySwap,omitempty"`
	CPUShares         int64                    `json:"CpuShares,omitempty"`
	CpusetCpus        string                   `json:"CpusetCpus,omitempty"`
	Init              *bool                    `json:"Init"`
	Binds             []string                 `json:"Binds,omitempty"`
	VolumesFrom       []string                 `json:"VolumesFrom,omitempty"`
	CapAdd            []string                 `json:"CapAdd,omitempty"`
	CapDrop           []string                 `json:"CapDrop,omitempty"`
	SecurityOpt       []string                 `json:"SecurityOpt,omitempty"`
	// Non-nil (empty) only for the security option systempaths=unconfined, as parseSystemPaths returns them.
	MaskedPaths   []string `json:"MaskedPaths,omitempty"`
	ReadonlyPaths []string `json:"ReadonlyPaths,omitempty"`
}

type port struct {
	internal, external int
	ip, protocol       string
}

func readPorts(inputs resource.PropertyMap) ([]port, error) {
	v := provider.Plain(inputs["ports"])
	if v.IsNull() {
		return nil, nil
	}
	var ports []port
	for i, item := range v.ArrayValue() {
		obj := provider.Plain(item).ObjectValue()
		var p port
		var err error
		if p.internal, err = provider.Int(obj, "internal", 0); err != nil {
			return nil, fmt.Errorf("ports[%d].%w", i, err)
		}
		if p.external, err = provider.Int(obj, "external", 0); err != nil {
			return nil, fmt.Errorf("ports[%d].%w", i, err)
		}
		p.ip, _ = provider.String(obj, "ip")
		p.protocol, _ = provider.String(obj, "protocol")
		ports = append(ports, p)
	}
	return ports, nil
}

// readVolumes is volumeSetToDockerVolumes: a bind or named volume ("source:path:rw|ro[,z|Z]") with its path
// declared in Config.Volumes, a source container for VolumesFrom, or an anonymous volume (the path alone).
func readVolumes(inputs resource.PropertyMap) (paths map[string]struct{}, binds, from []string, err error) {
	v := provider.Plain(inputs["volumes"])
	if v.IsNull() {
		return nil, nil, nil, nil
	}
	for _, item := range v.ArrayValue() {
		obj := provider.Plain(item).ObjectValue()
		fromContainer, _ := provider.String(obj, "fromContainer")
		containerPath, _ := provider.String(obj, "containerPath")
		source, _ := provider.String(obj, "volumeName")
		if hostPath, _ := provider.String(obj, "hostPath"); hostPath != "" {
			source = hostPath
		}
		switch {
		case fromContainer == "" && containerPath == "":
			return nil, nil, nil, errors.New("volume entry without container path or source container")
		case fromContainer != "" && containerPath != "":
			return nil, nil, nil, errors.New("both a container and a path specified in a volume entry")
		case fromContainer != "":
			from = append(from, fromContainer)
			continue
		}
		if paths == nil {
			paths = map[string]struct{}{}
		}
		paths[containerPath] = struct{}{}
		if source != "" {
			mode := "rw"
			if readOnly, _ := provider.Bool(obj, "readOnly", false); readOnly {
				mode = "ro"
			}
			if relabel, _ := provider.String(obj, "selinuxRelabel"); relabel != "" {
				mode += "," + relabel
			}
			binds = append(binds, source+":"+containerPath+":"+mode)
		}
	}
	return paths, binds, from, nil
}

// readCapabilities is the create loop over the `capabilities` block: its adds and drops as given.
func readCapabilities(inputs resource.PropertyMap) (add, drop []string, err error) {
	v := provider.Plain(inputs["capabilities"])
	if v.IsNull() {
		return nil, nil, nil
	}
	obj := v.ObjectValue()
	if add, err = provider.Strings(obj, "adds"); err != nil {
		return nil, nil, err
	}
	drop, err = provider.Strings(obj, "drops")
	return add, drop, err
}

// parseSystemPaths is the provider's: "systempaths=unconfined" is no security option for the engine but
// empty MaskedPaths and ReadonlyPaths.
func parseSystemPaths(opts []string) (filtered, masked, readonly []string) {
	for _, opt := range opts {
		if opt == "systempaths=unconfined" {
			masked, readonly = []string{}, []string{}
		} else {
			filtered = append(filtered, opt)
		}
	}
	return filtered, masked, readonly
}

func buildCreateBody(inputs resource.PropertyMap) (string, containerConfig, error) {
	var c containerConfig
	var err error
	get := func(key string) string { s, e := provider.String(inputs, key); err = errors.Join(err, e); return s }
	getInt := func(key string) int { n, e := provider.Int(inputs, key, 0); err = errors.Join(err, e); return n }
	getBool := func(key string) bool { b, e := provider.Bool(inputs, key, false); err = errors.Join(err, e); return b }
	getList := func(key string) []string { l, e := provider.Strings(inputs, key); err = errors.Join(err, e); return l }

	name := get("name")
	c.Image, c.Hostname, c.Domainname = get("image"), get("hostname"), get("domainname")
	c.Tty, c.OpenStdin = getBool("tty"), getBool("stdinOpen")
	c.Env, c.Cmd, c.Entrypoint = getList("envs"), getList("command"), getList("entrypoints")
	for _, arg := range c.Cmd {
		if arg == "" {
			return "", c, errors.New("values for command may not be empty")
		}
	}
	c.User, c.WorkingDir = get("user"), get("workingDir")
	h := &c.HostConfig
	h.Privileged, h.PublishAllPorts = getBool("privileged"), getBool("publishAllPorts")
	h.RestartPolicy = restartPolicy{Name: get("restart"), MaximumRetryCount: getInt("maxRetryCount")}
	h.AutoRemove, h.ReadonlyRootfs = getBool("rm"), getBool("readOnly")
	h.LogConfig.Type = get("logDriver")
	h.NetworkMode = get("networkMode")
	h.Memory = int64(getInt("memory")) * 1024 * 1024
	h.MemoryReservation = int64(getInt("memoryReservation")) * 1024 * 1024
	if swap := int64(getInt("memorySwap")); swap > 0 {
		h.MemorySwap = swap * 1024 * 1024
	} else {
		h.MemorySwap = swap
	}
	h.CPUShares, h.CpusetCpus = int64(getInt("cpuShares")), get("cpuSet")
	initFlag := getBool("init")
	h.Init = &initFlag
	h.SecurityOpt, h.MaskedPaths, h.ReadonlyPaths = parseSystemPaths(getList("securityOpts"))
	if err != nil {
		return "", c, err
	}
	if h.CapAdd, h.CapDrop, err = readCapabilities(inputs); err != nil {
		return "", c, err
	}
	if c.Volumes, h.Binds, h.VolumesFrom, err = readVolumes(inputs); err != nil {
		return "", c, fmt.Errorf("Unable to parse volumes: %s", err)
	}
	ports, err := readPorts(inputs)
	if err != nil {
		return "", c, err
	}
	for _, p := range ports {
		key := strconv.Itoa(p.internal) + "/" + p.protocol
		if c.ExposedPorts == nil {
			c.ExposedPorts, h.PortBindings = map[string]struct{}{}, map[string][]portBinding{}
		}
		c.ExposedPorts[key] = struct{}{}
		binding := portBinding{HostIP: p.ip}
		if p.external != 0 {
			binding.HostPort = strconv.Itoa(p.external)
		}
		h.PortBindings[key] = append(h.PortBindings[key], binding)
	}
	return name, c, nil
}

func (r *Container) Create(ctx context.Context, req provider.CreateRequest) (provider.CreateResponse, error) {
	if req.Preview {
		return provider.CreateResponse{Properties: containerSchema.PlannedCreate(req.Properties)}, nil
	}
	engine, err := r.docker.engine(ctx)
	if err != nil {
		return provider.CreateResponse{}, fmt.Errorf("failed to create Docker client: %w", err)
	}
	name, body, err := buildCreateBody(req.Properties)
	if err != nil {
		return provider.CreateResponse{}, err
	}
	if err := findImage(ctx, engine, body.Image); err != nil {
		return provider.CreateResponse{}, fmt.Errorf("Unable to create container with image %s: %s", body.Image, err)
	}
	var created struct {
		ID string `json:"Id"`
	}
	if err := engine.call(ctx, "POST", "/containers/create", url.Values{"name": {name}}, body, &created); err != nil {
		return provider.CreateResponse{}, fmt.Errorf("Unable to create container: %s", err)
	}
	if err := uploadFiles(ctx, engine, created.ID, req.Properties); err != nil {
		return provider.CreateResponse{}, &provider.InitError{ID: created.ID, Properties: req.Properties, Reason: err}
	}
	start, _ := provider.Bool(req.Properties, "start", true)
	if start {
		if err := engine.call(ctx, "POST", "/containers/"+created.ID+"/start", nil, nil, nil); err != nil {
			// The container exists: keep it in the state so that the next run replaces or deletes it.
			return provider.CreateResponse{}, &provider.InitError{ID: created.ID, Properties: req.Properties,
				Reason: fmt.Errorf("Unable to start container: %s", err)}
		}
	}
	state, gone, err := r.read(ctx, engine, created.ID, req.Properties)
	if err != nil || gone {
		if err == nil {
			err = fmt.Errorf("container %s disappeared right after it was created", created.ID)
		}
		return provider.CreateResponse{}, &provider.InitError{ID: created.ID, Properties: req.Properties, Reason: err}
	}
	return provider.CreateResponse{ID: created.ID, Properties: state}, nil
}

// uploadFiles is resourceDockerContainerCreate's upload loop: each file as a one-entry tar archive whose entry
// name is the absolute path, copied to "/" before the container starts; mode from permissions (octal), else
// 0744 when executable, else 0644. Exactly one of content, contentBase64 and source.
func uploadFiles(ctx context.Context, engine *Engine, id string, inputs resource.PropertyMap) error {
	uploads := provider.Plain(inputs["uploads"])
	if uploads.IsNull() {
		return nil
	}
	for _, item := range uploads.ArrayValue() {
		upload := provider.Plain(item).ObjectValue()
		file, _ := provider.String(upload, "file")
		content, _ := provider.String(upload, "content")
		contentBase64, _ := provider.String(upload, "contentBase64")
		source, _ := provider.String(upload, "source")
		given := 0
		for _, v := range []string{content, contentBase64, source} {
			if v != "" {
				given++
			}
		}
		switch {
		case given == 0:
			return errors.New("error with upload content: one of 'content', 'content_base64', or 'source' must be set")
		case given > 1:
			return errors.New("error with upload content: only one of 'content', 'content_base64', or 'source' can be set")
		}
		data := []byte(content)
		if contentBase64 != "" {
			data, _ = base64.StdEncoding.DecodeString(contentBase64)
		}
		if source != "" {
			var err error
			if data, err = os.ReadFile(source); err != nil {
				return fmt.Errorf("could not read file: %s", err)
			}
		}
		mode := int64(0o644)
		if executable, _ := provider.Bool(upload, "executable", false); executable {
			mode = 0o744
		}
		if permissions, _ := provider.String(upload, "permissions"); permissions != "" {
			parsed, err := strconv.ParseInt(permissions, 8, 32)
			if err != nil {
				return fmt.Errorf("Error parsing permission: %s", err)
			}
			mode = parsed
		}
		var archive bytes.Buffer
		tw := tar.NewWriter(&archive)
		if err := tw.WriteHeader(&tar.Header{Name: file, Mode: mode, Size: int64(len(data)), ModTime: time.Now()}); err != nil {
			return fmt.Errorf("Error creating tar archive: %s", err)
		}
		if _, err := tw.Write(data); err != nil {
			return fmt.Errorf("Error creating tar archive: %s", err)
		}
		if err := tw.Close(); err != nil {
			return fmt.Errorf("Error creating tar archive: %s", err)
		}
		if err := engine.call(ctx, "PUT", "/containers/"+id+"/archive", url.Values{"path": {"/"}}, &archive, nil); err != nil {
			return fmt.Errorf("Unable to upload volume content: %s", err)
		}
	}
	return nil
}

// findImage is terraform-provider-docker's findImage: the image must be in the engine (by name or id),
// else it is pulled.
func findImage(ctx context.Context, engine *Engine, image string) error {
	if image == "" {
		return errors.New("empty image name is not allowed")
	}
	err := engine.call(ctx, "GET", "/images/"+url.PathEscape(image)+"/json", nil, nil, nil)
	if err == nil || !IsNotFound(err) {
		return err
	}
	resp, err := engine.do(ctx, "POST", "/images/create", url.Values{"fromImage": {image}}, nil, nil)
	if err != nil {
		return fmt.Errorf("unable to pull image %s: %s", image, err)
	}
	defer resp.Body.Close()
	if err := readStream(resp.Body, func(jsonMessage) error { return nil }); err != nil {
		return fmt.Errorf("unable to pull image %s: %s", image, err)
	}
	return nil
}

// inspect is the part of GET /containers/{id}/json the state is read from.
type inspect struct {
	ID    string `json:"Id"`
	Name  string `json:"Name"`
	Image string `json:"Image"`
	State struct {
		Running  bool `json:"Running"`
		ExitCode int  `json:"ExitCode"`
	} `json:"State"`
	Config struct {
		Image       string   `json:"Image"`
		Hostname    string   `json:"Hostname"`
		Domainname  string   `json:"Domainname"`
		User        string   `json:"User"`
		Cmd         []string `json:"Cmd"`
		Entrypoint  []string `json:"Entrypoint"`
		WorkingDir  string   `json:"WorkingDir"`
		Tty         bool     `json:"Tty"`
		OpenStdin   bool     `json:"OpenStdin"`
		StopSignal  string   `json:"StopSignal"`
		StopTimeout *int     `json:"StopTimeout"`
		Healthcheck *struct {
			Test          []string      `json:"Test"`
			Interval      time.Duration `json:"Interval"`
			Timeout       time.Duration `json:"Timeout"`
			StartPeriod   time.Duration `json:"StartPeriod"`
			StartInterval time.Duration `json:"StartInterval"`
			Retries       int           `json:"Retries"`
		} `json:"Healthcheck"`
	} `json:"Config"`
	Platform   string `json:"Platform"`
	HostConfig struct {
		AutoRemove        bool          `json:"AutoRemove"`
		ReadonlyRootfs    bool          `json:"ReadonlyRootfs"`
		PublishAllPorts   bool          `json:"PublishAllPorts"`
		Privileged        bool          `json:"Privileged"`
		RestartPolicy     restartPolicy `json:"RestartPolicy"`
		Init              *bool         `json:"Init"`
		NetworkMode       string        `json:"NetworkMode"`
		Memory            int64         `json:"Memory"`
		MemoryReservation int64         `json:"MemoryReservation"`
		MemorySwap        int64         `json:"MemorySwap"`
		CPUShares         int64         `json:"CpuShares"`
		CpusetCpus        string        `json:"CpusetCpus"`
		IpcMode           string        `json:"IpcMode"`
		Runtime           string        `json:"Runtime"`
		ShmSize           int64         `json:"ShmSize"`
		UsernsMode        string        `json:"UsernsMode"`
		SecurityOpt       []string      `json:"SecurityOpt"`
		CapAdd            []string      `json:"CapAdd"`
		CapDrop           []string      `json:"CapDrop"`
		DNS               []string      `json:"Dns"`
		DNSOptions        []string      `json:"DnsOptions"`
		DNSSearch         []string      `json:"DnsSearch"`
		ExtraHosts        []string      `json:"ExtraHosts"`
		LogConfig         struct {
			Type string `json:"Type"`
		} `json:"LogConfig"`
	} `json:"HostConfig"`
	NetworkSettings *struct {
		Bridge   string                   `json:"Bridge"`
		Ports    map[string][]portBinding `json:"Ports"`
		Networks map[string]struct {
			IPAddress           string `json:"IPAddress"`
			IPPrefixLen         int    `json:"IPPrefixLen"`
			Gateway             string `json:"Gateway"`
			GlobalIPv6Address   string `json:"GlobalIPv6Address"`
			GlobalIPv6PrefixLen int    `json:"GlobalIPv6PrefixLen"`
			IPv6Gateway         string `json:"IPv6Gateway"`
			MacAddress          string `json:"MacAddress"`
		} `json:"Networks"`
	} `json:"NetworkSettings"`
}

// read is resourceDockerContainerRead: gone when the engine no longer lists the container; otherwise the
// state is the planned inputs overlaid with what inspect reports (env and labels are not read back, as
// upstream decided; a stopped container that must run gets mustRun=false, so the next run starts it).
func (r *Container) read(ctx context.Context, engine *Engine, id string, planned resource.PropertyMap) (resource.PropertyMap, bool, error) {
	var list []struct {
		ID string `json:"Id"`
	}
	if err := engine.call(ctx, "GET", "/containers/json", url.Values{"all": {"1"}}, nil, &list); err != nil {
		return nil, false, fmt.Errorf("error fetching container information from Docker: %s", err)
	}
	found := false
	for _, c := range list {
		found = found || c.ID == id
	}
	if !found {
		return nil, true, nil
	}
	var c inspect
	if err := engine.call(ctx, "GET", "/containers/"+id+"/json", nil, nil, &c); err != nil {
		return nil, false, err
	}
	state := planned.Copy()
	delete(state, "__defaults")
	set := func(key string, v any) { state[resource.PropertyKey(key)] = resource.NewPropertyValue(v) }
	mustRun, _ := provider.Bool(planned, "mustRun", true)
	if c.NetworkSettings != nil {
		set("bridge", c.NetworkSettings.Bridge)
		if (c.State.Running || mustRun) && provider.Set(planned, "ports") {
			state["ports"] = provider.SecretIf(planned["ports"], flattenPorts(c.NetworkSettings.Ports))
		}
		state["networkDatas"] = flattenNetworks(c)
	}
	if !c.State.Running {
		set("exitCode", c.State.ExitCode)
		if mustRun {
			set("mustRun", false)
		}
	}
	set("name", strings.TrimLeft(c.Name, "/"))
	set("rm", c.HostConfig.AutoRemove)
	set("readOnly", c.HostConfig.ReadonlyRootfs)
	if image, _ := provider.String(planned, "image"); strings.HasPrefix(image, "sha256:") {
		set("image", c.Image)
	} else {
		set("image", c.Config.Image)
	}
	set("hostname", c.Config.Hostname)
	set("domainname", c.Config.Domainname)
	state["command"] = provider.StringList(c.Config.Cmd)
	state["entrypoints"] = provider.StringList(c.Config.Entrypoint)
	set("user", c.Config.User)
	set("publishAllPorts", c.HostConfig.PublishAllPorts)
	set("restart", c.HostConfig.RestartPolicy.Name)
	set("maxRetryCount", c.HostConfig.RestartPolicy.MaximumRetryCount)
	set("init", c.HostConfig.Init != nil && *c.HostConfig.Init)
	set("workingDir", c.Config.WorkingDir)
	set("privileged", c.HostConfig.Privileged)
	set("memory", c.HostConfig.Memory/1024/1024)
	set("memoryReservation", c.HostConfig.MemoryReservation/1024/1024)
	if c.HostConfig.MemorySwap > 0 {
		set("memorySwap", c.HostConfig.MemorySwap/1024/1024)
	} else {
		set("memorySwap", c.HostConfig.MemorySwap)
	}
	set("cpuShares", c.HostConfig.CPUShares)
	set("cpuSet", c.HostConfig.CpusetCpus)
	set("logDriver", c.HostConfig.LogConfig.Type)
	set("networkMode", c.HostConfig.NetworkMode)
	set("tty", c.Config.Tty)
	set("stdinOpen", c.Config.OpenStdin)
	set("ipcMode", c.HostConfig.IpcMode)
	set("platform", c.Platform)
	set("runtime", c.HostConfig.Runtime)
	set("shmSize", c.HostConfig.ShmSize/1024/1024)
	set("stopSignal", c.Config.StopSignal)
	stopTimeout := 0
	if c.Config.StopTimeout != nil {
		stopTimeout = *c.Config.StopTimeout
	}
	set("stopTimeout", stopTimeout)
	set("usernsMode", c.HostConfig.UsernsMode)
	// The image's HEALTHCHECK, as Read sets it (healthcheck has MaxItems 1: the bridge shows an object).
	if h := c.Config.Healthcheck; h != nil {
		state["healthcheck"] = resource.NewProperty(resource.PropertyMap{
			"tests":         provider.StringList(h.Test),
			"interval":      resource.NewProperty(h.Interval.String()),
			"timeout":       resource.NewProperty(h.Timeout.String()),
			"startPeriod":   resource.NewProperty(h.StartPeriod.String()),
			"startInterval": resource.NewProperty(h.StartInterval.String()),
			"retries":       resource.NewProperty(float64(h.Retries)),
		})
	}
	state["securityOpts"] = provider.StringList(c.HostConfig.SecurityOpt)
	if len(c.HostConfig.CapAdd) > 0 || len(c.HostConfig.CapDrop) > 0 {
		state["capabilities"] = resource.NewProperty(resource.PropertyMap{
			"adds":  provider.StringList(c.HostConfig.CapAdd),
			"drops": provider.StringList(c.HostConfig.CapDrop),
		})
	}
	for key, values := range map[string][]string{"dns": c.HostConfig.DNS, "dnsOpts": c.HostConfig.DNSOptions, "dnsSearches": c.HostConfig.DNSSearch} {
		if values != nil {
			state[resource.PropertyKey(key)] = provider.StringList(values)
		}
	}
	return containerSchema.Outputs(id, state), false, nil
}

func secretLike(like, v resource.PropertyValue) resource.PropertyValue {
	return provider.SecretIf(like, v)
}

// flattenPorts lists the bindings ordered by container port, as flattenContainerPorts does.
func flattenPorts(in map[string][]portBinding) resource.PropertyValue {
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	portOf := func(k string) int { n, _ := strconv.Atoi(strings.SplitN(k, "/", 2)[0]); return n }
	sort.SliceStable(keys, func(i, j int) bool { return portOf(keys[i]) < portOf(keys[j]) })
	var out []resource.PropertyValue
	for _, k := range keys {
		parts := strings.SplitN(k, "/", 2)
		for _, b := range in[k] {
			external, _ := strconv.Atoi(b.HostPort)
			out = append(out, resource.NewProperty(resource.PropertyMap{
				"internal": resource.NewProperty(float64(portOf(k))),
				"external": resource.NewProperty(float64(external)),
				"ip":       resource.NewProperty(b.HostIP),
				"protocol": resource.NewProperty(parts[1]),
			}))
		}
	}
	return resource.NewProperty(out)
}

func flattenNetworks(c inspect) resource.PropertyValue {
	names := make([]string, 0, len(c.NetworkSettings.Networks))
	for name := range c.NetworkSettings.Networks {
		names = append(names, name)
	}
	sort.Strings(names)
	out := []resource.PropertyValue{}
	for _, name := range names {
		n := c.NetworkSettings.Networks[name]
		out = append(out, resource.NewProperty(resource.PropertyMap{
			"networkName":            resource.NewProperty(name),
			"ipAddress":              resource.NewProperty(n.IPAddress),
			"ipPrefixLength":         resource.NewProperty(float64(n.IPPrefixLen)),
			"gateway":                resource.NewProperty(n.Gateway),
			"globalIpv6Address":      resource.NewProperty(n.GlobalIPv6Address),
			"globalIpv6PrefixLength": resource.NewProperty(float64(n.GlobalIPv6PrefixLen)),
			"ipv6Gateway":            resource.NewProperty(n.IPv6Gateway),
			"macAddress":             resource.NewProperty(n.MacAddress),
		}))
	}
	return resource.NewProperty(out)
}

func (r *Container) Read(ctx context.Context, req provider.ReadRequest) (provider.ReadResponse, error) {
	engine, err := r.docker.engine(ctx)
	if err != nil {
		return provider.ReadResponse{}, fmt.Errorf("failed to create Docker client: %w", err)
	}
	planned := req.Properties
	if len(req.Inputs) > 0 {
		planned = containerSchema.Planned(req.Properties, req.Inputs)
	}
	state, gone, err := r.read(ctx, engine, req.ID, planned)
	if err != nil || gone {
		return provider.ReadResponse{}, err
	}
	return provider.ReadResponse{ID: req.ID, Properties: state, Inputs: req.Inputs}, nil
}

// Update is resourceDockerContainerUpdate: start the container when mustRun went from false to true, and
// send restart policy and resources when one of them changed (everything else is ForceNew).
func (r *Container) Update(ctx context.Context, req provider.UpdateRequest) (provider.UpdateResponse, error) {
	planned := containerSchema.Planned(req.OldOutputs, req.News)
	if req.Preview {
		return provider.UpdateResponse{Properties: planned}, nil
	}
	engine, err := r.docker.engine(ctx)
	if err != nil {
		return provider.UpdateResponse{}, fmt.Errorf("failed to create Docker client: %w", err)
	}
	oldMustRun, _ := provider.Bool(req.OldOutputs, "mustRun", true)
	newMustRun, _ := provider.Bool(req.News, "mustRun", true)
	if start, _ := provider.Bool(req.News, "start", true); !oldMustRun && newMustRun && start {
		if err := engine.call(ctx, "POST", "/containers/"+req.ID+"/start", nil, nil, nil); err != nil {
			return provider.UpdateResponse{}, fmt.Errorf("Unable to start container: %s", err)
		}
	}
	changed := containerSchema.Diff(req.OldOutputs, req.News).DetailedDiff
	for _, key := range []string{"restart", "maxRetryCount", "cpuShares", "memory", "memoryReservation", "cpuSet", "memorySwap"} {
		if _, ok := changed[key]; !ok {
			continue
		}
		_, body, err := buildCreateBody(planned)
		if err != nil {
			return provider.UpdateResponse{}, err
		}
		h := body.HostConfig
		update := map[string]any{
			"RestartPolicy": h.RestartPolicy, "CpuShares": h.CPUShares, "Memory": h.Memory,
			"MemoryReservation": h.MemoryReservation, "CpusetCpus": h.CpusetCpus,
		}
		if h.MemorySwap != 0 {
			update["MemorySwap"] = h.MemorySwap
		}
		if err := engine.call(ctx, "POST", "/containers/"+req.ID+"/update", nil, update, nil); err != nil {
			return provider.UpdateResponse{}, fmt.Errorf("Unable to update a container: %v", err)
		}
		break
	}
	state, gone, err := r.read(ctx, engine, req.ID, planned)
	if err != nil {
		return provider.UpdateResponse{}, err
	}
	if gone {
		return provider.UpdateResponse{}, fmt.Errorf("container %s is gone", req.ID)
	}
	return provider.UpdateResponse{Properties: state}, nil
}

// Delete is resourceDockerContainerDelete: stop (SIGTERM, then SIGKILL after destroyGraceSeconds, 0 by
// default), remove with force (and its anonymous volumes unless removeVolumes is false), then wait until it
// is no longer running (removed, with rm); "No such container" at any step means done.
func (r *Container) Delete(ctx context.Context, req provider.DeleteRequest) error {
	engine, err := r.docker.engine(ctx)
	if err != nil {
		return fmt.Errorf("failed to create Docker client: %w", err)
	}
	grace, _ := provider.Int(req.Properties, "destroyGraceSeconds", 0)
	if grace < 0 {
		grace = 0
	}
	if err := engine.call(ctx, "POST", "/containers/"+req.ID+"/stop", url.Values{"t": {strconv.Itoa(grace)}}, nil, nil); err != nil && !IsNotFound(err) {
		return fmt.Errorf("Error stopping container %s: %s", req.ID, err)
	}
	removeVolumes, _ := provider.Bool(req.Properties, "removeVolumes", true)
	q := url.Values{"force": {"1"}}
	if removeVolumes {
		q.Set("v", "1")
	}
	if err := engine.call(ctx, "DELETE", "/containers/"+req.ID, q, nil, nil); err != nil && !IsNotFound(err) &&
		!strings.Contains(err.Error(), "is already in progress") {
		return fmt.Errorf("Error deleting container %s: %s", req.ID, err)
	}
	condition := "not-running"
	if rm, _ := provider.Bool(req.Properties, "rm", false); rm {
		condition = "removed"
	}
	if err := engine.call(ctx, "POST", "/containers/"+req.ID+"/wait", url.Values{"condition": {condition}}, nil, nil); err != nil &&
		!IsNotFound(err) && !strings.Contains(err.Error(), "is already in progress") {
		return fmt.Errorf("Error waiting for container removal '%s': %s", req.ID, err)
	}
	return nil
}
