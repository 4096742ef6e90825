package azuread

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"logto-entra-sso/plugin-doubles/internal/provider"
	"logto-entra-sso/plugin-doubles/internal/tfschema"
)

// --- ApplicationRegistration (applications/application_registration_resource.go) ---------------------------

var registrationSchema = tfschema.Schema{
	"displayName":                        {Kind: tfschema.String, Required: true},
	"description":                        {Kind: tfschema.String, Optional: true},
	"groupMembershipClaims":              {Kind: tfschema.Set, Optional: true},
	"homepageUrl":                        {Kind: tfschema.String, Optional: true},
	"implicitAccessTokenIssuanceEnabled": {Kind: tfschema.Bool, Optional: true},
	"implicitIdTokenIssuanceEnabled":     {Kind: tfschema.Bool, Optional: true},
	"logoutUrl":                          {Kind: tfschema.String, Optional: true},
	"marketingUrl":                       {Kind: tfschema.String, Optional: true},
	"notes":                              {Kind: tfschema.String, Optional: true},
	"privacyStatementUrl":                {Kind: tfschema.String, Optional: true},
	"requestedAccessTokenVersion":        {Kind: tfschema.Int, Optional: true, Default: 2},
	"serviceManagementReference":         {Kind: tfschema.String, Optional: true},
	"signInAudience":                     {Kind: tfschema.String, Optional: true, Default: "AzureADMyOrg"},
	"supportUrl":                         {Kind: tfschema.String, Optional: true},
	"termsOfServiceUrl":                  {Kind: tfschema.String, Optional: true},
	"clientId":                           {Kind: tfschema.String, Computed: true},
	"disabledByMicrosoft":                {Kind: tfschema.String, Computed: true},
	"objectId":                           {Kind: tfschema.String, Computed: true},
	"publisherDomain":                    {Kind: tfschema.String, Computed: true},
}

var signInAudiences = []string{"AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"}

var groupMembershipClaimValues = []string{"None", "SecurityGroup", "DirectoryRole", "ApplicationGroup", "All"}

func applicationRegistration(a *azuread) *bridged {
	return &bridged{
		token: "azuread:index/applicationRegistration:ApplicationRegistration", schema: registrationSchema, a: a,
		timeouts: timeouts{create: 10 * time.Minute, read: 5 * time.Minute, update: 10 * time.Minute, delete: 5 * time.Minute},
		validate: validateRegistration,
		create:   createRegistration,
		read:     readRegistration,
		update: func(ctx context.Context, g *graph, id string, _, in resource.PropertyMap, changed map[string]bool) error {
			return updateRegistration(ctx, g, a, id, in, changed)
		},
		delete: deleteRegistration,
	}
}

