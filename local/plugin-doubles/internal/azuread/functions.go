package azuread

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"logto-entra-sso/plugin-doubles/internal/provider"
)

// publishedAPIs is a part of go-azure-sdk's environments.PublishedApis (sdk/environments/application_ids.go
// and constants.go): the well-known Microsoft APIs. The real map has about 120 entries; these are the ones
// a project like this one asks for.
var publishedAPIs = map[string]string{
	"AzureActiveDirectoryGraph": "00000002-0000-0000-c000-000000000000",
	"AzureKeyVault":             "cfa8b339-82a2-471a-a3c9-0fc0be7a4093",
	"AzureResourceManager":      "797f4846-ba00-4fd7-ba43-dac1f8f63013",
	"AzureServiceManagement":    "797f4846-ba00-4fd7-ba43-dac1f8f63013",
	"AzureStorage":              "e406a681-f3d4-42a8-90b6-c2b029497af1",
	"MicrosoftAzureCli":         "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
	"MicrosoftGraph":            "00000003-0000-0000-c000-000000000000",
	"Office365ExchangeOnline":   "00000002-0000-0ff1-ce00-000000000000",
	"Office365SharePointOnline": "00000003-0000-0ff1-ce00-000000000000",
}

// publishedAppIDs makes no request (application_published_app_ids_data_source.go); it needs the
// configured provider only because every data source does.
func (a *azuread) publishedAppIDs(context.Context, resource.PropertyMap) (resource.PropertyMap, error) {
	if _, err := a.graph(); err != nil {
		return nil, err
	}
	result := map[string]string{}
	for k, v := range publishedAPIs {
		result[k] = v
	}
	return resource.PropertyMap{"id": resource.NewProperty("appIds"), "result": provider.StringMapValue(result)}, nil
}

// clientConfig makes no request either: tenant from the configuration, client id, object id from the token.
func (a *azuread) clientConfig(context.Context, resource.PropertyMap) (resource.PropertyMap, error) {
	g, err := a.graph()
	if err != nil {
		return nil, err
	}
	s := g.s
	return resource.PropertyMap{
		"id":       resource.NewProperty(fmt.Sprintf("%s-%s-%s", s.tenantID, s.clientID, s.objectID)),
		"clientId": resource.NewProperty(s.clientID),
		"objectId": resource.NewProperty(s.objectID),
		"tenantId": resource.NewProperty(s.tenantID),
	}, nil
}

// getServicePrincipal is service_principal_data_source.go: by objectId, else displayName (exactly one
// match), else clientId; then the beta read of samlMetadataUrl.
func (a *azuread) getServicePrincipal(ctx context.Context, args resource.PropertyMap) (resource.PropertyMap, error) {
	g, err := a.graph()
	if err != nil {
		return nil, err
	}
	ctx, cancel := withTimeout(ctx, 5*time.Minute)
	defer cancel()
	objectID, _ := provider.String(args, "objectId")
	displayName, _ := provider.String(args, "displayName")
	clientID, _ := provider.String(args, "clientId")
	var sp map[string]any
	switch {
	case objectID != "":
		sp, err = getServicePrincipalByID(ctx, g, objectID)
		if isNotFound(err) {
			return nil, fmt.Errorf("Service Principal (Object ID: %q) was not found", objectID)
		}
		if err != nil {
			return nil, fmt.Errorf("Retrieving Service Principal (Object ID: %q): %v", objectID, err)
		}
	case displayName != "":
		query := filter("displayName", displayName)
		list, err := g.list(ctx, "/v1.0/servicePrincipals", query)
		if err != nil {
			return nil, fmt.Errorf("Listing service principals for filter %q: %v", query.Get("$filter"), err)
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("Service principal not found: no service principals found matching filter: %q", query.Get("$filter"))
		}
		if len(list) > 1 {
			return nil, fmt.Errorf("Multiple service principals found: found multiple service principals matching filter: %q", query.Get("$filter"))
		}
		for _, candidate := range list {
			if strings.EqualFold(str(candidate["displayName"]), displayName) {
				sp = candidate
			}
		}
	case clientID != "":
		query := filter("appId", clientID)
		list, err := g.list(ctx, "/v1.0/servicePrincipals", query)
		if err != nil {
			return nil, fmt.Errorf("Listing service principals for filter %q: %v", query.Get("$filter"), err)
		}
		for _, candidate := range list {
			if strings.EqualFold(str(candidate["appId"]), clientID) {
				sp = candidate
				break
			}
		}
	default:
		return nil, errors.New(`one of "clientId", "displayName" or "objectId" must be specified`)
	}
	if sp == nil {
		return nil, errors.New("No service principal found: no service principal found")
	}
	id := str(sp["id"])
	if id == "" {
		return nil, errors.New("Bad API Response: API returned service principal with nil object ID")
	}
	beta, err := samlMetadata(ctx, g, id)
	if err != nil {
		return nil, fmt.Errorf("Retrieving Service Principal (Object ID: %q) (beta API): %v", id, err)
	}
	values := servicePrincipalState(sp, beta)
	values["samlSingleSignOns"] = values["samlSingleSignOn"]
	delete(values, "samlSingleSignOn")
	values["id"] = "/servicePrincipals/" + id
	return set(resource.PropertyMap{}, values), nil
}
