package azuread

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"logto-entra-sso/plugin-doubles/internal/provider"
)

var ctx = context.Background()

func props(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

// create runs Check then Create, as the engine does.
func create(t *testing.T, r provider.Resource, urnName string, inputs map[string]any) provider.CreateResponse {
	t.Helper()
	checked, err := r.Check(ctx, provider.CheckRequest{News: props(inputs)})
	if err != nil || len(checked.Failures) > 0 {
		t.Fatalf("check: %v %v", err, checked.Failures)
	}
	resp, err := r.Create(ctx, provider.CreateRequest{URN: resource.URN("urn:pulumi:s::p::t::" + urnName), Properties: checked.Inputs})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return resp
}

func checked(t *testing.T, r provider.Resource, inputs map[string]any) resource.PropertyMap {
	t.Helper()
	resp, err := r.Check(ctx, provider.CheckRequest{News: props(inputs)})
	if err != nil || len(resp.Failures) > 0 {
		t.Fatalf("check: %v %v", err, resp.Failures)
	}
	return resp.Inputs
}

func wantCalls(t *testing.T, f *fakeGraph, want ...string) {
	t.Helper()
	if got := f.calls(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Graph calls:\n got  %q\n want %q", got, want)
	}
}

func TestConfigureAsksMetadataThenTokenAndTakesTheCallerFromOid(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	wantCalls(t, f, "GET /metadata/endpoints", "POST /tenant/oauth2/v2.0/token")
	meta := f.log.All()[0]
	if meta.Query.Get("api-version") != "2022-09-01" {
		t.Errorf("metadata api-version = %q", meta.Query.Get("api-version"))
	}
	form := f.log.All()[1].Form
	want := map[string]string{"client_id": "deployer-client", "client_secret": "s3cret", "grant_type": "client_credentials",
		"scope": f.server.URL + "/.default"}
	for k, v := range want {
		if form.Get(k) != v {
			t.Errorf("token form %s = %q, want %q", k, form.Get(k), v)
		}
	}
	if a.sess.objectID != "caller-oid" {
		t.Errorf("caller object id = %q", a.sess.objectID)
	}
}

func TestConfigureWithAWrongSecretFailsWithEntrasMessageAndNoSecret(t *testing.T) {
	f := newFakeGraph(t)
	a := &azuread{}
	err := a.configure(ctx, props(map[string]any{"tenantId": "tenant", "metadataHost": f.host(),
		"clientId": "deployer-client", "clientSecret": "wrong-secret-value"}), nil)
	if err == nil || !strings.Contains(err.Error(), "AADSTS7000215") || strings.Contains(err.Error(), "wrong-secret-value") {
		t.Fatalf("error = %v", err)
	}
	// 401 is not retried.
	wantCalls(t, f, "GET /metadata/endpoints", "POST /tenant/oauth2/v2.0/token")
}

func TestConfigureWithoutSecretNamesTheSettings(t *testing.T) {
	t.Setenv("ARM_CLIENT_SECRET", "")
	t.Setenv("ARM_CLIENT_ID", "")
	err := (&azuread{}).configure(ctx, props(map[string]any{"tenantId": "tenant"}), nil)
	if err == nil || !strings.Contains(err.Error(), "ARM_CLIENT_SECRET") {
		t.Fatalf("error = %v", err)
	}
}

func TestConfigureReadsCredentialsFromTheEnvironmentLikeTheRealProvider(t *testing.T) {
	f := newFakeGraph(t)
	t.Setenv("ARM_TENANT_ID", "tenant")
	t.Setenv("ARM_CLIENT_ID", "env-client")
	t.Setenv("ARM_CLIENT_SECRET", "s3cret")
	t.Setenv("ARM_METADATA_HOSTNAME", f.host())
	if err := (&azuread{}).configure(ctx, resource.PropertyMap{}, nil); err != nil {
		t.Fatal(err)
	}
	if got := f.last("POST", "/tenant/oauth2/v2.0/token").Form.Get("client_id"); got != "env-client" {
		t.Errorf("client_id = %q", got)
	}
}

func TestApplicationRegistrationCreateSendsDefaultsAndReadsBack(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	f.reset()
	r := applicationRegistration(a)
	resp := create(t, r, "app", map[string]any{"displayName": "Contoso SSO", "notes": "managed"})
	objectID := strings.TrimPrefix(resp.ID, "/applications/")
	wantCalls(t, f, "POST /v1.0/applications", "GET /v1.0/applications/"+objectID)
	body := f.last("POST", "/v1.0/applications").Body
	if body["signInAudience"] != "AzureADMyOrg" || object(body["api"])["requestedAccessTokenVersion"] != 2.0 {
		t.Errorf("defaults not sent: %v", body)
	}
	if v, ok := body["description"]; !ok || v != nil {
		t.Errorf("an unset description must be an explicit null, got %v (present %v)", v, ok)
	}
	state := resp.Properties
	if state["objectId"].StringValue() != objectID || state["clientId"].StringValue() == "" ||
		state["publisherDomain"].StringValue() != "contoso.example" || state["requestedAccessTokenVersion"].NumberValue() != 2 {
		t.Errorf("state = %v", state)
	}
}

func TestApplicationRegistrationUpdatePatchesOnlyTheChangedField(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	r := applicationRegistration(a)
	resp := create(t, r, "app", map[string]any{"displayName": "Old", "notes": "n"})
	news := checked(t, r, map[string]any{"displayName": "New", "notes": "n"})
	diff, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: resp.Properties, News: news})
	if !diff.Changes || len(diff.Replaces) != 0 || diff.DetailedDiff["displayName"].Kind != pulumirpc.PropertyDiff_UPDATE || len(diff.DetailedDiff) != 1 {
		t.Fatalf("diff = %+v", diff)
	}
	f.reset()
	if _, err := r.Update(ctx, provider.UpdateRequest{ID: resp.ID, OldOutputs: resp.Properties, News: news}); err != nil {
		t.Fatal(err)
	}
	patch := f.last("PATCH", "/v1.0"+resp.ID).Body
	delete(patch, "@odata.type")
	if !reflect.DeepEqual(patch, map[string]any{"displayName": "New"}) {
		t.Errorf("PATCH body = %v", patch)
	}
}

