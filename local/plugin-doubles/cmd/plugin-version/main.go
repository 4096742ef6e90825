// plugin-version prints the version a Pulumi resource plugin announces (GetPluginInfo), for
// scripts/provider-plugins.sh to tell whether a pulumi-resource-<name> found on PATH is the one the npm SDK
// needs. Usage: plugin-version <plugin executable>
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: plugin-version <plugin executable>")
		os.Exit(2)
	}
	version, err := pluginVersion(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "plugin-version: %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	fmt.Println(version)
}

func pluginVersion(path string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// A plugin needs an engine address; nothing listens on port 1, and the plugin is stopped long before
	// its first health check of it.
	cmd := exec.CommandContext(ctx, path, "127.0.0.1:1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("it printed no port: %v", err)
	}
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(line), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return "", err
	}
	defer conn.Close()
	info, err := pulumirpc.NewResourceProviderClient(conn).GetPluginInfo(ctx, &emptypb.Empty{})
	if err != nil {
		return "", fmt.Errorf("GetPluginInfo: %v", err)
	}
	return info.GetVersion(), nil
}
