package azuread

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"logto-entra-sso/plugin-doubles/internal/provider"
	"logto-entra-sso/plugin-doubles/internal/tfschema"
)

// --- ServicePrincipal (serviceprincipals/service_principal_resource.go) ----------------------------------

var servicePrincipalSchema = tfschema.Schema{
	"clientId":                   {Kind: tfschema.String, Required: true, ForceNew: true},
	"accountEnabled":             {Kind: tfschema.Bool, Optional: true, Default: true},
	"alternativeNames":           {Kind: tfschema.Set, Optional: true},
	"appRoleAssignmentRequired":  {Kind: tfschema.Bool, Optional: true},
	"description":                {Kind: tfschema.String, Optional: true},
	"loginUrl":                   {Kind: tfschema.String, Optional: true},
	"notes":                      {Kind: tfschema.String, Optional: true},
	"notificationEmailAddresses": {Kind: tfschema.Set, Optional: true},
	"owners":                     {Kind: tfschema.Set, Optional: true},
	"preferredSingleSignOnMode":  {Kind: tfschema.String, Optional: true},
	"tags":                       {Kind: tfschema.Set, Optional: true, Computed: true},
	"useExisting":                {Kind: tfschema.Bool, Optional: true},
	// Not modelled: they turn into tags and SAML settings the double does not send.
	"featureTags": {Kind: tfschema.Object, Optional: true, Computed: true, Unsupported: true},
	"features":    {Kind: tfschema.Object, Optional: true, Computed: true, Unsupported: true},
	// Computed here: Terraform suppresses its diff while relay_state is empty (servicePrincipalDiffSuppress).
	"samlSingleSignOn": {Kind: tfschema.Object, Optional: true, Computed: true, Unsupported: true},

	"appRoleIds":               {Kind: tfschema.Map, Computed: true},
	"appRoles":                 {Kind: tfschema.Object, Computed: true},
	"applicationTenantId":      {Kind: tfschema.String, Computed: true},
	"displayName":              {Kind: tfschema.String, Computed: true},
	"homepageUrl":              {Kind: tfschema.String, Computed: true},
	"logoutUrl":                {Kind: tfschema.String, Computed: true},
	"oauth2PermissionScopeIds": {Kind: tfschema.Map, Computed: true},
	"oauth2PermissionScopes":   {Kind: tfschema.Object, Computed: true},
	"objectId":                 {Kind: tfschema.String, Computed: true},
	"redirectUris":             {Kind: tfschema.List, Computed: true},
	"samlMetadataUrl":          {Kind: tfschema.String, Computed: true},
	"servicePrincipalNames":    {Kind: tfschema.List, Computed: true},
	"signInAudience":           {Kind: tfschema.String, Computed: true},
	"type":                     {Kind: tfschema.String, Computed: true},
}

func servicePrincipal(a *azuread) *bridged {
	return &bridged{
		token: "azuread:index/servicePrincipal:ServicePrincipal", schema: servicePrincipalSchema, a: a,
		timeouts: timeouts{create: 10 * time.Minute, read: 5 * time.Minute, update: 10 * time.Minute, delete: 5 * time.Minute},
		create:   createServicePrincipal,
		read: func(ctx context.Context, g *graph, id string, planned resource.PropertyMap) (resource.PropertyMap, bool, error) {
			return readServicePrincipal(ctx, g, id, planned)
		},
		update: func(ctx context.Context, g *graph, id string, state, in resource.PropertyMap, changed map[string]bool) error {
			return updateServicePrincipal(ctx, g, id, in, changed["owners"])
		},
		delete: deleteServicePrincipal,
	}
}

func spObjectID(id string) (string, error) {
	rest, ok := strings.CutPrefix(id, "/servicePrincipals/")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", fmt.Errorf("Parsing ID: %q is not a service principal ID (/servicePrincipals/{servicePrincipalId})", id)
	}
	return rest, nil
}