func validateRegistration(in resource.PropertyMap) []provider.CheckFailure {
	var failures []provider.CheckFailure
	if v := provider.Plain(in["displayName"]); v.IsString() && v.StringValue() == "" {
		failures = append(failures, provider.CheckFailure{Property: "displayName", Reason: `expected "displayName" not to be an empty string`})
	}
	if v := provider.Plain(in["signInAudience"]); v.IsString() && !contains(signInAudiences, v.StringValue()) {
		failures = append(failures, provider.CheckFailure{Property: "signInAudience",
			Reason: fmt.Sprintf(`expected signInAudience to be one of [%s], got %s`, strings.Join(signInAudiences, " "), v.StringValue())})
	}
	if v := provider.Plain(in["requestedAccessTokenVersion"]); v.IsNumber() && (v.NumberValue() < 1 || v.NumberValue() > 2) {
		failures = append(failures, provider.CheckFailure{Property: "requestedAccessTokenVersion",
			Reason: fmt.Sprintf("expected requestedAccessTokenVersion to be in the range (1 - 2), got %v", v.NumberValue())})
	}
	if claims, err := provider.Strings(in, "groupMembershipClaims"); err == nil {
		for _, c := range claims {
			if !contains(groupMembershipClaimValues, c) {
				failures = append(failures, provider.CheckFailure{Property: "groupMembershipClaims",
					Reason: fmt.Sprintf("expected groupMembershipClaims to be one of [%s], got %s", strings.Join(groupMembershipClaimValues, " "), c)})
			}
		}
	}
	return failures
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// noZero is the SDK's nullable.NoZero: an empty value is sent as an explicit null.
func noZero(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func input(in resource.PropertyMap, key string) string { s, _ := provider.String(in, key); return s }

func inputBool(in resource.PropertyMap, key string) bool {
	b, _ := provider.Bool(in, key, false)
	return b
}

func groupMembershipClaims(in resource.PropertyMap) any {
	claims, _ := provider.Strings(in, "groupMembershipClaims")
	for i := range claims {
		claims[i] = strings.TrimSpace(claims[i])
	}
	return noZero(strings.Join(claims, ","))
}

func createRegistration(ctx context.Context, g *graph, in resource.PropertyMap) (string, resource.PropertyMap, error) {
	version, _ := provider.Int(in, "requestedAccessTokenVersion", 2)
	body := map[string]any{
		"@odata.type":                "#microsoft.graph.application",
		"displayName":                input(in, "displayName"),
		"description":                noZero(input(in, "description")),
		"groupMembershipClaims":      groupMembershipClaims(in),
		"notes":                      noZero(input(in, "notes")),
		"serviceManagementReference": noZero(input(in, "serviceManagementReference")),
		"signInAudience":             input(in, "signInAudience"),
		"api":                        map[string]any{"requestedAccessTokenVersion": version},
		"info": map[string]any{
			"marketingUrl":        noZero(input(in, "marketingUrl")),
			"privacyStatementUrl": noZero(input(in, "privacyStatementUrl")),
			"supportUrl":          noZero(input(in, "supportUrl")),
			"termsOfServiceUrl":   noZero(input(in, "termsOfServiceUrl")),
		},
		"web": map[string]any{
			"homePageUrl": noZero(input(in, "homepageUrl")),
			"logoutUrl":   noZero(input(in, "logoutUrl")),
			"implicitGrantSettings": map[string]any{
				"enableAccessTokenIssuance": inputBool(in, "implicitAccessTokenIssuanceEnabled"),
				"enableIdTokenIssuance":     inputBool(in, "implicitIdTokenIssuanceEnabled"),
			},
		},
	}
	var app map[string]any
	if err := g.post(ctx, "/v1.0/applications", body, &app, nil); err != nil {
		return "", nil, fmt.Errorf("creating application: %v", err)
	}
	if str(app["id"]) == "" {
		return "", nil, errors.New("creating application: object ID returned for application is nil/empty")
	}
	return "/applications/" + str(app["id"]), nil, nil
}

// objectIDOf is the object id in an `/applications/{id}` id (stable.ParseApplicationID).
func objectIDOf(applicationID string) (string, error) {
	rest, ok := strings.CutPrefix(applicationID, "/applications/")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", fmt.Errorf("parsing %q: expected an application ID of the form /applications/{applicationId}", applicationID)
	}
	return rest, nil
}

func getApplication(ctx context.Context, g *graph, objectID string) (map[string]any, error) {
	var app map[string]any
	err := g.get(ctx, "/v1.0/applications/"+objectID, nil, &app)
	return app, err
}

func readRegistration(ctx context.Context, g *graph, id string, planned resource.PropertyMap) (resource.PropertyMap, bool, error) {
	objectID, err := objectIDOf(id)
	if err != nil {
		return nil, false, err
	}
	app, err := getApplication(ctx, g, objectID)
	if isNotFound(err) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("retrieving Application (Object ID: %q): %v", objectID, err)
	}
	claims := []string{}
	if c := str(app["groupMembershipClaims"]); c != "" {
		for _, claim := range strings.Split(c, ",") {
			claims = append(claims, strings.TrimSpace(claim))
		}
	}
	info, web := object(app["info"]), object(app["web"])
	grant := object(web["implicitGrantSettings"])
	// The provider formats the SDK's nullable.Type (a map[bool]T) with %v: "map[false:]" for a null the
	// answer carries, "map[true:<status>]" for a value, "" when the answer leaves it out.
	disabled := ""
	if v, ok := app["disabledByMicrosoftStatus"]; ok {
		if v == nil {
			disabled = "map[false:]"
		} else {
			disabled = fmt.Sprintf("map[true:%v]", v)
		}
	}
	version := 0.0
	if n, ok := object(app["api"])["requestedAccessTokenVersion"].(float64); ok {
		version = n
	}
	return set(planned, map[string]any{
		"clientId":                           str(app["appId"]),
		"description":                        str(app["description"]),
		"disabledByMicrosoft":                disabled,
		"displayName":                        str(app["displayName"]),
		"groupMembershipClaims":              claims,
		"homepageUrl":                        str(web["homePageUrl"]),
		"implicitAccessTokenIssuanceEnabled": boolean(grant["enableAccessTokenIssuance"]),
		"implicitIdTokenIssuanceEnabled":     boolean(grant["enableIdTokenIssuance"]),
		"logoutUrl":                          str(web["logoutUrl"]),
		"marketingUrl":                       str(info["marketingUrl"]),
		"notes":                              str(app["notes"]),
		"objectId":                           str(app["id"]),
		"privacyStatementUrl":                str(info["privacyStatementUrl"]),
		"publisherDomain":                    str(app["publisherDomain"]),
		"requestedAccessTokenVersion":        version,
		"serviceManagementReference":         str(app["serviceManagementReference"]),
		"signInAudience":                     str(app["signInAudience"]),
		"supportUrl":                         str(info["supportUrl"]),
		"termsOfServiceUrl":                  str(info["termsOfServiceUrl"]),
	}), false, nil
}

