// Package azuread is the double of pulumi-azuread 6.9.1 (terraform-provider-azuread v3.8.0, bridged): a thin
// Microsoft Graph client making the calls the real provider makes, in its order (see
// ../shared/reference/graph-for-azuread.md and README.md), for the resources and functions the project uses.
package azuread

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"logto-entra-sso/plugin-doubles/internal/provider"
)

// Version is the pulumi-azuread release this double models (package-lock.json's @pulumi/azuread).
const Version = "6.9.1"

// configKeys are the provider settings of pulumi-azuread's schema, with the environment variable the real
// provider reads when a setting is absent (terraform-provider-azuread internal/provider/provider.go).
var configKeys = map[string]string{
	"adoPipelineServiceConnectionId": "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
	"clientCertificate":              "ARM_CLIENT_CERTIFICATE",
	"clientCertificatePassword":      "ARM_CLIENT_CERTIFICATE_PASSWORD",
	"clientCertificatePath":          "ARM_CLIENT_CERTIFICATE_PATH",
	"clientId":                       "ARM_CLIENT_ID",
	"clientIdFilePath":               "ARM_CLIENT_ID_FILE_PATH",
	"clientSecret":                   "ARM_CLIENT_SECRET",
	"clientSecretFilePath":           "ARM_CLIENT_SECRET_FILE_PATH",
	"disableTerraformPartnerId":      "ARM_DISABLE_TERRAFORM_PARTNER_ID",
	"environment":                    "ARM_ENVIRONMENT",
	"metadataHost":                   "ARM_METADATA_HOSTNAME",
	"msiEndpoint":                    "ARM_MSI_ENDPOINT",
	"oidcRequestToken":               "ARM_OIDC_REQUEST_TOKEN",
	"oidcRequestUrl":                 "ARM_OIDC_REQUEST_URL",
	"oidcToken":                      "ARM_OIDC_TOKEN",
	"oidcTokenFilePath":              "ARM_OIDC_TOKEN_FILE_PATH",
	"partnerId":                      "ARM_PARTNER_ID",
	"tenantId":                       "ARM_TENANT_ID",
	"useAksWorkloadIdentity":         "ARM_USE_AKS_WORKLOAD_IDENTITY",
	"useCli":                         "ARM_USE_CLI",
	"useMsi":                         "ARM_USE_MSI",
	"useOidc":                        "ARM_USE_OIDC",
}

// sensitiveConfig are the settings the schema marks secret.
var sensitiveConfig = map[string]bool{"clientCertificatePassword": true, "clientId": true, "clientSecret": true}

// namedClouds are the environments the SDK knows by name (environments/from_name.go): login and Graph.
var namedClouds = map[string][2]string{
	"global":         {"https://login.microsoftonline.com", "https://graph.microsoft.com"},
	"public":         {"https://login.microsoftonline.com", "https://graph.microsoft.com"},
	"canary":         {"https://login.microsoftonline.com", "https://graph.microsoft.com"},
	"usgovernment":   {"https://login.microsoftonline.us", "https://graph.microsoft.us"},
	"usgovernmentl4": {"https://login.microsoftonline.us", "https://graph.microsoft.us"},
	"dod":            {"https://login.microsoftonline.us", "https://dod-graph.microsoft.us"},
	"usgovernmentl5": {"https://login.microsoftonline.us", "https://dod-graph.microsoft.us"},
	"china":          {"https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"},
}

func checkConfig(_ context.Context, news resource.PropertyMap) (resource.PropertyMap, []provider.CheckFailure, error) {
	inputs := news.Copy()
	var failures []provider.CheckFailure
	for _, key := range provider.Keys(news) {
		if key == "version" || strings.HasPrefix(key, "__") {
			continue
		}
		if _, ok := configKeys[key]; !ok {
			failures = append(failures, provider.CheckFailure{Property: key,
				Reason: fmt.Sprintf("could not validate provider configuration: Invalid or unknown key %q", key)})
			continue
		}
		if sensitiveConfig[key] && !inputs[resource.PropertyKey(key)].IsSecret() {
			inputs[resource.PropertyKey(key)] = resource.MakeSecret(inputs[resource.PropertyKey(key)])
		}
	}
	return inputs, failures, nil
}

