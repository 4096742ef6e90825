// The azuread plugin double: see test/plugin-doubles/README.md.
package main

import (
	"logto-entra-sso/plugin-doubles/internal/azuread"
	"logto-entra-sso/plugin-doubles/internal/provider"
)

func main() { provider.Main(azuread.Package) }
