package azuread

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"logto-entra-sso/plugin-doubles/internal/provider"
	"logto-entra-sso/plugin-doubles/internal/tfschema"
)

// ApplicationPassword (applications/application_password_resource.go): every input is ForceNew, there is
// no update; rotation is a replacement, the new password first.
var passwordSchema = tfschema.Schema{
	"applicationId":     {Kind: tfschema.String, Required: true, ForceNew: true},
	"displayName":       {Kind: tfschema.String, Optional: true, Computed: true, ForceNew: true},
	"startDate":         {Kind: tfschema.String, Optional: true, Computed: true, ForceNew: true},
	"endDate":           {Kind: tfschema.String, Optional: true, Computed: true, ForceNew: true},
	"endDateRelative":   {Kind: tfschema.String, Optional: true, ForceNew: true},
	"rotateWhenChanged": {Kind: tfschema.Map, Optional: true, ForceNew: true},
	"keyId":             {Kind: tfschema.String, Computed: true},
	"value":             {Kind: tfschema.String, Computed: true, Sensitive: true},
}

func applicationPassword(a *azuread) *bridged {
	return &bridged{
		token: "azuread:index/applicationPassword:ApplicationPassword", schema: passwordSchema, a: a,
		timeouts: timeouts{create: 15 * time.Minute, read: 5 * time.Minute, delete: 5 * time.Minute},
		validate: validatePassword,
		create: func(ctx context.Context, g *graph, in resource.PropertyMap) (string, resource.PropertyMap, error) {
			return createPassword(ctx, g, a, in)
		},
		read: readPassword,
		delete: func(ctx context.Context, g *graph, id string, _ resource.PropertyMap) error {
			return deletePassword(ctx, g, a, id)
		},
	}
}

func validatePassword(in resource.PropertyMap) []provider.CheckFailure {
	failures := applicationIDProblem(in)
	for _, key := range []string{"startDate", "endDate"} {
		if v := provider.Plain(in[resource.PropertyKey(key)]); v.IsString() {
			if _, err := time.Parse(time.RFC3339, v.StringValue()); err != nil {
				failures = append(failures, provider.CheckFailure{Property: key,
					Reason: fmt.Sprintf("%q is not a valid RFC3339 date %q: %v", key, v.StringValue(), err)})
			}
		}
	}
	if provider.Set(in, "endDate") && provider.Set(in, "endDateRelative") {
		failures = append(failures, provider.CheckFailure{Property: "endDate",
			Reason: `"endDate": conflicts with endDateRelative`})
	}
	return failures
}

// passwordCredential is credentials.PasswordCredentialForResource: display name, and the dates
// re-formatted as Go RFC3339; end_date_relative is read but never sent at this version.
func passwordCredential(in resource.PropertyMap) (map[string]any, error) {
	cred := map[string]any{}
	if name := input(in, "displayName"); name != "" {
		cred["displayName"] = name
	}
	for key, graphKey := range map[string]string{"startDate": "startDateTime", "endDate": "endDateTime"} {
		if v := input(in, key); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return nil, fmt.Errorf("Unable to parse the provided %s %q: %v", strings.TrimSuffix(key, "Date")+" date", v, err)
			}
			cred[graphKey] = t.Format(time.RFC3339)
		}
	}
	return cred, nil
}

