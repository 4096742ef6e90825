// The command plugin double: see test/plugin-doubles/README.md.
package main

import (
	"logto-entra-sso/plugin-doubles/internal/command"
	"logto-entra-sso/plugin-doubles/internal/provider"
)

func main() { provider.Main(command.Package) }