func uuid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func inputStrings(in resource.PropertyMap, key string) []string {
	l, _ := provider.Strings(in, key)
	if l == nil {
		l = []string{}
	}
	return l
}

// servicePrincipalProperties are the members Create and Update send (both send all of them).
func servicePrincipalProperties(in resource.PropertyMap) map[string]any {
	accountEnabled, _ := provider.Bool(in, "accountEnabled", true)
	return map[string]any{
		"@odata.type":                "#microsoft.graph.servicePrincipal",
		"accountEnabled":             accountEnabled,
		"alternativeNames":           inputStrings(in, "alternativeNames"),
		"appRoleAssignmentRequired":  inputBool(in, "appRoleAssignmentRequired"),
		"loginUrl":                   noZero(input(in, "loginUrl")),
		"notes":                      noZero(input(in, "notes")),
		"notificationEmailAddresses": inputStrings(in, "notificationEmailAddresses"),
		"preferredSingleSignOnMode":  noZero(input(in, "preferredSingleSignOnMode")),
		"samlSingleSignOnSettings":   map[string]any{},
		"tags":                       inputStrings(in, "tags"),
	}
}

func createServicePrincipal(ctx context.Context, g *graph, in resource.PropertyMap) (string, resource.PropertyMap, error) {
	clientID := input(in, "clientId")
	existing, err := g.list(ctx, "/v1.0/servicePrincipals", filter("appId", clientID))
	if err != nil {
		return "", nil, fmt.Errorf("Could not list existing service principals: %v", err)
	}
	if len(existing) > 1 {
		return "", nil, fmt.Errorf("Could not list existing service principals: unexpected number of service principals returned (expected: 1, received: %d", len(existing))
	}
	if len(existing) == 1 {
		objectID := str(existing[0]["id"])
		if inputBool(in, "useExisting") {
			id := "/servicePrincipals/" + objectID
			return id, nil, updateServicePrincipal(ctx, g, id, in, true)
		}
		return "", nil, fmt.Errorf("A resource with the ID %q already exists - to be managed via Terraform this resource needs "+
			"to be imported into the State. Please see the resource documentation for %q for more information.",
			objectID, "azuread_service_principal")
	}

	caller := g.s.objectID
	base := g.s.endpoints.graph + "/v1.0"
	owners := []string{base + "/directoryObjects/" + caller}
	var extraOwners []string
	removeCaller := true
	for _, owner := range inputStrings(in, "owners") {
		if strings.EqualFold(owner, caller) {
			removeCaller = false
			continue
		}
		if len(owners) < 20 {
			owners = append(owners, base+"/directoryObjects/"+owner)
		} else {
			extraOwners = append(extraOwners, base+"/directoryObjects/"+owner)
		}
	}
	body := servicePrincipalProperties(in)
	body["appId"] = clientID
	// A temporary description; the PATCH that sets the real one shows whether the object is there yet.
	body["description"] = "TERRAFORM_UPDATE_" + uuid()
	body["owners@odata.bind"] = owners
	var sp map[string]any
	err = g.post(ctx, "/v1.0/servicePrincipals", body, &sp, func(e *graphError) bool {
		switch e.status {
		case http.StatusBadRequest:
			return e.matches("The appId '.+' of the service principal does not reference a valid application object")
		case http.StatusForbidden:
			// Misleading: usually the application is not replicated yet.
			return e.matches("When using this permission, the backing application of the service principal being created must in the local tenant")
		}
		return false
	})
	if err != nil {
		return "", nil, fmt.Errorf("Could not create service principal: %v", err)
	}
	objectID := str(sp["id"])
	if objectID == "" {
		return "", nil, fmt.Errorf("Bad API response: Object ID returned for service principal is nil")
	}
	id := "/servicePrincipals/" + objectID
	if err := g.patch(ctx, "/v1.0/servicePrincipals/"+objectID, map[string]any{
		"@odata.type": "#microsoft.graph.servicePrincipal", "description": noZero(input(in, "description")),
	}); err != nil {
		if isNotFound(err) {
			return id, nil, fmt.Errorf("Timed out whilst waiting for new service principal to be replicated in Azure AD: %v", err)
		}
		return id, nil, fmt.Errorf("Failed to patch service principal after creating: %v", err)
	}
	for _, ref := range extraOwners {
		if err := g.post(ctx, "/v1.0/servicePrincipals/"+objectID+"/owners/$ref", map[string]any{"@odata.id": ref}, nil, nil); err != nil {
			return id, nil, fmt.Errorf("Could not add owners to %s: %v", id, err)
		}
	}
	if removeCaller {
		if err := g.delete(ctx, "/v1.0/servicePrincipals/"+objectID+"/owners/"+caller+"/$ref"); err != nil {
			return id, nil, fmt.Errorf("Could not remove initial owner from %s: %v", id, err)
		}
	}
	return id, nil, nil
}