// updateRegistration PATCHes only what changed, nested objects with only their changed members.
func updateRegistration(ctx context.Context, g *graph, a *azuread, id string, in resource.PropertyMap, changed map[string]bool) error {
	objectID, err := objectIDOf(id)
	if err != nil {
		return err
	}
	defer a.locks.lock(objectID)()
	body := map[string]any{"@odata.type": "#microsoft.graph.application"}
	for key, graphKey := range map[string]string{"description": "description", "notes": "notes", "serviceManagementReference": "serviceManagementReference"} {
		if changed[key] {
			body[graphKey] = noZero(input(in, key))
		}
	}
	if changed["displayName"] {
		body["displayName"] = input(in, "displayName")
	}
	if changed["signInAudience"] {
		body["signInAudience"] = input(in, "signInAudience")
	}
	if changed["groupMembershipClaims"] {
		body["groupMembershipClaims"] = groupMembershipClaims(in)
	}
	if changed["requestedAccessTokenVersion"] {
		version, _ := provider.Int(in, "requestedAccessTokenVersion", 2)
		body["api"] = map[string]any{"requestedAccessTokenVersion": version}
	}
	info := map[string]any{}
	for key, graphKey := range map[string]string{"marketingUrl": "marketingUrl", "privacyStatementUrl": "privacyStatementUrl", "supportUrl": "supportUrl", "termsOfServiceUrl": "termsOfServiceUrl"} {
		if changed[key] {
			info[graphKey] = noZero(input(in, key))
		}
	}
	if len(info) > 0 {
		body["info"] = info
	}
	web := map[string]any{}
	if changed["homepageUrl"] {
		web["homePageUrl"] = noZero(input(in, "homepageUrl"))
	}
	if changed["logoutUrl"] {
		web["logoutUrl"] = noZero(input(in, "logoutUrl"))
	}
	grant := map[string]any{}
	if changed["implicitAccessTokenIssuanceEnabled"] {
		grant["enableAccessTokenIssuance"] = inputBool(in, "implicitAccessTokenIssuanceEnabled")
	}
	if changed["implicitIdTokenIssuanceEnabled"] {
		grant["enableIdTokenIssuance"] = inputBool(in, "implicitIdTokenIssuanceEnabled")
	}
	if len(grant) > 0 {
		web["implicitGrantSettings"] = grant
	}
	if len(web) > 0 {
		body["web"] = web
	}
	if err := g.patch(ctx, "/v1.0/applications/"+objectID, body); err != nil {
		return fmt.Errorf("updating Application (Object ID: %q): %v", objectID, err)
	}
	return nil
}

