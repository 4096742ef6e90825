package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageJSON is the part of a package.json that says whether a package ships a Pulumi provider.
type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource         bool   `json:"resource"`
		Name             string `json:"name"`
		Version          string `json:"version"`
		Server           string `json:"server"`
		Parameterization *struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Value   []byte `json:"value"`
		} `json:"parameterization"`
	} `json:"pulumi"`
}

// findProviderPackages walks dir (following symlinks once each) and lists every package under a
// node_modules folder whose package.json declares `"pulumi": {"resource": true}`, like the upstream host.
func findProviderPackages(dir string) ([]*pulumirpc.PackageDependency, error) {
	var found []*pulumirpc.PackageDependency
	visited := map[string]bool{}
	var walk func(dir string, inNodeModules bool) error
	walk = func(dir string, inNodeModules bool) error {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil || visited[real] {
			return nil // a dangling link or a folder already seen adds nothing
		}
		visited[real] = true
		// A policy pack's dependencies are not the program's.
		if _, err := os.Stat(filepath.Join(dir, "PulumiPolicy.yaml")); err == nil {
			return nil
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("reading %s: %w", dir, err)
		}
		for _, entry := range entries {
			path := filepath.Join(dir, entry.Name())
			info, err := os.Stat(path) // follows symlinks, as npm workspaces and pnpm use them
			if err != nil {
				continue
			}
			if info.IsDir() {
				if err := walk(path, inNodeModules || filepath.Base(dir) == "node_modules"); err != nil {
					return err
				}
				continue
			}
			if !inNodeModules || entry.Name() != "package.json" {
				continue
			}
			dep, err := providerPackage(path)
			if err != nil {
				return err
			}
			if dep != nil {
				found = append(found, dep)
			}
		}
		return nil
	}
	if err := walk(dir, false); err != nil {
		return nil, err
	}
	return found, nil
}

// providerPackage returns the plugin a package.json declares, or nil when it declares none.
func providerPackage(path string) (*pulumirpc.PackageDependency, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var pkg packageJSON
	if err := json.Unmarshal(raw, &pkg); err != nil {
		return nil, nil // not every package.json under node_modules is a package manifest (test fixtures)
	}
	if !pkg.Pulumi.Resource {
		return nil, nil
	}
	name := pkg.Pulumi.Name
	if name == "" {
		if !strings.HasPrefix(pkg.Name, "@pulumi/") {
			return nil, fmt.Errorf("%s: a third-party provider package must name its plugin in pulumi.name", path)
		}
		name = strings.TrimPrefix(pkg.Name, "@pulumi/")
	}
	version := pkg.Pulumi.Version
	if version == "" {
		version = pkg.Version
	}
	if version == "" {
		return nil, errors.New(path + ": no version for the provider plugin")
	}
	if !strings.HasPrefix(version, "v") {
		version = "v" + version
	}
	dep := &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: version, Server: pkg.Pulumi.Server}
	if p := pkg.Pulumi.Parameterization; p != nil {
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
	}
	return dep, nil
}