func updateServicePrincipal(ctx context.Context, g *graph, id string, in resource.PropertyMap, ownersChanged bool) error {
	objectID, err := spObjectID(id)
	if err != nil {
		return err
	}
	body := servicePrincipalProperties(in)
	body["description"] = noZero(input(in, "description"))
	if err := g.patch(ctx, "/v1.0/servicePrincipals/"+objectID, body); err != nil {
		return fmt.Errorf("Updating %s: %v", id, err)
	}
	if !ownersChanged {
		return nil
	}
	current, err := g.list(ctx, "/v1.0/servicePrincipals/"+objectID+"/owners", nil)
	if err != nil {
		return fmt.Errorf("Could not retrieve owners for service principal with object ID: %q: %v", id, err)
	}
	existing := []string{}
	for _, o := range current {
		existing = append(existing, str(o["id"]))
	}
	desired := inputStrings(in, "owners")
	for _, o := range difference(desired, existing) {
		ref := map[string]any{"@odata.id": g.s.endpoints.graph + "/v1.0/directoryObjects/" + o}
		if err := g.post(ctx, "/v1.0/servicePrincipals/"+objectID+"/owners/$ref", ref, nil, nil); err != nil {
			return fmt.Errorf("Could not add owners to %s: %v", id, err)
		}
	}
	for _, o := range difference(existing, desired) {
		if err := g.delete(ctx, "/v1.0/servicePrincipals/"+objectID+"/owners/"+o+"/$ref"); err != nil {
			return fmt.Errorf("Could not add owners to %s: %v", id, err)
		}
	}
	return nil
}

