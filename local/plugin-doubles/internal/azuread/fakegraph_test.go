package azuread

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"logto-entra-sso/plugin-doubles/internal/recorder"
)

// fakeGraph is a small in-memory Microsoft Graph and Entra login on an httptest TLS server, recording every
// request, so the tests can check which calls the double makes and in which order.
type fakeGraph struct {
	t      *testing.T
	server *httptest.Server

	log recorder.Log

	mu     sync.Mutex
	apps   map[string]map[string]any
	sps    map[string]map[string]any
	owners map[string][]string
	grants map[string]map[string]any
	nextID int
	// faults answer the next matching requests with a status and error, before doing anything.
	faults []fault
	// hiddenPasswordReads: a new password is missing from its application for this many GETs.
	hiddenPasswordReads map[string]int
	callerOID           string
}

type fault struct {
	method, path string
	status       int
	code, msg    string
	retryAfter   string
	times        int
}

const graphSPID = "sp-graph"

func newFakeGraph(t *testing.T) *fakeGraph {
	f := &fakeGraph{t: t, apps: map[string]map[string]any{}, sps: map[string]map[string]any{},
		owners: map[string][]string{}, grants: map[string]map[string]any{}, hiddenPasswordReads: map[string]int{},
		callerOID: "caller-oid"}
	f.sps[graphSPID] = map[string]any{
		"id": graphSPID, "appId": "00000003-0000-0000-c000-000000000000", "displayName": "Microsoft Graph",
		"servicePrincipalNames": []any{"00000003-0000-0000-c000-000000000000", "https://graph.microsoft.com"},
		"oauth2PermissionScopes": []any{
			map[string]any{"id": "37f7f235-527c-4136-accd-4a02d197296e", "value": "openid", "type": "User", "isEnabled": true},
			map[string]any{"id": "14dad69e-099b-42c9-810b-d002981feec1", "value": "profile", "type": "User", "isEnabled": true},
		},
		"appRoles": []any{},
	}
	f.server = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.server.Close)
	// The double trusts the CA from SSL_CERT_FILE, like Go programs do.
	certFile := filepath.Join(t.TempDir(), "ca.pem")
	pem := "-----BEGIN CERTIFICATE-----\n" + base64.StdEncoding.EncodeToString(f.server.Certificate().Raw) + "\n-----END CERTIFICATE-----\n"
	if err := os.WriteFile(certFile, []byte(pem), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", certFile)
	t.Setenv("AZUREAD_DOUBLE_TIME_SCALE", "0.001")
	return f
}

func (f *fakeGraph) host() string { return strings.TrimPrefix(f.server.URL, "https://") }

func (f *fakeGraph) fail(method, path string, status int, code, msg string, times int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, fault{method: method, path: path, status: status, code: code, msg: msg, times: times})
}

// calls lists the recorded requests as "METHOD /path", the token and metadata calls included.
func (f *fakeGraph) calls() []string { return f.log.Calls() }

func (f *fakeGraph) reset() { f.log.Reset() }

func (f *fakeGraph) last(method, path string) recorder.Request {
	r, ok := f.log.Last(method, path)
	if !ok {
		f.t.Fatalf("no %s %s among %v", method, path, f.log.Calls())
	}
	return r
}

func (f *fakeGraph) write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func graphErr(code, msg string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "message": msg}}
}

func (f *fakeGraph) id(prefix string) string {
	f.nextID++
	return fmt.Sprintf("%s-%04d", prefix, f.nextID)
}