// createPassword answers the secret text with the id: Graph shows it only in the addPassword answer, and the
// real provider keeps it from there (d.Set("value", …)) before reading the rest.
func createPassword(ctx context.Context, g *graph, a *azuread, in resource.PropertyMap) (string, resource.PropertyMap, error) {
	objectID, err := objectIDOf(input(in, "applicationId"))
	if err != nil {
		return "", nil, err
	}
	cred, err := passwordCredential(in)
	if err != nil {
		return "", nil, fmt.Errorf("Generating password credentials for Application (Object ID: %q): %v", objectID, err)
	}
	defer a.locks.lock(objectID)()
	if _, err := getApplication(ctx, g, objectID); err != nil {
		if isNotFound(err) {
			return "", nil, fmt.Errorf("Application (Object ID: %q) was not found", objectID)
		}
		return "", nil, fmt.Errorf("Retrieving Application (Object ID: %q): %v", objectID, err)
	}
	var added map[string]any
	if err := g.post(ctx, "/v1.0/applications/"+objectID+"/addPassword", map[string]any{"passwordCredential": cred}, &added, nil); err != nil {
		return "", nil, fmt.Errorf("Adding password for Application (Object ID: %q): %v", objectID, err)
	}
	keyID := str(added["keyId"])
	if keyID == "" {
		return "", nil, fmt.Errorf("API error adding password for Application (Object ID: %q): nil or empty keyId received", objectID)
	}
	if str(added["secretText"]) == "" {
		return "", nil, fmt.Errorf("API error adding password for Application (Object ID: %q): nil or empty password received", objectID)
	}
	id := objectID + "/password/" + keyID
	// Wait for the credential to appear in the application manifest: 5 reads in a row that list it.
	err = waitFor(ctx, g.s.timing, time.Second, 5, func(ctx context.Context) (bool, bool, error) {
		app, err := getApplication(ctx, g, objectID)
		if err != nil {
			return false, false, err
		}
		found := passwordCredentialOf(app, keyID) != nil
		return found, found, nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("Waiting for password credential for Application (Object ID: %q): %v", objectID, err)
	}
	return id, resource.PropertyMap{"value": resource.MakeSecret(resource.NewProperty(str(added["secretText"])))}, nil
}

func passwordCredentialOf(app map[string]any, keyID string) map[string]any {
	for _, c := range array(app["passwordCredentials"]) {
		if strings.EqualFold(str(object(c)["keyId"]), keyID) {
			return object(c)
		}
	}
	return nil
}

// splitPasswordID parses "{objectId}/password/{keyId}".
func splitPasswordID(id string) (string, string, error) {
	parts := strings.Split(id, "/")
	if len(parts) != 3 || parts[1] != "password" || parts[0] == "" || parts[2] == "" {
		return "", "", fmt.Errorf("Parsing password credential with ID %q: expected {objectId}/password/{keyId}", id)
	}
	return parts[0], parts[2], nil
}

func readPassword(ctx context.Context, g *graph, id string, planned resource.PropertyMap) (resource.PropertyMap, bool, error) {
	objectID, keyID, err := splitPasswordID(id)
	if err != nil {
		return nil, false, err
	}
	app, err := getApplication(ctx, g, objectID)
	if isNotFound(err) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("Retrieving Application (Object ID: %q): %v", objectID, err)
	}
	cred := passwordCredentialOf(app, keyID)
	if cred == nil {
		return nil, true, nil
	}
	state := planned.Copy()
	if name, ok := cred["displayName"].(string); ok {
		state["displayName"] = resource.NewProperty(name)
	} else if custom, ok := cred["customKeyIdentifier"].(string); ok {
		decoded, err := base64.StdEncoding.DecodeString(custom)
		if err != nil {
			return nil, false, fmt.Errorf("Parsing CustomKeyIdentifier: %v", err)
		}
		state["displayName"] = resource.NewProperty(string(decoded))
	}
	return set(state, map[string]any{
		"applicationId": "/applications/" + objectID,
		"keyId":         keyID,
		"startDate":     str(cred["startDateTime"]),
		"endDate":       str(cred["endDateTime"]),
	}), false, nil
}

func deletePassword(ctx context.Context, g *graph, a *azuread, id string) error {
	objectID, keyID, err := splitPasswordID(id)
	if err != nil {
		return err
	}
	defer a.locks.lock(objectID)()
	if err := g.post(ctx, "/v1.0/applications/"+objectID+"/removePassword", map[string]any{"keyId": keyID}, nil, nil); err != nil {
		return fmt.Errorf("Removing password credential %q from Application (Object ID: %q): %v", keyID, objectID, err)
	}
	err = waitForDeletion(ctx, g.s.timing, func(ctx context.Context) (bool, error) {
		app, err := getApplication(ctx, g, objectID)
		if err != nil {
			return false, err
		}
		if app == nil {
			return false, errors.New("model was nil")
		}
		return passwordCredentialOf(app, keyID) != nil, nil
	})
	if err != nil {
		return fmt.Errorf("Waiting for deletion of password credential %q from Application (Object ID: %q): %v", keyID, objectID, err)
	}
	return nil
}