func difference(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// servicePrincipalState is what Read sets from the v1.0 object, the beta samlMetadataUrl and the owners;
// the getServicePrincipal function answers the same attributes.
func servicePrincipalState(sp, beta map[string]any) map[string]any {
	appID := str(sp["appId"])
	names := []string{}
	for _, n := range strs(sp["servicePrincipalNames"]) {
		if !strings.EqualFold(n, appID) {
			names = append(names, n)
		}
	}
	tags := strs(sp["tags"])
	saml := []map[string]any{}
	if s, ok := sp["samlSingleSignOnSettings"].(map[string]any); ok {
		saml = append(saml, map[string]any{"relayState": str(s["relayState"])})
	}
	return map[string]any{
		"accountEnabled":             boolean(sp["accountEnabled"]),
		"alternativeNames":           strs(sp["alternativeNames"]),
		"appRoleAssignmentRequired":  boolean(sp["appRoleAssignmentRequired"]),
		"appRoleIds":                 valueIDs(sp["appRoles"]),
		"appRoles":                   appRoles(sp["appRoles"]),
		"applicationTenantId":        str(sp["appOwnerOrganizationId"]),
		"clientId":                   appID,
		"description":                str(sp["description"]),
		"displayName":                str(sp["displayName"]),
		"featureTags":                []map[string]any{featureTags(tags)},
		"features":                   []map[string]any{deprecatedFeatures(tags)},
		"homepageUrl":                str(sp["homepage"]),
		"logoutUrl":                  str(sp["logoutUrl"]),
		"loginUrl":                   str(sp["loginUrl"]),
		"notes":                      str(sp["notes"]),
		"notificationEmailAddresses": strs(sp["notificationEmailAddresses"]),
		"oauth2PermissionScopeIds":   valueIDs(sp["oauth2PermissionScopes"]),
		"oauth2PermissionScopes":     permissionScopes(sp["oauth2PermissionScopes"]),
		"objectId":                   str(sp["id"]),
		"preferredSingleSignOnMode":  str(sp["preferredSingleSignOnMode"]),
		"redirectUris":               strs(sp["replyUrls"]),
		"samlMetadataUrl":            str(beta["samlMetadataUrl"]),
		"samlSingleSignOn":           saml,
		"servicePrincipalNames":      names,
		"signInAudience":             str(sp["signInAudience"]),
		"tags":                       tags,
		"type":                       str(sp["servicePrincipalType"]),
	}
}

// valueIDs maps each scope's or role's value to its id (FlattenOAuth2PermissionScopeIDs, FlattenAppRoleIDs).
func valueIDs(v any) map[string]any {
	out := map[string]any{}
	for _, e := range array(v) {
		if value, id := str(object(e)["value"]), str(object(e)["id"]); value != "" && id != "" {
			out[value] = id
		}
	}
	return out
}

func permissionScopes(v any) []map[string]any {
	out := []map[string]any{}
	for _, e := range array(v) {
		p := object(e)
		out = append(out, map[string]any{
			"adminConsentDescription": str(p["adminConsentDescription"]),
			"adminConsentDisplayName": str(p["adminConsentDisplayName"]),
			"id":                      str(p["id"]),
			"enabled":                 boolean(p["isEnabled"]),
			"type":                    str(p["type"]),
			"userConsentDescription":  str(p["userConsentDescription"]),
			"userConsentDisplayName":  str(p["userConsentDisplayName"]),
			"value":                   str(p["value"]),
		})
	}
	return out
}

func appRoles(v any) []map[string]any {
	out := []map[string]any{}
	for _, e := range array(v) {
		r := object(e)
		out = append(out, map[string]any{
			"id":                 str(r["id"]),
			"allowedMemberTypes": strs(r["allowedMemberTypes"]),
			"description":        str(r["description"]),
			"displayName":        str(r["displayName"]),
			"enabled":            boolean(r["isEnabled"]),
			"value":              str(r["value"]),
		})
	}
	return out
}

func hasTag(tags []string, tag string) bool {
	for _, t := range tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}
	return false
}

func featureTags(tags []string) map[string]any {
	return map[string]any{
		"customSingleSignOn": hasTag(tags, "WindowsAzureActiveDirectoryCustomSingleSignOnApplication"),
		"enterprise":         hasTag(tags, "WindowsAzureActiveDirectoryIntegratedApp"),
		"gallery":            hasTag(tags, "WindowsAzureActiveDirectoryGalleryApplicationNonPrimaryV1"),
		"hide":               hasTag(tags, "HideApp"),
	}
}

func deprecatedFeatures(tags []string) map[string]any {
	return map[string]any{
		"customSingleSignOnApp": hasTag(tags, "WindowsAzureActiveDirectoryCustomSingleSignOnApplication"),
		"enterpriseApplication": hasTag(tags, "WindowsAzureActiveDirectoryIntegratedApp"),
		"galleryApplication":    hasTag(tags, "WindowsAzureActiveDirectoryGalleryApplicationNonPrimaryV1"),
		"visibleToUsers":        !hasTag(tags, "HideApp"),
	}
}

func getServicePrincipalByID(ctx context.Context, g *graph, objectID string) (map[string]any, error) {
	var sp map[string]any
	err := g.get(ctx, "/v1.0/servicePrincipals/"+objectID, nil, &sp)
	return sp, err
}