func deleteRegistration(ctx context.Context, g *graph, id string, _ resource.PropertyMap) error {
	objectID, err := objectIDOf(id)
	if err != nil {
		return err
	}
	if err := g.delete(ctx, "/v1.0/applications/"+objectID); err != nil {
		return fmt.Errorf("deleting Application (Object ID: %q): %v", objectID, err)
	}
	err = waitForDeletion(ctx, g.s.timing, func(ctx context.Context) (bool, error) {
		_, err := getApplication(ctx, g, objectID)
		if isNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("waiting for deletion of Application (Object ID: %q): %q", objectID, err.Error())
	}
	return nil
}

// --- ApplicationRedirectUris (applications/application_redirect_uris_resource.go) -----------------------

var redirectURIsSchema = tfschema.Schema{
	"applicationId": {Kind: tfschema.String, Required: true, ForceNew: true},
	"type":          {Kind: tfschema.String, Required: true, ForceNew: true},
	"redirectUris":  {Kind: tfschema.Set, Required: true},
}

// redirectURIPlatforms: the `type` values and the application member holding their URIs.
var redirectURIPlatforms = map[string]string{"PublicClient": "publicClient", "SPA": "spa", "Web": "web"}

func applicationRedirectUris(a *azuread) *bridged {
	token := "azuread:index/applicationRedirectUris:ApplicationRedirectUris"
	return &bridged{
		token: token, schema: redirectURIsSchema, a: a,
		timeouts: timeouts{create: 10 * time.Minute, read: 5 * time.Minute, update: 10 * time.Minute, delete: 5 * time.Minute},
		validate: func(in resource.PropertyMap) []provider.CheckFailure {
			var failures []provider.CheckFailure
			if v := provider.Plain(in["type"]); v.IsString() && redirectURIPlatforms[v.StringValue()] == "" {
				failures = append(failures, provider.CheckFailure{Property: "type",
					Reason: "expected type to be one of [PublicClient SPA Web], got " + v.StringValue()})
			}
			return append(failures, applicationIDProblem(in)...)
		},
		create: func(ctx context.Context, g *graph, in resource.PropertyMap) (string, resource.PropertyMap, error) {
			objectID, _ := objectIDOf(input(in, "applicationId"))
			platform := input(in, "type")
			id := fmt.Sprintf("/applications/%s/redirectUris/%s", objectID, platform)
			defer a.locks.lock(objectID)()
			app, err := getApplication(ctx, g, objectID)
			if err != nil {
				return "", nil, fmt.Errorf("retrieving Application (Object ID: %q): %v", objectID, err)
			}
			if len(strs(object(app[redirectURIPlatforms[platform]])["redirectUris"])) > 0 {
				return "", nil, requiresImport("azuread_application_redirect_uris", id)
			}
			uris, _ := provider.Strings(in, "redirectUris")
			if err := patchRedirectURIs(ctx, g, objectID, platform, uris); err != nil {
				return "", nil, fmt.Errorf("creating %s: %v", id, err)
			}
			return id, nil, nil
		},
		read: func(ctx context.Context, g *graph, id string, planned resource.PropertyMap) (resource.PropertyMap, bool, error) {
			return readPart(ctx, g, a, id, "redirectUris", func(objectID, platform string, app map[string]any) (resource.PropertyMap, bool, error) {
				uris := strs(object(app[redirectURIPlatforms[platform]])["redirectUris"])
				if len(uris) == 0 {
					return nil, true, nil
				}
				return set(planned, map[string]any{
					"applicationId": "/applications/" + objectID, "type": platform, "redirectUris": uris,
				}), false, nil
			})
		},
		update: func(ctx context.Context, g *graph, id string, _, in resource.PropertyMap, _ map[string]bool) error {
			objectID, platform, err := splitPartID(id, "redirectUris")
			if err != nil {
				return err
			}
			defer a.locks.lock(objectID)()
			uris, _ := provider.Strings(in, "redirectUris")
			if err := patchRedirectURIs(ctx, g, objectID, platform, uris); err != nil {
				return fmt.Errorf("updating %s: %v", id, err)
			}
			return nil
		},
		delete: func(ctx context.Context, g *graph, id string, _ resource.PropertyMap) error {
			objectID, platform, err := splitPartID(id, "redirectUris")
			if err != nil {
				return err
			}
			defer a.locks.lock(objectID)()
			if err := patchRedirectURIs(ctx, g, objectID, platform, []string{}); err != nil {
				return fmt.Errorf("deleting %s: %v", id, err)
			}
			return nil
		},
	}
}

func patchRedirectURIs(ctx context.Context, g *graph, objectID, platform string, uris []string) error {
	if uris == nil {
		uris = []string{}
	}
	return g.patch(ctx, "/v1.0/applications/"+objectID, map[string]any{
		"@odata.type":                  "#microsoft.graph.application",
		redirectURIPlatforms[platform]: map[string]any{"redirectUris": uris},
	})
}

// readPart reads the application a part of it belongs to (/applications/{objectId}/<kind>/{name}), under
// the application's lock, and hands it to read; a gone application is a gone part.
func readPart(ctx context.Context, g *graph, a *azuread, id, kind string,
	read func(objectID, name string, app map[string]any) (resource.PropertyMap, bool, error),
) (resource.PropertyMap, bool, error) {
	objectID, name, err := splitPartID(id, kind)
	if err != nil {
		return nil, false, err
	}
	defer a.locks.lock(objectID)()
	app, err := getApplication(ctx, g, objectID)
	if isNotFound(err) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("retrieving %s: %v", id, err)
	}
	return read(objectID, name, app)
}

