// The docker plugin double: see test/plugin-doubles/README.md.
package main

import (
	"logto-entra-sso/plugin-doubles/internal/docker"
	"logto-entra-sso/plugin-doubles/internal/provider"
)

func main() { provider.Main(docker.Package) }