func samlMetadata(ctx context.Context, g *graph, objectID string) (map[string]any, error) {
	var beta map[string]any
	err := g.get(ctx, "/beta/servicePrincipals/"+objectID, url.Values{"$select": {"samlMetadataUrl"}}, &beta)
	return beta, err
}

func readServicePrincipal(ctx context.Context, g *graph, id string, planned resource.PropertyMap) (resource.PropertyMap, bool, error) {
	objectID, err := spObjectID(id)
	if err != nil {
		return nil, false, err
	}
	sp, err := getServicePrincipalByID(ctx, g, objectID)
	if isNotFound(err) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("Retrieving %s: %v", id, err)
	}
	beta, err := samlMetadata(ctx, g, objectID)
	if err != nil {
		return nil, false, fmt.Errorf("Retrieving %s (beta API): %v", id, err)
	}
	values := servicePrincipalState(sp, beta)
	// The resource's saml_single_sign_on has MaxItems 1: the bridge shows the one element as an object.
	if saml, _ := values["samlSingleSignOn"].([]map[string]any); len(saml) == 1 {
		values["samlSingleSignOn"] = saml[0]
	} else {
		delete(values, "samlSingleSignOn")
	}
	owners, err := g.list(ctx, "/v1.0/servicePrincipals/"+objectID+"/owners", nil)
	if err != nil {
		return nil, false, fmt.Errorf("Could not retrieve owners for %s: %v", id, err)
	}
	ownerIDs := []string{}
	for _, o := range owners {
		ownerIDs = append(ownerIDs, str(o["id"]))
	}
	values["owners"] = ownerIDs
	return set(planned, values), false, nil
}

func deleteServicePrincipal(ctx context.Context, g *graph, id string, state resource.PropertyMap) error {
	objectID, err := spObjectID(id)
	if err != nil {
		return err
	}
	err = g.delete(ctx, "/v1.0/servicePrincipals/"+objectID)
	if useExisting, _ := provider.Bool(state, "useExisting", false); useExisting {
		return nil
	}
	if err != nil {
		return fmt.Errorf("Deleting %s: %v", id, err)
	}
	err = waitForDeletion(ctx, g.s.timing, func(ctx context.Context) (bool, error) {
		_, err := getServicePrincipalByID(ctx, g, objectID)
		if isNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("Waiting for deletion of %s: %v", id, err)
	}
	return nil
}

// --- ServicePrincipalDelegatedPermissionGrant (service_principal_delegated_permission_grant_resource.go) -

var grantSchema = tfschema.Schema{
	"claimValues":                      {Kind: tfschema.Set, Required: true},
	"resourceServicePrincipalObjectId": {Kind: tfschema.String, Required: true, ForceNew: true},
	"servicePrincipalObjectId":         {Kind: tfschema.String, Required: true, ForceNew: true},
	"userObjectId":                     {Kind: tfschema.String, Optional: true, ForceNew: true},
}

func delegatedPermissionGrant(a *azuread) *bridged {
	return &bridged{
		token:  "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant",
		schema: grantSchema, a: a,
		timeouts: timeouts{create: 5 * time.Minute, read: 5 * time.Minute, update: 5 * time.Minute, delete: 5 * time.Minute},
		validate: func(in resource.PropertyMap) []provider.CheckFailure {
			if v := provider.Plain(in["claimValues"]); v.IsArray() && len(v.ArrayValue()) == 0 {
				return []provider.CheckFailure{{Property: "claimValues", Reason: "Attribute claimValues requires 1 item minimum, but config has only 0 declared."}}
			}
			return nil
		},
		create: createGrant,
		read:   readGrant,
		update: func(ctx context.Context, g *graph, id string, _, in resource.PropertyMap, _ map[string]bool) error {
			grantID, err := grantIDOf(id)
			if err != nil {
				return err
			}
			if err := g.patch(ctx, "/v1.0/oauth2PermissionGrants/"+grantID, map[string]any{
				"@odata.type": "#microsoft.graph.oAuth2PermissionGrant", "scope": noZero(strings.Join(inputStrings(in, "claimValues"), " ")),
			}); err != nil {
				return fmt.Errorf("Updating %s: %v", id, err)
			}
			return nil
		},
		delete: func(ctx context.Context, g *graph, id string, _ resource.PropertyMap) error {
			grantID, err := grantIDOf(id)
			if err != nil {
				return err
			}
			if err := g.delete(ctx, "/v1.0/oauth2PermissionGrants/"+grantID); err != nil {
				return fmt.Errorf("Deleting %s: %v", id, err)
			}
			return nil
		},
	}
}

func grantIDOf(id string) (string, error) {
	rest, ok := strings.CutPrefix(id, "/oauth2PermissionGrants/")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", fmt.Errorf("Parsing ID: %q is not a delegated permission grant ID (/oauth2PermissionGrants/{id})", id)
	}
	return rest, nil
}

