package command

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"logto-entra-sso/plugin-doubles/internal/provider"
)

var ctx = context.Background()

const urn = resource.URN("urn:pulumi:dev::proj::command:local:Command::healthz-check")

func props(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

func TestCreateRunsWithTheEnvironmentAndTrimsTheLastNewline(t *testing.T) {
	c := &Command{}
	resp, err := c.Create(ctx, provider.CreateRequest{URN: urn, Properties: props(map[string]any{
		"create":      `echo "$GREETING"; echo oops >&2`,
		"environment": map[string]any{"GREETING": "hello"},
	})})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^healthz-check[0-9a-f]{8}$`).MatchString(resp.ID) {
		t.Errorf("id = %q, want the name and 8 hex characters", resp.ID)
	}
	if resp.Properties["stdout"].StringValue() != "hello" || resp.Properties["stderr"].StringValue() != "oops" {
		t.Errorf("outputs = %v", resp.Properties)
	}
	if resp.Properties["create"].StringValue() == "" {
		t.Errorf("the inputs are part of the outputs")
	}
}

func TestInterpreterAndStdin(t *testing.T) {
	c := &Command{}
	resp, err := c.Create(ctx, provider.CreateRequest{URN: urn, Properties: props(map[string]any{
		"create": `process.stdin.on("data", (d) => console.log(String(d).toUpperCase()))`, "interpreter": []any{"node", "-e"}, "stdin": "quiet",
	})})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Properties["stdout"].StringValue() != "QUIET" {
		t.Errorf("stdout = %v", resp.Properties["stdout"])
	}
}

func TestAFailingCommandReportsItsOutputLikePulumiCommand(t *testing.T) {
	c := &Command{}
	_, err := c.Create(ctx, provider.CreateRequest{URN: urn, Properties: props(map[string]any{"create": "echo no luck; exit 3"})})
	if err == nil || !strings.HasPrefix(err.Error(), `exit status 3: running "echo no luck; exit 3":`) || !strings.Contains(err.Error(), "no luck") {
		t.Fatalf("error = %v", err)
	}
}

func TestPreviewRunsNothingAndLeavesOutputsUnknown(t *testing.T) {
	c := &Command{}
	resp, err := c.Create(ctx, provider.CreateRequest{URN: urn, Preview: true, Properties: props(map[string]any{"create": "exit 1"})})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Properties["stdout"].IsComputed() || !resp.Properties["stderr"].IsComputed() {
		t.Errorf("outputs = %v", resp.Properties)
	}
}

func TestUpdateRunsUpdateOrCreateWithThePreviousOutput(t *testing.T) {
	c := &Command{}
	olds := props(map[string]any{"create": "echo first", "stdout": "first", "stderr": ""})
	resp, err := c.Update(ctx, provider.UpdateRequest{URN: urn, OldOutputs: olds, News: props(map[string]any{
		"create": "echo first", "update": `echo "after $PULUMI_COMMAND_STDOUT"`})})
	if err != nil || resp.Properties["stdout"].StringValue() != "after first" {
		t.Fatalf("update: %v %v", resp.Properties, err)
	}
	resp, err = c.Update(ctx, provider.UpdateRequest{URN: urn, OldOutputs: olds, News: props(map[string]any{
		"create": `echo "create again, was $PULUMI_COMMAND_STDOUT"`, "addPreviousOutputInEnv": false})})
	if err != nil || resp.Properties["stdout"].StringValue() != "create again, was " {
		t.Fatalf("update with create and no previous output: %v %v", resp.Properties, err)
	}
}

func TestDeleteRunsDeleteWithTheStateSettings(t *testing.T) {
	c := &Command{}
	err := c.Delete(ctx, provider.DeleteRequest{URN: urn, Properties: props(map[string]any{
		"delete": `test "$PULUMI_COMMAND_STDOUT" = made && test "$X" = 1`, "environment": map[string]any{"X": "1"}, "stdout": "made"})})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDiffTriggersReplaceOtherInputsUpdate(t *testing.T) {
	c := &Command{}
	olds := props(map[string]any{"create": "a", "triggers": []any{"c1"}, "environment": map[string]any{"URL": "u1"}})
	d, _ := c.Diff(ctx, provider.DiffRequest{OldInputs: olds, News: props(map[string]any{
		"create": "a", "triggers": []any{"c1"}, "environment": map[string]any{"URL": "u2"}})})
	if !d.Changes || d.DetailedDiff["environment.URL"].Kind != pulumirpc.PropertyDiff_UPDATE {
		t.Errorf("environment change: %+v", d)
	}
	d, _ = c.Diff(ctx, provider.DiffRequest{OldInputs: olds, News: props(map[string]any{
		"create": "a", "environment": map[string]any{"URL": "u1"}})})
	if d.DetailedDiff["triggers"].Kind != pulumirpc.PropertyDiff_DELETE_REPLACE {
		t.Errorf("dropping triggers replaces: %+v", d)
	}
	// An element of triggers changes at triggers[0]; the SDK's replaceOnChanges ["triggers[*]"] replaces.
	d, _ = c.Diff(ctx, provider.DiffRequest{OldInputs: olds, News: props(map[string]any{
		"create": "a", "triggers": []any{"c2"}, "environment": map[string]any{"URL": "u1"}})})
	if _, ok := d.DetailedDiff["triggers[0]"]; !ok {
		t.Errorf("trigger change: %+v", d)
	}
	d, _ = c.Diff(ctx, provider.DiffRequest{OldInputs: olds, News: olds})
	if d.Changes {
		t.Errorf("no change: %+v", d)
	}
}

func TestCheckNamesBadInputs(t *testing.T) {
	c := &Command{}
	resp, _ := c.Check(ctx, provider.CheckRequest{News: props(map[string]any{"create": 3, "logging": "all", "creat": "x"})})
	got := map[string]bool{}
	for _, f := range resp.Failures {
		got[f.Property] = true
	}
	if !got["create"] || !got["logging"] || !got["creat"] || len(resp.Failures) != 3 {
		t.Errorf("failures = %+v", resp.Failures)
	}
}

func TestOutputLinesAreShownAsStatusUnlessLoggingIsNone(t *testing.T) {
	var lines []string
	l := &lineLogger{emit: func(s string) { lines = append(lines, s) }}
	l.Write([]byte("one\ntw"))
	l.Write([]byte("o\nthree"))
	l.flush()
	if strings.Join(lines, "|") != "one|two|three" {
		t.Errorf("lines = %q", lines)
	}
	s, err := readSettings(props(map[string]any{"logging": "none"}))
	if err != nil || s.logging != "none" {
		t.Errorf("settings = %+v %v", s, err)
	}
}