// setting is a provider setting from the configuration, else from its environment variable.
func setting(config resource.PropertyMap, key string) (string, error) {
	v := provider.Plain(config[resource.PropertyKey(key)])
	switch {
	case v.IsString() && v.StringValue() != "":
		return v.StringValue(), nil
	case v.IsBool():
		return strconv.FormatBool(v.BoolValue()), nil
	case !v.IsNull() && !provider.Known(v):
		return "", fmt.Errorf("azuread:%s is not known yet", key)
	}
	return os.Getenv(configKeys[key]), nil
}

// fromFile reads a *FilePath setting (client id or secret kept in a file, as the real provider allows).
func fromFile(config resource.PropertyMap, value, pathKey, what string) (string, error) {
	path, err := setting(config, pathKey)
	if err != nil || path == "" {
		return value, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading %s from file %q: %v", what, path, err)
	}
	fromFile := strings.TrimSpace(string(data))
	if value != "" && value != fromFile {
		return "", fmt.Errorf("mismatch between supplied %s and supplied %s file contents - please either remove one or ensure they match", what, what)
	}
	return fromFile, nil
}

// endpoints is what the provider talks to: Entra login and Microsoft Graph.
type endpoints struct {
	login string // e.g. https://login.microsoftonline.com
	graph string // e.g. https://graph.microsoft.com (also the token audience)
}

// metadataEndpoints asks the metadata host, as environments.FromEndpoint does:
// GET https://<host>/metadata/endpoints?api-version=2022-09-01.
func metadataEndpoints(ctx context.Context, httpClient *http.Client, host string) (endpoints, error) {
	u := fmt.Sprintf("https://%s/metadata/endpoints?api-version=2022-09-01", host)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return endpoints{}, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return endpoints{}, fmt.Errorf("retrieving environments from Azure MetaData service: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return endpoints{}, fmt.Errorf("retrieving environments from Azure MetaData service: unexpected status %d from %s", resp.StatusCode, u)
	}
	var md struct {
		Name                     string `json:"name"`
		ResourceManager          string `json:"resourceManager"`
		MicrosoftGraphResourceID string `json:"microsoftGraphResourceId"`
		Authentication           struct {
			LoginEndpoint string `json:"loginEndpoint"`
		} `json:"authentication"`
	}
	if err := json.Unmarshal(body, &md); err != nil {
		return endpoints{}, fmt.Errorf("retrieving environments from Azure MetaData service: parsing the answer of %s: %v", u, err)
	}
	switch {
	case md.Name == "":
		return endpoints{}, errors.New("retrieving environments from Azure MetaData service: the answer has no `name`")
	case md.ResourceManager == "":
		return endpoints{}, errors.New("retrieving environments from Azure MetaData service: the answer has no `resourceManager`")
	case md.MicrosoftGraphResourceID == "":
		return endpoints{}, errors.New("Microsoft Graph was not configured for the specified environment")
	case md.Authentication.LoginEndpoint == "":
		return endpoints{}, errors.New("retrieving environments from Azure MetaData service: the answer has no `authentication.loginEndpoint`")
	}
	return endpoints{
		login: strings.TrimSuffix(md.Authentication.LoginEndpoint, "/"),
		graph: strings.TrimSuffix(md.MicrosoftGraphResourceID, "/"),
	}, nil
}

// session is a configured provider: where Graph is, who we are, and a token source.
type session struct {
	endpoints endpoints
	tenantID  string
	clientID  string
	secret    string
	http      *http.Client
	timing    timing

	mu      sync.Mutex
	token   string
	expires time.Time
	// objectID is the caller's object id: the token's oid claim (or looked up, as the real client does).
	objectID string
}

// newHTTPClient is the SDK's transport: TLS 1.2+, the system roots, proxy from the environment (loopback
// never proxied).
func newHTTPClient() (*http.Client, error) {
	roots, err := rootsFromEnv()
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots},
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   true,
	}}, nil
}