// splitPartID parses "/applications/{objectId}/<kind>/{name}".
func splitPartID(id, kind string) (string, string, error) {
	parts := strings.Split(strings.TrimPrefix(id, "/"), "/")
	if len(parts) != 4 || parts[0] != "applications" || parts[2] != kind || parts[1] == "" || parts[3] == "" {
		return "", "", fmt.Errorf("parsing ID %q: expected /applications/{objectId}/%s/{value}", id, kind)
	}
	return parts[1], parts[3], nil
}

func applicationIDProblem(in resource.PropertyMap) []provider.CheckFailure {
	v := provider.Plain(in["applicationId"])
	if !v.IsString() {
		return nil
	}
	if _, err := objectIDOf(v.StringValue()); err != nil {
		return []provider.CheckFailure{{Property: "applicationId", Reason: err.Error() +
			" (give the ApplicationRegistration's id, not its client id or object id)"}}
	}
	return nil
}

// requiresImport is metadata.ResourceRequiresImport's text.
func requiresImport(resourceType, id string) error {
	return fmt.Errorf("A resource with the ID %q already exists - to be managed via Terraform this resource needs to "+
		"be imported into the State. Please see the resource documentation for %q for more information", id, resourceType)
}

// --- ApplicationApiAccess (applications/application_api_access_resource.go) -----------------------------

var apiAccessSchema = tfschema.Schema{
	"applicationId": {Kind: tfschema.String, Required: true, ForceNew: true},
	"apiClientId":   {Kind: tfschema.String, Required: true, ForceNew: true},
	"roleIds":       {Kind: tfschema.Set, Optional: true},
	"scopeIds":      {Kind: tfschema.Set, Optional: true},
}

func applicationAPIAccess(a *azuread) *bridged {
	return &bridged{
		token: "azuread:index/applicationApiAccess:ApplicationApiAccess", schema: apiAccessSchema, a: a,
		timeouts: timeouts{create: 10 * time.Minute, read: 5 * time.Minute, update: 10 * time.Minute, delete: 5 * time.Minute},
		validate: func(in resource.PropertyMap) []provider.CheckFailure {
			failures := applicationIDProblem(in)
			if !provider.Set(in, "roleIds") && !provider.Set(in, "scopeIds") {
				failures = append(failures, provider.CheckFailure{Property: "scopeIds",
					Reason: `"roleIds": one of ` + "`roleIds,scopeIds`" + ` must be specified`})
			}
			return failures
		},
		create: func(ctx context.Context, g *graph, in resource.PropertyMap) (string, resource.PropertyMap, error) {
			objectID, _ := objectIDOf(input(in, "applicationId"))
			apiClientID := input(in, "apiClientId")
			id := fmt.Sprintf("/applications/%s/apiAccess/%s", objectID, apiClientID)
			defer a.locks.lock(objectID)()
			app, err := getApplication(ctx, g, objectID)
			if err != nil {
				return "", nil, fmt.Errorf("retrieving Application (Object ID: %q): %v", objectID, err)
			}
			apis := requiredResourceAccess(app)
			for _, api := range apis {
				if strings.EqualFold(str(api["resourceAppId"]), apiClientID) {
					return "", nil, requiresImport("azuread_application_api_access", id)
				}
			}
			apis = append(apis, map[string]any{"resourceAppId": apiClientID, "resourceAccess": permissions(in)})
			if err := patchAPIs(ctx, g, objectID, apis); err != nil {
				return "", nil, fmt.Errorf("creating %s: %v", id, err)
			}
			return id, nil, nil
		},
		read: func(ctx context.Context, g *graph, id string, planned resource.PropertyMap) (resource.PropertyMap, bool, error) {
			return readPart(ctx, g, a, id, "apiAccess", func(objectID, apiClientID string, app map[string]any) (resource.PropertyMap, bool, error) {
				for _, api := range requiredResourceAccess(app) {
					if !strings.EqualFold(str(api["resourceAppId"]), apiClientID) {
						continue
					}
					access, ok := api["resourceAccess"].([]any)
					if !ok {
						return nil, false, fmt.Errorf("retrieving %s: resourceAccess was nil", id)
					}
					roles, scopes := []string{}, []string{}
					for _, p := range access {
						switch str(object(p)["type"]) {
						case "Role":
							roles = append(roles, str(object(p)["id"]))
						case "Scope":
							scopes = append(scopes, str(object(p)["id"]))
						}
					}
					return set(planned, map[string]any{
						"applicationId": "/applications/" + objectID, "apiClientId": str(api["resourceAppId"]),
						"roleIds": roles, "scopeIds": scopes,
					}), false, nil
				}
				return nil, true, nil
			})
		},
		update: func(ctx context.Context, g *graph, id string, _, in resource.PropertyMap, _ map[string]bool) error {
			return replaceAPIEntry(ctx, g, a, id, permissions(in), "updating")
		},
		delete: func(ctx context.Context, g *graph, id string, _ resource.PropertyMap) error {
			return replaceAPIEntry(ctx, g, a, id, nil, "deleting")
		},
	}
}