func TestApplicationRegistrationDriftInGraphShowsInTheDiffAfterRefresh(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	r := applicationRegistration(a)
	inputs := map[string]any{"displayName": "App"}
	resp := create(t, r, "app", inputs)
	f.apps[strings.TrimPrefix(resp.ID, "/applications/")]["displayName"] = "Renamed by hand"
	read, err := r.Read(ctx, provider.ReadRequest{ID: resp.ID, Properties: resp.Properties, Inputs: checked(t, r, inputs)})
	if err != nil || read.Properties["displayName"].StringValue() != "Renamed by hand" {
		t.Fatalf("read = %v, %v", read.Properties, err)
	}
	diff, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: read.Properties, News: checked(t, r, inputs)})
	if !diff.Changes || diff.DetailedDiff["displayName"].Kind != pulumirpc.PropertyDiff_UPDATE {
		t.Fatalf("diff = %+v", diff)
	}
}

func TestApplicationRegistrationDeleteWaitsForFiveNotFoundReads(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	r := applicationRegistration(a)
	resp := create(t, r, "app", map[string]any{"displayName": "App"})
	f.reset()
	if err := r.Delete(ctx, provider.DeleteRequest{ID: resp.ID, Properties: resp.Properties}); err != nil {
		t.Fatal(err)
	}
	get := "GET /v1.0" + resp.ID
	wantCalls(t, f, "DELETE /v1.0"+resp.ID, get, get, get, get, get)
}

func TestReadOfAGoneApplicationTellsTheEngineItIsGone(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	r := applicationRegistration(a)
	resp := create(t, r, "app", map[string]any{"displayName": "App"})
	delete(f.apps, strings.TrimPrefix(resp.ID, "/applications/"))
	read, err := r.Read(ctx, provider.ReadRequest{ID: resp.ID, Properties: resp.Properties})
	if err != nil || read.ID != "" {
		t.Fatalf("read = %+v, %v", read, err)
	}
}

func TestGraphRetriesServerErrorsAndThrottlingButNotClientErrors(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	r := applicationRegistration(a)
	resp := create(t, r, "app", map[string]any{"displayName": "App"})
	path := "/v1.0" + resp.ID
	f.fail("GET", path, 503, "ServiceUnavailable", "try later", 2)
	f.fail("GET", path, 429, "TooManyRequests", "slow down", 1)
	f.reset()
	if _, err := r.Read(ctx, provider.ReadRequest{ID: resp.ID, Properties: resp.Properties}); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f, "GET "+path, "GET "+path, "GET "+path, "GET "+path)

	f.fail("GET", path, 400, "Request_BadRequest", "Invalid object identifier", 1)
	f.reset()
	_, err := r.Read(ctx, provider.ReadRequest{ID: resp.ID, Properties: resp.Properties})
	if err == nil || !strings.Contains(err.Error(), "unexpected status 400 (400 Bad Request) with error: Request_BadRequest: Invalid object identifier") {
		t.Fatalf("error = %v", err)
	}
	wantCalls(t, f, "GET "+path)
}