// rootsFromEnv is the trust Go gives SSL_CERT_FILE on Linux (the file replaces the system bundle), read at
// each configure instead of once per process, so that tests can start servers with new certificates.
func rootsFromEnv() (*x509.CertPool, error) {
	file := os.Getenv("SSL_CERT_FILE")
	if file == "" {
		return nil, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading the CA certificates in SSL_CERT_FILE (%s): %v", file, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("SSL_CERT_FILE (%s) holds no PEM certificate", file)
	}
	return pool, nil
}

func configure(ctx context.Context, config resource.PropertyMap) (*session, error) {
	tenantID, err := setting(config, "tenantId")
	if err != nil {
		return nil, err
	}
	clientID, err := setting(config, "clientId")
	if err != nil {
		return nil, err
	}
	if clientID, err = fromFile(config, clientID, "clientIdFilePath", "client ID"); err != nil {
		return nil, err
	}
	secret, err := setting(config, "clientSecret")
	if err != nil {
		return nil, err
	}
	if secret, err = fromFile(config, secret, "clientSecretFilePath", "client secret"); err != nil {
		return nil, err
	}
	if tenantID == "" {
		return nil, errors.New("tenant ID is required: set azuread:tenantId or ARM_TENANT_ID")
	}
	if clientID == "" || secret == "" {
		return nil, errors.New("the azuread plugin double signs in with a client secret only: set ARM_CLIENT_ID and " +
			"ARM_CLIENT_SECRET (or azuread:clientId and azuread:clientSecret); Azure CLI, managed identity, OIDC and " +
			"certificate sign-in need the real pulumi-resource-azuread plugin")
	}
	httpClient, err := newHTTPClient()
	if err != nil {
		return nil, err
	}
	s := &session{tenantID: tenantID, clientID: clientID, secret: secret, http: httpClient, timing: timingFromEnv()}

	metadataHost, err := setting(config, "metadataHost")
	if err != nil {
		return nil, err
	}
	if metadataHost != "" {
		if s.endpoints, err = metadataEndpoints(ctx, s.http, metadataHost); err != nil {
			return nil, err
		}
	} else {
		name, err := setting(config, "environment")
		if err != nil {
			return nil, err
		}
		if name == "" {
			name = "global"
		}
		cloud, ok := namedClouds[strings.ToLower(name)]
		if !ok {
			return nil, fmt.Errorf("environment %q was not found: use global (public), usgovernment, dod, china, "+
				"canary, or set azuread:metadataHost", name)
		}
		s.endpoints = endpoints{login: cloud[0], graph: cloud[1]}
	}
	// The real client takes a token up front and reads the caller's object id from it.
	if _, err := s.accessToken(ctx); err != nil {
		return nil, fmt.Errorf("unable to obtain access token: %v", err)
	}
	if err := s.discoverObjectID(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// accessToken is a client-credentials token for Graph (auth/client_secret_authorizer.go), fetched again
// a little before it expires.
func (s *session) accessToken(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && time.Until(s.expires) > 2*time.Minute {
		return s.token, nil
	}
	form := url.Values{
		"client_id":     {s.clientID},
		"client_secret": {s.secret},
		"grant_type":    {"client_credentials"},
		"scope":         {s.endpoints.graph + "/.default"},
	}
	tokenURL := fmt.Sprintf("%s/%s/oauth2/v2.0/token", s.endpoints.login, s.tenantID)
	var lastErr error
	for attempt := 0; attempt <= authRetries; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, s.timing.authBackoff(attempt)); err != nil {
				return "", err
			}
		}
		token, expires, retry, err := s.requestToken(ctx, tokenURL, form)
		if err == nil {
			s.token, s.expires = token, expires
			return token, nil
		}
		lastErr = err
		if !retry {
			break
		}
	}
	return "", lastErr
}

// authRetries is the auth client's retry budget (sdk/auth/client.go: RetryMax 8).
const authRetries = 8