// permissions are the resourceAccess entries: roles first, then scopes, as the real provider lists them.
func permissions(in resource.PropertyMap) []any {
	out := []any{}
	roles, _ := provider.Strings(in, "roleIds")
	for _, r := range roles {
		out = append(out, map[string]any{"id": r, "type": "Role"})
	}
	scopes, _ := provider.Strings(in, "scopeIds")
	for _, s := range scopes {
		out = append(out, map[string]any{"id": s, "type": "Scope"})
	}
	return out
}

// requiredResourceAccess are the application's API entries, as the SDK models them (appId + accesses).
func requiredResourceAccess(app map[string]any) []map[string]any {
	out := []map[string]any{}
	for _, e := range array(app["requiredResourceAccess"]) {
		entry := object(e)
		access := []any{}
		for _, p := range array(entry["resourceAccess"]) {
			access = append(access, map[string]any{"id": str(object(p)["id"]), "type": str(object(p)["type"])})
		}
		out = append(out, map[string]any{"resourceAppId": str(entry["resourceAppId"]), "resourceAccess": access})
	}
	return out
}

func patchAPIs(ctx context.Context, g *graph, objectID string, apis []map[string]any) error {
	return g.patch(ctx, "/v1.0/applications/"+objectID, map[string]any{
		"@odata.type": "#microsoft.graph.application", "id": objectID, "requiredResourceAccess": apis,
	})
}

// replaceAPIEntry: GET the application, swap (or, with nil permissions, drop) our entry, PATCH them all.
func replaceAPIEntry(ctx context.Context, g *graph, a *azuread, id string, perms []any, verb string) error {
	objectID, apiClientID, err := splitPartID(id, "apiAccess")
	if err != nil {
		return err
	}
	defer a.locks.lock(objectID)()
	app, err := getApplication(ctx, g, objectID)
	if err != nil {
		return fmt.Errorf("retrieving Application (Object ID: %q): %v", objectID, err)
	}
	if app["requiredResourceAccess"] == nil {
		return fmt.Errorf("retrieving Application (Object ID: %q): requiredResourceAccess was nil", objectID)
	}
	apis, found := []map[string]any{}, false
	for _, api := range requiredResourceAccess(app) {
		if !strings.EqualFold(str(api["resourceAppId"]), apiClientID) {
			apis = append(apis, api)
			continue
		}
		found = true
		if perms != nil {
			apis = append(apis, map[string]any{"resourceAppId": apiClientID, "resourceAccess": perms})
		}
	}
	if !found {
		return fmt.Errorf("%s %s: could not identify existing API", verb, id)
	}
	if err := patchAPIs(ctx, g, objectID, apis); err != nil {
		return fmt.Errorf("%s %s: %v", verb, id, err)
	}
	return nil
}