func createGrant(ctx context.Context, g *graph, in resource.PropertyMap) (string, resource.PropertyMap, error) {
	spID, resourceID := input(in, "servicePrincipalObjectId"), input(in, "resourceServicePrincipalObjectId")
	if _, err := getServicePrincipalByID(ctx, g, spID); err != nil {
		if isNotFound(err) {
			return "", nil, fmt.Errorf("Service Principal (Object ID: %q) was not found): %v", spID, err)
		}
		return "", nil, fmt.Errorf("Could not retrieve Service Principal (Object ID: %q): %v", spID, err)
	}
	if _, err := getServicePrincipalByID(ctx, g, resourceID); err != nil {
		if isNotFound(err) {
			return "", nil, fmt.Errorf("Service Principal (Object ID: %q) not found for resource: %v", resourceID, err)
		}
		return "", nil, fmt.Errorf("Could not retrieve Service Principal (Object ID: %q) for resource: %v", resourceID, err)
	}
	body := map[string]any{
		"@odata.type": "#microsoft.graph.oAuth2PermissionGrant",
		"clientId":    spID,
		"resourceId":  resourceID,
		"scope":       noZero(strings.Join(inputStrings(in, "claimValues"), " ")),
		"consentType": "AllPrincipals",
	}
	if user := input(in, "userObjectId"); user != "" {
		body["principalId"], body["consentType"] = user, "Principal"
	}
	var grant map[string]any
	err := g.post(ctx, "/v1.0/oauth2PermissionGrants", body, &grant, func(e *graphError) bool {
		return e.status == http.StatusNotFound ||
			(e.status == http.StatusBadRequest && e.matches("does not exist or one of its queried reference-property objects are not present"))
	})
	if err != nil {
		return "", nil, fmt.Errorf("Could not create delegated permission grant: %v", err)
	}
	if str(grant["id"]) == "" {
		return "", nil, fmt.Errorf("Bad API response: ID returned for delegated permission grant is nil")
	}
	return "/oauth2PermissionGrants/" + str(grant["id"]), nil, nil
}

func readGrant(ctx context.Context, g *graph, id string, planned resource.PropertyMap) (resource.PropertyMap, bool, error) {
	grantID, err := grantIDOf(id)
	if err != nil {
		return nil, false, err
	}
	var grant map[string]any
	err = g.get(ctx, "/v1.0/oauth2PermissionGrants/"+grantID, nil, &grant)
	if isNotFound(err) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("Retrieving Delegated Permission Grant with ID %q: %v", id, err)
	}
	return set(planned, map[string]any{
		"claimValues":                      strings.Fields(str(grant["scope"])),
		"resourceServicePrincipalObjectId": str(grant["resourceId"]),
		"servicePrincipalObjectId":         str(grant["clientId"]),
		"userObjectId":                     str(grant["principalId"]),
	}), false, nil
}
