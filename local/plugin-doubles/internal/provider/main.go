package provider

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Main runs a plugin the way the engine starts one: `pulumi-resource-<name> [flags] <engine address>`. It
// listens on a free 127.0.0.1 port, prints the port on stdout, and serves until the engine sends SIGINT or
// stops answering health checks. Flags the engine passes (--logtostderr, -v=9, --tracing) are accepted and
// ignored: the doubles log nothing on their own.
func Main(newPackage func(*Host) Package) {
	host := &Host{}
	pkg := newPackage(host)
	if err := serve(pkg, host, os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-%s (plugin double): %v\n", pkg.Name, err)
		os.Exit(1)
	}
}

func serve(pkg Package, host *Host, args []string) error {
	var engineAddress string
	for _, arg := range args {
		if len(arg) > 0 && arg[0] != '-' {
			engineAddress = arg
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if engineAddress != "" {
		host.connect(engineAddress)
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, cancel); err != nil {
			return fmt.Errorf("could not start the health check of the engine at %s: %w", engineAddress, err)
		}
	}

	stopServing := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stopServing)
	}()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stopServing,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, NewServer(pkg, host))
			return nil
		},
	})
	if err != nil {
		return err
	}
	fmt.Printf("%d\n", handle.Port)
	return <-handle.Done
}

// Host sends diagnostics to the engine, which shows them under the resource (status lines are the
// ephemeral ones a real provider shows while it works, e.g. a command's output or docker build steps).
type Host struct {
	mu     sync.Mutex
	engine pulumirpc.EngineClient
}

func (h *Host) connect(address string) {
	if h == nil || address == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.engine != nil {
		return
	}
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return
	}
	h.engine = pulumirpc.NewEngineClient(conn)
}

func (h *Host) log(ctx context.Context, severity pulumirpc.LogSeverity, urn resource.URN, message string, ephemeral bool) {
	if h == nil {
		return
	}
	h.mu.Lock()
	engine := h.engine
	h.mu.Unlock()
	if engine == nil {
		return
	}
	_, _ = engine.Log(context.WithoutCancel(ctx), &pulumirpc.LogRequest{
		Severity: severity, Message: message, Urn: string(urn), Ephemeral: ephemeral,
	})
}

// Status shows a transient progress line under the resource.
func (h *Host) Status(ctx context.Context, urn resource.URN, message string) {
	h.log(ctx, pulumirpc.LogSeverity_INFO, urn, message, true)
}

// Info, Warning: lasting diagnostics under the resource.
func (h *Host) Info(ctx context.Context, urn resource.URN, message string) {
	h.log(ctx, pulumirpc.LogSeverity_INFO, urn, message, false)
}

func (h *Host) Warning(ctx context.Context, urn resource.URN, message string) {
	h.log(ctx, pulumirpc.LogSeverity_WARNING, urn, message, false)
}