func TestRedirectURIsOnAnAppThatHasSomeAlreadyRequireImport(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	app := create(t, applicationRegistration(a), "app", map[string]any{"displayName": "App"})
	r := applicationRedirectUris(a)
	uris := map[string]any{"applicationId": app.ID, "type": "Web", "redirectUris": []any{"https://logto.example/callback/c1"}}
	resp := create(t, r, "uris", uris)
	if resp.ID != app.ID+"/redirectUris/Web" {
		t.Errorf("id = %q", resp.ID)
	}
	web := object(f.apps[strings.TrimPrefix(app.ID, "/applications/")]["web"])
	if got := strs(web["redirectUris"]); !reflect.DeepEqual(got, []string{"https://logto.example/callback/c1"}) {
		t.Errorf("web.redirectUris = %v", got)
	}
	_, err := r.Create(ctx, provider.CreateRequest{Properties: checked(t, r, uris)})
	if err == nil || !strings.Contains(err.Error(), "needs to be imported") {
		t.Fatalf("second create: %v", err)
	}
	// Deleting empties the list; the resource then reads as gone.
	if err := r.Delete(ctx, provider.DeleteRequest{ID: resp.ID}); err != nil {
		t.Fatal(err)
	}
	read, _ := r.Read(ctx, provider.ReadRequest{ID: resp.ID, Properties: resp.Properties})
	if read.ID != "" {
		t.Errorf("after delete the redirect URIs still read: %v", read.Properties)
	}
}

func TestRedirectURIsChangeOfTheListUpdatesChangeOfTypeReplaces(t *testing.T) {
	r := applicationRedirectUris(&azuread{})
	olds := props(map[string]any{"applicationId": "/applications/a", "type": "Web", "redirectUris": []any{"https://x/1", "https://x/2"}})
	same := checked(t, r, map[string]any{"applicationId": "/applications/a", "type": "Web", "redirectUris": []any{"https://x/2", "https://x/1"}})
	if d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: olds, News: same}); d.Changes {
		t.Errorf("a set in another order is no change: %+v", d)
	}
	more := checked(t, r, map[string]any{"applicationId": "/applications/a", "type": "Web", "redirectUris": []any{"https://x/3"}})
	if d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: olds, News: more}); !d.Changes || len(d.Replaces) != 0 {
		t.Errorf("new URIs are an update: %+v", d)
	}
	spa := checked(t, r, map[string]any{"applicationId": "/applications/a", "type": "SPA", "redirectUris": []any{"https://x/1", "https://x/2"}})
	if d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: olds, News: spa}); !reflect.DeepEqual(d.Replaces, []string{"type"}) {
		t.Errorf("another type replaces: %+v", d)
	}
}

func TestApplicationIDMustBeTheRegistrationsID(t *testing.T) {
	r := applicationAPIAccess(&azuread{})
	resp, _ := r.Check(ctx, provider.CheckRequest{News: props(map[string]any{
		"applicationId": "11111111-2222-3333-4444-555555555555", "apiClientId": "x", "scopeIds": []any{"s"}})})
	if len(resp.Failures) != 1 || resp.Failures[0].Property != "applicationId" || !strings.Contains(resp.Failures[0].Reason, "/applications/") {
		t.Fatalf("failures = %+v", resp.Failures)
	}
}

func TestAPIAccessKeepsOtherAPIsAndRemovesOnlyItsOwn(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	app := create(t, applicationRegistration(a), "app", map[string]any{"displayName": "App"})
	objectID := strings.TrimPrefix(app.ID, "/applications/")
	f.apps[objectID]["requiredResourceAccess"] = []any{map[string]any{"resourceAppId": "other-api",
		"resourceAccess": []any{map[string]any{"id": "r1", "type": "Role"}}}}
	r := applicationAPIAccess(a)
	f.reset()
	resp := create(t, r, "access", map[string]any{"applicationId": app.ID, "apiClientId": "00000003-0000-0000-c000-000000000000",
		"scopeIds": []any{"37f7f235-527c-4136-accd-4a02d197296e"}})
	wantCalls(t, f, "GET /v1.0"+app.ID, "PATCH /v1.0"+app.ID, "GET /v1.0"+app.ID)
	patch := f.last("PATCH", "/v1.0"+app.ID).Body
	if len(array(patch["requiredResourceAccess"])) != 2 || patch["id"] != objectID {
		t.Errorf("PATCH must send every API, and the id: %v", patch)
	}
	if got := resp.Properties["scopeIds"]; len(got.ArrayValue()) != 1 {
		t.Errorf("scopeIds = %v", got)
	}
	if err := r.Delete(ctx, provider.DeleteRequest{ID: resp.ID}); err != nil {
		t.Fatal(err)
	}
	left := array(f.apps[objectID]["requiredResourceAccess"])
	if len(left) != 1 || str(object(left[0])["resourceAppId"]) != "other-api" {
		t.Errorf("after delete: %v", left)
	}
}

