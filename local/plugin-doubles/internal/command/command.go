// Package command is the double of pulumi-command 1.2.1's command:local:Command (provider/pkg/provider/local
// in github.com/pulumi/pulumi-command, built on pulumi-go-provider 1.3.0's infer): the same inputs and
// outputs, the same diff (old inputs against new, `triggers` replaces, everything else updates), the same
// command runs (interpreter, dir, environment, stdin, PULUMI_COMMAND_STDOUT/STDERR), the same preview
// behaviour (nothing runs, stdout/stderr unknown).
package command

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"logto-entra-sso/plugin-doubles/internal/provider"
)

const Token = "command:local:Command"

// The inputs of command:local:Command (schema.json of pulumi-command v1.2.1) and their kinds.
var inputKinds = map[string]string{
	"create": "string", "update": "string", "delete": "string", "triggers": "array",
	"stdin": "string", "logging": "string", "interpreter": "strings", "dir": "string",
	"environment": "map", "assetPaths": "strings", "archivePaths": "strings", "addPreviousOutputInEnv": "bool",
}

var loggingValues = []string{"stdout", "stderr", "stdoutAndStderr", "none"}

// Package is the command provider double.
func Package(host *provider.Host) provider.Package {
	c := &Command{host: host}
	return provider.Package{
		Name:      "command",
		Version:   Version,
		Resources: map[string]provider.Resource{Token: c},
	}
}

// Version is the pulumi-command release this double models (package-lock.json's @pulumi/command).
const Version = "1.2.1"

type Command struct {
	host *provider.Host
}

func (c *Command) Check(_ context.Context, req provider.CheckRequest) (provider.CheckResponse, error) {
	var failures []provider.CheckFailure
	for _, key := range provider.Keys(req.News) {
		v := provider.Plain(req.News[resource.PropertyKey(key)])
		kind, known := inputKinds[key]
		if !known {
			if strings.HasPrefix(key, "__") {
				continue
			}
			failures = append(failures, provider.CheckFailure{Property: key,
				Reason: fmt.Sprintf("%s is not an input of %s; use one of %s", key, Token, strings.Join(sortedInputs(), ", "))})
			continue
		}
		if v.IsNull() || !provider.Known(v) {
			continue
		}
		if reason := kindProblem(key, kind, v); reason != "" {
			failures = append(failures, provider.CheckFailure{Property: key, Reason: reason})
		}
	}
	return provider.CheckResponse{Inputs: req.News, Failures: failures}, nil
}

