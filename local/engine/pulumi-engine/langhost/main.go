// Command pulumi-language-nodejs is this project's stand-in for Pulumi's Node.js language host.
//
// Why it exists: the upstream host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), which has no version tags, and the
// module proxy reachable from this project's machines refuses every pseudo-version of it. The engine itself
// (pkg/v3/cmd/pulumi) is served, so only this small launcher is ours.
//
// It speaks the LanguageRuntime gRPC protocol of the sdk/v3 module it is built with, and runs programs the way
// the upstream host does: `node @pulumi/pulumi/cmd/run <flags> <entry point>` from the program's own
// node_modules, with the stack config in PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS and the Pulumi.yaml runtime
// options (typescript, tsconfig, nodeargs) as the Node runtime expects them. Not implemented (the engine does
// not need them for up/preview/refresh/destroy): the monitor proxy and its synchronous-invoke pipes, debugging,
// `pulumi install`, `pulumi about`, `pulumi new`, policy packs and plugins written in Node.js.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/google/shlex"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	// The Node.js entry point of @pulumi/pulumi that connects a program to the engine.
	runModule = "@pulumi/pulumi/cmd/run"
	// Exit code of cmd/run after it has already shown the user an actionable error: nothing more to say.
	exitAfterUserActionableMessage = 32
)

func main() {
	// The engine passes its logging flags (--logtostderr, -v=N) before the engine address. The sdk's logging
	// package (glog) usually defines them already; define them here only when it does not.
	if flag.Lookup("logtostderr") == nil {
		flag.Bool("logtostderr", false, "accepted for the engine's sake; ignored")
	}
	if flag.Lookup("v") == nil {
		flag.Int("v", 0, "accepted for the engine's sake; ignored")
	}
	tracing := flag.String("tracing", "", "Zipkin-compatible tracing endpoint, passed on to the Node.js runtime")
	flag.Parse()

	host := &nodeHost{tracing: *tracing}
	if flag.NArg() > 0 {
		host.engineAddress = flag.Arg(0)
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from our first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: gRPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	tracing       string
}

// Handshake is how newer engines pass their address (instead of the command-line argument).
func (h *nodeHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPackages reports the provider packages installed under the program's node_modules, so the
// engine sees the same plugin requirements as with the upstream host.
func (h *nodeHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	packages, err := findProviderPackages(req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		return &pulumirpc.RunResponse{Error: "the engine sent no program info: this engine is older than the host"}, nil
	}
	opts, err := parseRuntimeOptions(info.GetOptions().AsMap())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the PATH: " + err.Error()}, nil
	}
	runPath, err := resolveFrom(ctx, nodeBin, info.GetProgramDirectory(), runModule)
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(
			"%s not found from %s (%v): run npm install in the project", runModule, info.GetProgramDirectory(), err)}, nil
	}
	env, err := h.runEnv(req, opts)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	nodeArgs, err := shlex.Split(opts.nodeArgs)
	if err != nil {
		return &pulumirpc.RunResponse{Error: "runtime option nodeargs: " + err.Error()}, nil
	}
	cmd := exec.CommandContext(ctx, nodeBin, append(nodeArgs, h.runArgs(req, runPath)...)...)
	cmd.Dir = info.GetProgramDirectory()
	cmd.Env = env
	// Node may switch its stdio to non-blocking mode; wrapping the files keeps that from leaking into ours.
	cmd.Stdout = struct{ *os.File }{os.Stdout}
	cmd.Stderr = struct{ *os.File }{os.Stderr}
	cmd.Stdin = nil

	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitAfterUserActionableMessage:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
	default:
		return &pulumirpc.RunResponse{Error: "could not run the Node.js program: " + err.Error()}, nil
	}
}

// runArgs are the flags cmd/run understands (see its usage text), then the entry point and program args.
func (h *nodeHost) runArgs(req *pulumirpc.RunRequest, runPath string) []string {
	h.mu.Lock()
	engine := h.engineAddress
	h.mu.Unlock()

	args := []string{runPath}
	add := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", engine)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetInfo().GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.tracing)
	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	return append(args, req.GetArgs()...)
}

func (h *nodeHost) runEnv(req *pulumirpc.RunRequest, opts runtimeOptions) ([]string, error) {
	config, err := json.Marshal(nonNilMap(req.GetConfig()))
	if err != nil {
		return nil, fmt.Errorf("serialising the stack config: %w", err)
	}
	secretKeys, err := json.Marshal(nonNilSlice(req.GetConfigSecretKeys()))
	if err != nil {
		return nil, fmt.Errorf("serialising the secret config keys: %w", err)
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}
	return env, nil
}

// runtimeOptions are the Pulumi.yaml `runtime.options` this host honours.
type runtimeOptions struct {
	typescript bool   // run .ts sources through ts-node (default true, as upstream)
	tsconfig   string // tsconfig path for ts-node
	nodeArgs   string // extra node command-line arguments, shell-quoted
}

func parseRuntimeOptions(raw map[string]any) (runtimeOptions, error) {
	opts := runtimeOptions{typescript: true}
	if v, ok := raw["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return opts, errors.New("Pulumi.yaml runtime option typescript must be true or false")
		}
		opts.typescript = b
	}
	for name, target := range map[string]*string{"tsconfig": &opts.tsconfig, "nodeargs": &opts.nodeArgs} {
		if v, ok := raw[name]; ok {
			s, isString := v.(string)
			if !isString {
				return opts, fmt.Errorf("Pulumi.yaml runtime option %s must be a string", name)
			}
			*target = s
		}
	}
	for name := range raw {
		if name != "typescript" && name != "tsconfig" && name != "nodeargs" && name != "packagemanager" {
			return opts, fmt.Errorf("Pulumi.yaml runtime option %s is not supported by this project's language host", name)
		}
	}
	return opts, nil
}

// resolveFrom asks node where a module resolves from dir, as the program's own require would.
func resolveFrom(ctx context.Context, nodeBin, dir, module string) (string, error) {
	cmd := exec.CommandContext(ctx, nodeBin, "-e", "process.stdout.write(require.resolve(process.argv[1]))", module)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNilSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