func TestPasswordCreateWaitsUntilTheCredentialIsListedFiveTimes(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	app := create(t, applicationRegistration(a), "app", map[string]any{"displayName": "App"})
	r := applicationPassword(a)
	f.reset()
	resp := create(t, r, "secret", map[string]any{"applicationId": app.ID, "displayName": "Logto SSO",
		"endDate": "2030-01-01T00:00:00Z", "rotateWhenChanged": map[string]any{"period": "7"}})
	get := "GET /v1.0" + app.ID
	wantCalls(t, f, get, "POST /v1.0"+app.ID+"/addPassword", get, get, get, get, get, get)
	cred := object(f.last("POST", "/v1.0"+app.ID+"/addPassword").Body["passwordCredential"])
	if cred["endDateTime"] != "2030-01-01T00:00:00Z" || cred["displayName"] != "Logto SSO" {
		t.Errorf("passwordCredential = %v", cred)
	}
	state := resp.Properties
	objectID := strings.TrimPrefix(app.ID, "/applications/")
	if !strings.HasPrefix(resp.ID, objectID+"/password/") || state["keyId"].StringValue() != strings.TrimPrefix(resp.ID, objectID+"/password/") {
		t.Errorf("id %q, keyId %v", resp.ID, state["keyId"])
	}
	if !state["value"].IsSecret() || !strings.HasPrefix(state["value"].SecretValue().Element.StringValue(), "generated-secret-") {
		t.Errorf("value must be the secret text, kept secret: %v", state["value"])
	}
	if state["endDate"].StringValue() != "2030-01-01T00:00:00Z" || state["rotateWhenChanged"].ObjectValue()["period"].StringValue() != "7" {
		t.Errorf("state = %v", state)
	}
}

func TestPasswordPollsWhileTheNewCredentialIsNotReplicated(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	app := create(t, applicationRegistration(a), "app", map[string]any{"displayName": "App"})
	// The next key the fake hands out is hidden from the first 3 GETs of the application.
	f.hiddenPasswordReads[f.peekNextKey()] = 3
	f.reset()
	create(t, applicationPassword(a), "secret", map[string]any{"applicationId": app.ID, "endDate": "2030-01-01T00:00:00Z"})
	gets := 0
	for _, c := range f.calls() {
		if c == "GET /v1.0"+app.ID {
			gets++
		}
	}
	if gets != 1+3+5+1 {
		t.Errorf("GETs of the application = %d, want 1 before, 3 not listing it, 5 in a row listing it, 1 read", gets)
	}
}

// peekNextKey is the id the fake gives the next object it creates.
func (f *fakeGraph) peekNextKey() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprintf("key-%04d", f.nextID+1)
}

func TestPasswordRotationIsAReplacementAndEveryInputForcesIt(t *testing.T) {
	r := applicationPassword(&azuread{})
	olds := props(map[string]any{"applicationId": "/applications/a", "displayName": "d", "endDate": "2030-01-01T00:00:00Z",
		"startDate": "2025-01-01T00:00:00Z", "keyId": "k", "value": "v", "rotateWhenChanged": map[string]any{"period": "1"}})
	for name, news := range map[string]map[string]any{
		"rotateWhenChanged": {"applicationId": "/applications/a", "displayName": "d", "endDate": "2030-01-01T00:00:00Z", "rotateWhenChanged": map[string]any{"period": "2"}},
		"endDate":           {"applicationId": "/applications/a", "displayName": "d", "endDate": "2031-01-01T00:00:00Z", "rotateWhenChanged": map[string]any{"period": "1"}},
		"displayName":       {"applicationId": "/applications/a", "displayName": "e", "endDate": "2030-01-01T00:00:00Z", "rotateWhenChanged": map[string]any{"period": "1"}},
	} {
		d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: olds, News: checked(t, r, news)})
		if !reflect.DeepEqual(d.Replaces, []string{name}) {
			t.Errorf("%s change: replaces %v", name, d.Replaces)
		}
	}
	same := checked(t, r, map[string]any{"applicationId": "/applications/a", "displayName": "d", "endDate": "2030-01-01T00:00:00Z", "rotateWhenChanged": map[string]any{"period": "1"}})
	if d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: olds, News: same}); d.Changes {
		t.Errorf("unchanged inputs (startDate computed) are no change: %+v", d)
	}
}