func sortedInputs() []string {
	out := make([]string, 0, len(inputKinds))
	for k := range inputKinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func kindProblem(key, kind string, v resource.PropertyValue) string {
	m := resource.PropertyMap{resource.PropertyKey(key): v}
	var err error
	switch kind {
	case "string":
		_, err = provider.String(m, key)
		if err == nil && key == "logging" && !contains(loggingValues, v.StringValue()) {
			return fmt.Sprintf("logging is %q: use one of %s", v.StringValue(), strings.Join(loggingValues, ", "))
		}
	case "strings":
		_, err = provider.Strings(m, key)
	case "map":
		_, err = provider.StringMap(m, key)
	case "bool":
		_, err = provider.Bool(m, key, false)
	case "array":
		if !v.IsArray() {
			err = fmt.Errorf("%s must be a list, got %s", key, v.TypeString())
		}
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// Diff compares the old inputs with the new ones, as infer's default diff does when the engine sends old
// inputs; the SDK adds `replaceOnChanges: ["triggers[*]"]`, the provider marks `triggers` as a whole.
func (c *Command) Diff(_ context.Context, req provider.DiffRequest) (provider.DiffResponse, error) {
	olds, news := withoutInternal(req.OldInputs), withoutInternal(req.News)
	objDiff := olds.Diff(news)
	resp := provider.DiffResponse{DetailedDiff: map[string]provider.PropertyDiff{}}
	if objDiff == nil {
		return resp, nil
	}
	resp.Changes = objDiff.AnyChanges()
	for path, d := range plugin.NewDetailedDiffFromObjectDiff(objDiff, false) {
		kind := rpcKind(d.Kind)
		if path == "triggers" {
			kind = asReplace(kind)
		}
		resp.DetailedDiff[path] = provider.PropertyDiff{Kind: kind}
	}
	return resp, nil
}

func withoutInternal(m resource.PropertyMap) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range m {
		if k != "version" && !strings.HasPrefix(string(k), "__") {
			out[k] = v
		}
	}
	return out
}

func rpcKind(k plugin.DiffKind) pulumirpc.PropertyDiff_Kind {
	switch k {
	case plugin.DiffAdd:
		return pulumirpc.PropertyDiff_ADD
	case plugin.DiffAddReplace:
		return pulumirpc.PropertyDiff_ADD_REPLACE
	case plugin.DiffDelete:
		return pulumirpc.PropertyDiff_DELETE
	case plugin.DiffDeleteReplace:
		return pulumirpc.PropertyDiff_DELETE_REPLACE
	case plugin.DiffUpdateReplace:
		return pulumirpc.PropertyDiff_UPDATE_REPLACE
	default:
		return pulumirpc.PropertyDiff_UPDATE
	}
}

func asReplace(k pulumirpc.PropertyDiff_Kind) pulumirpc.PropertyDiff_Kind {
	switch k {
	case pulumirpc.PropertyDiff_ADD:
		return pulumirpc.PropertyDiff_ADD_REPLACE
	case pulumirpc.PropertyDiff_DELETE:
		return pulumirpc.PropertyDiff_DELETE_REPLACE
	case pulumirpc.PropertyDiff_UPDATE:
		return pulumirpc.PropertyDiff_UPDATE_REPLACE
	}
	return k
}

// Create runs `create` (nothing during preview, where stdout and stderr are unknown). The id is the
// resource name and 8 random hex characters, as infer's resource.NewUniqueHex(name, 8, 0) makes it.
func (c *Command) Create(ctx context.Context, req provider.CreateRequest) (provider.CreateResponse, error) {
	id, err := resource.NewUniqueHex(req.URN.Name(), 8, 0)
	if err != nil {
		return provider.CreateResponse{}, err
	}
	state := req.Properties.Copy()
	if req.Preview {
		state["stdout"], state["stderr"] = provider.Unknown(), provider.Unknown()
		return provider.CreateResponse{ID: id, Properties: state}, nil
	}
	create, err := provider.String(req.Properties, "create")
	if err != nil {
		return provider.CreateResponse{}, err
	}
	outputs := runOutputs{}
	if create != "" {
		if outputs, err = c.run(ctx, req.URN, create, req.Properties, outputs); err != nil {
			return provider.CreateResponse{}, err
		}
	}
	outputs.setOn(state)
	return provider.CreateResponse{ID: id, Properties: state}, nil
}

// Read returns the state as it is: a command has nothing to refresh (infer's default Read).
func (c *Command) Read(_ context.Context, req provider.ReadRequest) (provider.ReadResponse, error) {
	return provider.ReadResponse{ID: req.ID, Properties: req.Properties, Inputs: req.Inputs}, nil
}

// Update runs `update`, or `create` when there is no `update`, with the previous stdout/stderr in
// PULUMI_COMMAND_STDOUT/STDERR. During preview nothing runs; stdout/stderr are unknown because inputs
// changed (infer's computedness flow: every output depends on every input).
func (c *Command) Update(ctx context.Context, req provider.UpdateRequest) (provider.UpdateResponse, error) {
	previous := runOutputs{}
	previous.getFrom(req.OldOutputs)
	state := req.News.Copy()
	if req.Preview {
		state["stdout"], state["stderr"] = provider.Unknown(), provider.Unknown()
		return provider.UpdateResponse{Properties: state}, nil
	}
	script, err := provider.String(req.News, "update")
	if err != nil {
		return provider.UpdateResponse{}, err
	}
	if script == "" {
		if script, err = provider.String(req.News, "create"); err != nil {
			return provider.UpdateResponse{}, err
		}
	}
	outputs := previous
	if script != "" {
		if outputs, err = c.run(ctx, req.URN, script, req.News, previous); err != nil {
			return provider.UpdateResponse{}, err
		}
	}
	outputs.setOn(state)
	return provider.UpdateResponse{Properties: state}, nil
}

// Delete runs `delete` with the settings and outputs kept in the state.
func (c *Command) Delete(ctx context.Context, req provider.DeleteRequest) error {
	script, err := provider.String(req.Properties, "delete")
	if err != nil || script == "" {
		return err
	}
	previous := runOutputs{}
	previous.getFrom(req.Properties)
	_, err = c.run(ctx, req.URN, script, req.Properties, previous)
	return err
}

type runOutputs struct{ stdout, stderr string }

func (o *runOutputs) getFrom(state resource.PropertyMap) {
	o.stdout, _ = provider.String(state, "stdout")
	o.stderr, _ = provider.String(state, "stderr")
}

func (o runOutputs) setOn(state resource.PropertyMap) {
	state["stdout"], state["stderr"] = resource.NewProperty(o.stdout), resource.NewProperty(o.stderr)
}

// run executes script like pulumi-command's local run(): interpreter (default /bin/sh -c), dir (default
// the provider's working directory), the provider's environment plus `environment`, previous outputs in
// PULUMI_COMMAND_STDOUT/STDERR unless addPreviousOutputInEnv is false, stdin, and each output line shown
// as a status line under the resource unless `logging` says otherwise.
func (c *Command) run(ctx context.Context, urn resource.URN, script string, in resource.PropertyMap,
	previous runOutputs,
) (runOutputs, error) {
	settings, err := readSettings(in)
	if err != nil {
		return runOutputs{}, err
	}
	args := append(append([]string{}, settings.interpreter...), script)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	if cmd.Dir = settings.dir; cmd.Dir == "" {
		if cmd.Dir, err = os.Getwd(); err != nil {
			return runOutputs{}, err
		}
	}
	cmd.Env = os.Environ()
	for k, v := range settings.environment {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if settings.addPreviousOutput {
		if previous.stdout != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDOUT="+previous.stdout)
		}
		if previous.stderr != "" {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDERR="+previous.stderr)
		}
	}
	if settings.stdin != "" {
		cmd.Stdin = strings.NewReader(settings.stdin)
	}

	var stdout, stderr, both bytes.Buffer
	combined := &lockedWriter{w: &both}
	statusLines := &lineLogger{emit: func(line string) { c.host.Status(ctx, urn, line) }}
	stdoutWriters := []io.Writer{&stdout, combined}
	if settings.logging == "stdout" || settings.logging == "stdoutAndStderr" {
		stdoutWriters = append(stdoutWriters, statusLines)
	}
	stderrWriters := []io.Writer{&stderr, combined}
	if settings.logging == "stderr" || settings.logging == "stdoutAndStderr" {
		stderrWriters = append(stderrWriters, statusLines)
	}
	cmd.Stdout, cmd.Stderr = io.MultiWriter(stdoutWriters...), io.MultiWriter(stderrWriters...)

	err = cmd.Run()
	statusLines.flush()
	if err != nil {
		// pulumi-command's text: "<exec error>: running <command>:\n<stdout and stderr>".
		return runOutputs{}, fmt.Errorf("%w: running %q:\n%s", err, script, both.String())
	}
	return runOutputs{
		stdout: strings.TrimSuffix(stdout.String(), "\n"),
		stderr: strings.TrimSuffix(stderr.String(), "\n"),
	}, nil
}

type settings struct {
	interpreter       []string
	dir, stdin        string
	environment       map[string]string
	addPreviousOutput bool
	logging           string
}

func readSettings(in resource.PropertyMap) (settings, error) {
	var s settings
	var err error
	if s.interpreter, err = provider.Strings(in, "interpreter"); err != nil {
		return s, err
	}
	if len(s.interpreter) == 0 {
		s.interpreter = []string{"/bin/sh", "-c"}
	}
	if s.dir, err = provider.String(in, "dir"); err != nil {
		return s, err
	}
	if s.stdin, err = provider.String(in, "stdin"); err != nil {
		return s, err
	}
	if s.environment, err = provider.StringMap(in, "environment"); err != nil {
		return s, err
	}
	if s.addPreviousOutput, err = provider.Bool(in, "addPreviousOutputInEnv", true); err != nil {
		return s, err
	}
	if s.logging, err = provider.String(in, "logging"); err != nil {
		return s, err
	}
	if s.logging == "" {
		s.logging = "stdoutAndStderr"
	}
	if provider.Set(in, "assetPaths") || provider.Set(in, "archivePaths") {
		return s, fmt.Errorf("assetPaths and archivePaths are not implemented by the command plugin double; " +
			"run with the real pulumi-resource-command plugin")
	}
	return s, nil
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// lineLogger passes complete lines of output on, like the bufio.Scanner pulumi-command logs with.
type lineLogger struct {
	mu      sync.Mutex
	pending []byte
	emit    func(string)
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = append(l.pending, p...)
	for {
		i := bytes.IndexByte(l.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.emit(string(l.pending[:i]))
		l.pending = l.pending[i+1:]
	}
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) > 0 {
		l.emit(string(l.pending))
		l.pending = nil
	}
}