func (s *session) requestToken(ctx context.Context, tokenURL string, form url.Values) (string, time.Time, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", time.Time{}, false, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := s.http.Do(req)
	if err != nil {
		// Never the request itself in the error: its body holds the client secret.
		return "", time.Time{}, true, fmt.Errorf("clientCredentialsToken: requesting token from %s: %v", tokenURL, urlErrorCause(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return "", time.Time{}, true, fmt.Errorf("clientCredentialsToken: received HTTP status %d from %s", resp.StatusCode, tokenURL)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(body, &e)
		return "", time.Time{}, false, fmt.Errorf("clientCredentialsToken: received HTTP status %d with response: %s %s",
			resp.StatusCode, e.Error, firstLine(e.Description))
	}
	var tok struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return "", time.Time{}, false, errors.New("clientCredentialsToken: the token response has no access_token")
	}
	seconds, _ := strconv.Atoi(strings.Trim(string(tok.ExpiresIn), `"`))
	if seconds <= 0 {
		seconds = 3599
	}
	return tok.AccessToken, time.Now().Add(time.Duration(seconds) * time.Second), false, nil
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// urlErrorCause drops the URL wrapper of a transport error (the URL is named separately).
func urlErrorCause(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}

// claims are the parts of the token's payload the provider uses (it does not verify the signature).
type claims struct {
	ObjectID string `json:"oid"`
	Scopes   string `json:"scp"`
}

func parseClaims(token string) (claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims{}, errors.New("unable to parse claims in access token: the token is not a JWT (3 parts)")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return claims{}, fmt.Errorf("unable to parse claims in access token: %v", err)
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return claims{}, fmt.Errorf("unable to parse claims in access token: %v", err)
	}
	return c, nil
}

// discoverObjectID is internal/clients/client.go: the oid claim, else GET /me (user tokens), else the
// service principal of our client id.
func (s *session) discoverObjectID(ctx context.Context) error {
	token, err := s.accessToken(ctx)
	if err != nil {
		return err
	}
	c, err := parseClaims(token)
	if err != nil {
		return err
	}
	if c.ObjectID != "" {
		s.objectID = c.ObjectID
		return nil
	}
	g := &graph{s: s}
	if strings.Contains(strings.ToLower(c.Scopes), "openid") {
		var me map[string]any
		if err := g.get(ctx, "/v1.0/me", nil, &me); err != nil {
			return fmt.Errorf("attempting to discover object ID for authenticated user principal: %v", err)
		}
		s.objectID = str(me["id"])
	} else {
		list, err := g.list(ctx, "/v1.0/servicePrincipals", filter("appId", s.clientID))
		if err != nil {
			return fmt.Errorf("attempting to discover object ID for authenticated service principal: %v", err)
		}
		if len(list) != 1 {
			return fmt.Errorf("attempting to discover object ID for authenticated service principal: unexpected number of results, expected 1, received %d", len(list))
		}
		s.objectID = str(list[0]["id"])
	}
	if s.objectID == "" {
		return errors.New("parsing claims in access token: oid claim is empty")
	}
	return nil
}

// timing holds the waits of the real provider, scaled by AZUREAD_DOUBLE_TIME_SCALE (default 1, e.g. 0.01 in
// tests): the sequence of calls stays the real one, only the pauses between them shrink.
type timing struct{ scale float64 }

func timingFromEnv() timing {
	scale := 1.0
	if v, err := strconv.ParseFloat(os.Getenv("AZUREAD_DOUBLE_TIME_SCALE"), 64); err == nil && v > 0 && v <= 1 {
		scale = v
	}
	return timing{scale: scale}
}

func (t timing) of(d time.Duration) time.Duration { return time.Duration(float64(d) * t.scale) }

// authBackoff: the auth client's exponential backoff, 1 s to 30 s.
func (t timing) authBackoff(attempt int) time.Duration {
	d := time.Second << (attempt - 1)
	if d > 30*time.Second {
		d = 30 * time.Second
	}
	return t.of(d)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