func TestPasswordPreviewHasUnknownSecretValue(t *testing.T) {
	r := applicationPassword(&azuread{})
	resp, err := r.Create(ctx, provider.CreateRequest{Preview: true, Properties: checked(t, r, map[string]any{"applicationId": "/applications/a"})})
	if err != nil {
		t.Fatal(err)
	}
	if v := resp.Properties["value"]; !v.IsSecret() || !v.SecretValue().Element.IsComputed() {
		t.Errorf("value in preview = %v", v)
	}
	if !resp.Properties["keyId"].IsComputed() || !resp.Properties["endDate"].IsComputed() {
		t.Errorf("keyId, endDate in preview = %v", resp.Properties)
	}
}

func TestPasswordDeleteRemovesThenWaitsUntilItIsGoneFiveTimes(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	app := create(t, applicationRegistration(a), "app", map[string]any{"displayName": "App"})
	r := applicationPassword(a)
	resp := create(t, r, "secret", map[string]any{"applicationId": app.ID, "endDate": "2030-01-01T00:00:00Z"})
	f.reset()
	if err := r.Delete(ctx, provider.DeleteRequest{ID: resp.ID, Properties: resp.Properties}); err != nil {
		t.Fatal(err)
	}
	get := "GET /v1.0" + app.ID
	wantCalls(t, f, "POST /v1.0"+app.ID+"/removePassword", get, get, get, get, get)
	if body := f.last("POST", "/v1.0"+app.ID+"/removePassword").Body; body["keyId"] != resp.Properties["keyId"].StringValue() {
		t.Errorf("removePassword body = %v", body)
	}
}

func TestServicePrincipalCreateSequenceAndOwners(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	app := create(t, applicationRegistration(a), "app", map[string]any{"displayName": "App"})
	clientID := f.apps[strings.TrimPrefix(app.ID, "/applications/")]["appId"].(string)
	f.reset()
	resp := create(t, servicePrincipal(a), "sp", map[string]any{"clientId": clientID})
	objectID := strings.TrimPrefix(resp.ID, "/servicePrincipals/")
	wantCalls(t, f,
		"GET /v1.0/servicePrincipals", "POST /v1.0/servicePrincipals", "PATCH /v1.0/servicePrincipals/"+objectID,
		"DELETE /v1.0/servicePrincipals/"+objectID+"/owners/caller-oid/$ref",
		"GET /v1.0/servicePrincipals/"+objectID, "GET /beta/servicePrincipals/"+objectID, "GET /v1.0/servicePrincipals/"+objectID+"/owners")
	if q := f.log.All()[0].Query.Get("$filter"); q != "appId eq '"+clientID+"'" {
		t.Errorf("$filter = %q", q)
	}
	post := f.last("POST", "/v1.0/servicePrincipals").Body
	if !strings.HasPrefix(str(post["description"]), "TERRAFORM_UPDATE_") ||
		!reflect.DeepEqual(strs(post["owners@odata.bind"]), []string{f.server.URL + "/v1.0/directoryObjects/caller-oid"}) ||
		post["accountEnabled"] != true {
		t.Errorf("POST body = %v", post)
	}
	if v, ok := f.last("PATCH", "/v1.0/servicePrincipals/"+objectID).Body["description"]; !ok || v != nil {
		t.Errorf("the PATCH after create must set the description to null, got %v", v)
	}
	// No owner left once the caller is removed: an empty set, which the bridge shows as null.
	if resp.Properties["objectId"].StringValue() != objectID || !resp.Properties["owners"].IsNull() ||
		resp.Properties["id"].StringValue() != resp.ID {
		t.Errorf("state = %v", resp.Properties)
	}
}