func (f *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	rec := recorder.Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query()}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		rec.Form, _ = url.ParseQuery(string(data))
	} else if len(data) > 0 {
		_ = json.Unmarshal(data, &rec.Body)
	}
	f.log.Add(rec)
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.faults {
		ft := &f.faults[i]
		if ft.times > 0 && ft.method == r.Method && ft.path == r.URL.Path {
			ft.times--
			if ft.retryAfter != "" {
				w.Header().Set("Retry-After", ft.retryAfter)
			}
			f.write(w, ft.status, graphErr(ft.code, ft.msg))
			return
		}
	}
	switch {
	case r.URL.Path == "/metadata/endpoints":
		f.write(w, 200, map[string]any{"name": "Fake", "resourceManager": f.server.URL + "/arm",
			"microsoftGraphResourceId": f.server.URL + "/",
			"authentication":           map[string]any{"loginEndpoint": f.server.URL}})
	case strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token"):
		if rec.Form.Get("client_secret") != "s3cret" {
			f.write(w, 401, map[string]any{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
			return
		}
		payload := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"oid":%q,"tid":"tenant"}`, f.callerOID)))
		f.write(w, 200, map[string]any{"access_token": "eyJhbGciOiJub25lIn0." + payload + ".sig", "token_type": "Bearer", "expires_in": "3599"})
	default:
		if r.Header.Get("Authorization") == "" {
			f.write(w, 401, graphErr("InvalidAuthenticationToken", "Access token is empty."))
			return
		}
		f.graphRoute(w, r, rec)
	}
}

var (
	appPath      = regexp.MustCompile(`^/v1\.0/applications/([^/]+)$`)
	appAction    = regexp.MustCompile(`^/v1\.0/applications/([^/]+)/(addPassword|removePassword)$`)
	spPath       = regexp.MustCompile(`^/(v1\.0|beta)/servicePrincipals/([^/]+)$`)
	spOwners     = regexp.MustCompile(`^/v1\.0/servicePrincipals/([^/]+)/owners$`)
	spOwnerRef   = regexp.MustCompile(`^/v1\.0/servicePrincipals/([^/]+)/owners/([^/]+)/\$ref$`)
	grantPath    = regexp.MustCompile(`^/v1\.0/oauth2PermissionGrants/([^/]+)$`)
	filterClause = regexp.MustCompile(`^(\w+) eq '(.*)'$`)
)

func mergeInto(dst, patch map[string]any) {
	for k, v := range patch {
		if k == "@odata.type" {
			continue
		}
		if sub, ok := v.(map[string]any); ok {
			existing, _ := dst[k].(map[string]any)
			if existing == nil {
				existing = map[string]any{}
			}
			mergeInto(existing, sub)
			dst[k] = existing
			continue
		}
		dst[k] = v
	}
}

func (f *fakeGraph) graphRoute(w http.ResponseWriter, r *http.Request, rec recorder.Request) {
	p := r.URL.Path
	switch {
	case r.Method == "POST" && p == "/v1.0/applications":
		id := f.id("app")
		app := map[string]any{"id": id, "appId": f.id("client"), "publisherDomain": "contoso.example", "passwordCredentials": []any{}}
		mergeInto(app, rec.Body)
		f.apps[id] = app
		f.write(w, 201, app)
	case appPath.MatchString(p):
		id := appPath.FindStringSubmatch(p)[1]
		app, ok := f.apps[id]
		if !ok {
			f.write(w, 404, graphErr("Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id)))
			return
		}
		switch r.Method {
		case "GET":
			shown := map[string]any{}
			for k, v := range app {
				shown[k] = v
			}
			var creds []any
			for _, c := range array(app["passwordCredentials"]) {
				key := str(object(c)["keyId"])
				if f.hiddenPasswordReads[key] > 0 {
					f.hiddenPasswordReads[key]--
					continue
				}
				creds = append(creds, c)
			}
			shown["passwordCredentials"] = creds
			f.write(w, 200, shown)
		case "PATCH":
			mergeInto(app, rec.Body)
			f.write(w, 204, nil)
		case "DELETE":
			delete(f.apps, id)
			f.write(w, 204, nil)
		}
	case appAction.MatchString(p):
		m := appAction.FindStringSubmatch(p)
		app, ok := f.apps[m[1]]
		if !ok {
			f.write(w, 404, graphErr("Request_ResourceNotFound", "no such application"))
			return
		}
		if m[2] == "addPassword" {
			cred := object(rec.Body["passwordCredential"])
			keyID := f.id("key")
			stored := map[string]any{"keyId": keyID, "displayName": cred["displayName"], "startDateTime": "2025-01-01T00:00:00Z", "endDateTime": cred["endDateTime"]}
			app["passwordCredentials"] = append(array(app["passwordCredentials"]), stored)
			answer := map[string]any{"secretText": "generated-secret-" + keyID}
			for k, v := range stored {
				answer[k] = v
			}
			f.write(w, 200, answer)
			return
		}
		var kept []any
		for _, c := range array(app["passwordCredentials"]) {
			if str(object(c)["keyId"]) != str(rec.Body["keyId"]) {
				kept = append(kept, c)
			}
		}
		app["passwordCredentials"] = kept
		f.write(w, 204, nil)
	case r.Method == "GET" && p == "/v1.0/servicePrincipals":
		m := filterClause.FindStringSubmatch(r.URL.Query().Get("$filter"))
		var out []any
		for _, sp := range f.sps {
			if m != nil && str(sp[m[1]]) == strings.ReplaceAll(m[2], "''", "'") {
				out = append(out, sp)
			}
		}
		f.write(w, 200, map[string]any{"value": out})
	case r.Method == "POST" && p == "/v1.0/servicePrincipals":
		id := f.id("sp")
		sp := map[string]any{"id": id, "displayName": "from app", "servicePrincipalNames": []any{rec.Body["appId"]}, "servicePrincipalType": "Application"}
		mergeInto(sp, rec.Body)
		delete(sp, "owners@odata.bind")
		f.sps[id] = sp
		for _, ref := range strs(rec.Body["owners@odata.bind"]) {
			f.owners[id] = append(f.owners[id], ref[strings.LastIndex(ref, "/")+1:])
		}
		f.write(w, 201, sp)
	case spPath.MatchString(p):
		m := spPath.FindStringSubmatch(p)
		sp, ok := f.sps[m[2]]
		if !ok {
			f.write(w, 404, graphErr("Request_ResourceNotFound", "no such service principal"))
			return
		}
		switch r.Method {
		case "GET":
			if m[1] == "beta" {
				f.write(w, 200, map[string]any{"id": m[2], "samlMetadataUrl": nil})
				return
			}
			f.write(w, 200, sp)
		case "PATCH":
			mergeInto(sp, rec.Body)
			f.write(w, 204, nil)
		case "DELETE":
			delete(f.sps, m[2])
			f.write(w, 204, nil)
		}
	case spOwners.MatchString(p):
		var out []any
		for _, o := range f.owners[spOwners.FindStringSubmatch(p)[1]] {
			out = append(out, map[string]any{"@odata.type": "#microsoft.graph.servicePrincipal", "id": o})
		}
		f.write(w, 200, map[string]any{"value": out})
	case spOwnerRef.MatchString(p) && r.Method == "DELETE":
		m := spOwnerRef.FindStringSubmatch(p)
		var kept []string
		for _, o := range f.owners[m[1]] {
			if o != m[2] {
				kept = append(kept, o)
			}
		}
		f.owners[m[1]] = kept
		f.write(w, 204, nil)
	case r.Method == "POST" && p == "/v1.0/oauth2PermissionGrants":
		id := f.id("grant")
		grant := map[string]any{"id": id}
		mergeInto(grant, rec.Body)
		f.grants[id] = grant
		f.write(w, 201, grant)
	case grantPath.MatchString(p):
		id := grantPath.FindStringSubmatch(p)[1]
		grant, ok := f.grants[id]
		if !ok {
			f.write(w, 404, graphErr("Request_ResourceNotFound", "no such grant"))
			return
		}
		switch r.Method {
		case "GET":
			f.write(w, 200, grant)
		case "PATCH":
			mergeInto(grant, rec.Body)
			f.write(w, 204, nil)
		case "DELETE":
			delete(f.grants, id)
			f.write(w, 204, nil)
		}
	default:
		f.write(w, 404, graphErr("Request_UnsupportedQuery", "the fake Graph has no route for "+r.Method+" "+p))
	}
}

// configured is the azuread double configured against the fake, as a program's provider would be.
func (f *fakeGraph) configured(t *testing.T) *azuread {
	t.Helper()
	a := &azuread{}
	config := resource.PropertyMap{
		"tenantId":     resource.NewProperty("tenant"),
		"metadataHost": resource.NewProperty(f.host()),
		"clientId":     resource.MakeSecret(resource.NewProperty("deployer-client")),
		"clientSecret": resource.MakeSecret(resource.NewProperty("s3cret")),
	}
	if err := a.configure(context.Background(), config, nil); err != nil {
		t.Fatalf("configure: %v", err)
	}
	return a
}