func TestServicePrincipalCreateIsRetriedWhileTheApplicationIsNotReplicated(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	f.fail("POST", "/v1.0/servicePrincipals", 400, "Request_BadRequest",
		"The appId 'abc' of the service principal does not reference a valid application object.", 2)
	f.reset()
	create(t, servicePrincipal(a), "sp", map[string]any{"clientId": "abc"})
	posts := 0
	for _, c := range f.calls() {
		if c == "POST /v1.0/servicePrincipals" {
			posts++
		}
	}
	if posts != 3 {
		t.Errorf("POSTs = %d, want 2 refused and 1 accepted", posts)
	}
}

func TestServicePrincipalThatExistsAlreadyNeedsImport(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	r := servicePrincipal(a)
	_, err := r.Create(ctx, provider.CreateRequest{Properties: checked(t, r, map[string]any{"clientId": "00000003-0000-0000-c000-000000000000"})})
	if err == nil || !strings.Contains(err.Error(), `"sp-graph" already exists`) {
		t.Fatalf("error = %v", err)
	}
}

func TestGrantSequenceAndScopeUpdate(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	sp := create(t, servicePrincipal(a), "sp", map[string]any{"clientId": "client-x"})
	spID := strings.TrimPrefix(sp.ID, "/servicePrincipals/")
	r := delegatedPermissionGrant(a)
	f.reset()
	inputs := map[string]any{"servicePrincipalObjectId": spID, "resourceServicePrincipalObjectId": graphSPID, "claimValues": []any{"openid", "profile"}}
	resp := create(t, r, "grant", inputs)
	grantID := strings.TrimPrefix(resp.ID, "/oauth2PermissionGrants/")
	wantCalls(t, f, "GET /v1.0/servicePrincipals/"+spID, "GET /v1.0/servicePrincipals/"+graphSPID,
		"POST /v1.0/oauth2PermissionGrants", "GET /v1.0/oauth2PermissionGrants/"+grantID)
	post := f.last("POST", "/v1.0/oauth2PermissionGrants").Body
	if post["scope"] != "openid profile" || post["consentType"] != "AllPrincipals" || post["clientId"] != spID {
		t.Errorf("POST body = %v", post)
	}
	inputs["claimValues"] = []any{"openid", "profile", "email"}
	news := checked(t, r, inputs)
	d, _ := r.Diff(ctx, provider.DiffRequest{OldOutputs: resp.Properties, News: news})
	if !d.Changes || len(d.Replaces) != 0 {
		t.Fatalf("a new scope is an update: %+v", d)
	}
	if _, err := r.Update(ctx, provider.UpdateRequest{ID: resp.ID, OldOutputs: resp.Properties, News: news}); err != nil {
		t.Fatal(err)
	}
	if got := f.grants[grantID]["scope"]; got != "openid profile email" {
		t.Errorf("scope after update = %v", got)
	}
}

func TestGetServicePrincipalByClientIDAndPublishedAppIDs(t *testing.T) {
	f := newFakeGraph(t)
	a := f.configured(t)
	ids, err := a.publishedAppIDs(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	graphID := ids["result"].ObjectValue()["MicrosoftGraph"].StringValue()
	f.reset()
	sp, err := a.getServicePrincipal(ctx, props(map[string]any{"clientId": graphID}))
	if err != nil {
		t.Fatal(err)
	}
	wantCalls(t, f, "GET /v1.0/servicePrincipals", "GET /beta/servicePrincipals/"+graphSPID)
	if sp["objectId"].StringValue() != graphSPID || sp["id"].StringValue() != "/servicePrincipals/"+graphSPID {
		t.Errorf("objectId/id = %v %v", sp["objectId"], sp["id"])
	}
	if got := sp["oauth2PermissionScopeIds"].ObjectValue()["openid"].StringValue(); got != "37f7f235-527c-4136-accd-4a02d197296e" {
		t.Errorf("openid scope id = %q", got)
	}
	names := sp["servicePrincipalNames"].ArrayValue()
	if len(names) != 1 || names[0].StringValue() != "https://graph.microsoft.com" {
		t.Errorf("servicePrincipalNames must leave out the app id: %v", names)
	}
}

func TestCheckConfigRejectsUnknownKeysAndMarksTheSecretSecret(t *testing.T) {
	inputs, failures, _ := checkConfig(ctx, props(map[string]any{"tenantId": "t", "clientSecret": "x", "tenantID": "typo", "version": "6.9.1"}))
	if len(failures) != 1 || failures[0].Property != "tenantID" {
		t.Errorf("failures = %+v", failures)
	}
	if !inputs["clientSecret"].IsSecret() {
		t.Errorf("clientSecret must be secret")
	}
}
