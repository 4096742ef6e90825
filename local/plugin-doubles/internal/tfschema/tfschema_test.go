package tfschema

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

var schema = Schema{
	"name":     {Kind: String, Required: true, ForceNew: true},
	"restart":  {Kind: String, Optional: true, Default: "no"},
	"rm":       {Kind: Bool, Optional: true, Default: false},
	"secret":   {Kind: String, Optional: true, Sensitive: true},
	"hostname": {Kind: String, Optional: true, Computed: true, ForceNew: true},
	"notes":    {Kind: String, Optional: true},
	"tags":     {Kind: Set, Optional: true},
	"objectId": {Kind: String, Computed: true},
}

func props(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

func TestCheckAddsTruthyDefaultsListsThemAndMarksSensitiveInputsSecret(t *testing.T) {
	inputs, failures := schema.Check("t:index:T", props(map[string]any{"name": "a", "secret": "s"}))
	if len(failures) != 0 {
		t.Fatal(failures)
	}
	if inputs["restart"].StringValue() != "no" {
		t.Errorf("restart default missing: %v", inputs)
	}
	if _, ok := inputs["rm"]; ok {
		t.Errorf("a false default is not written (bridge#2618): %v", inputs)
	}
	if got := inputs["__defaults"].ArrayValue(); len(got) != 1 || got[0].StringValue() != "restart" {
		t.Errorf("__defaults = %v", got)
	}
	if !inputs["secret"].IsSecret() {
		t.Errorf("secret must be secret")
	}
}

func TestCheckNamesMissingAndUnknownInputs(t *testing.T) {
	_, failures := schema.Check("t:index:T", props(map[string]any{"nmae": "a", "objectId": "x"}))
	got := map[string]bool{}
	for _, f := range failures {
		got[f.Property] = true
	}
	if !got["name"] || !got["nmae"] || !got["objectId"] || len(failures) != 3 {
		t.Errorf("failures = %+v", failures)
	}
}

func TestDiffAgainstTheStateWithTerraformSemantics(t *testing.T) {
	state := props(map[string]any{"name": "a", "restart": "no", "hostname": "h-1", "notes": "", "tags": []any{"x", "y"}, "objectId": "o"})
	same, _ := schema.Check("t", props(map[string]any{"name": "a", "tags": []any{"y", "x"}}))
	if d := schema.Diff(state, same); d.Changes {
		t.Errorf("computed hostname left out, empty notes, reordered set: no change; got %+v", d)
	}
	renamed, _ := schema.Check("t", props(map[string]any{"name": "b", "tags": []any{"x", "y"}, "restart": "always"}))
	d := schema.Diff(state, renamed)
	if !reflect.DeepEqual(d.Replaces, []string{"name"}) || d.DetailedDiff["name"].Kind != pulumirpc.PropertyDiff_UPDATE_REPLACE ||
		d.DetailedDiff["restart"].Kind != pulumirpc.PropertyDiff_UPDATE {
		t.Errorf("diff = %+v", d)
	}
	withNotes := props(map[string]any{"name": "a", "restart": "no", "notes": "by hand", "tags": []any{"x", "y"}})
	if d := schema.Diff(withNotes, same); d.DetailedDiff["notes"].Kind != pulumirpc.PropertyDiff_DELETE {
		t.Errorf("a value set outside the program is removed: %+v", d)
	}
	unknownHost := same.Copy()
	unknownHost["hostname"] = resource.MakeComputed(resource.NewProperty(""))
	if d := schema.Diff(state, unknownHost); !reflect.DeepEqual(d.Replaces, []string{"hostname"}) {
		t.Errorf("an unknown ForceNew input replaces: %+v", d)
	}
}

func TestPlannedCreateLeavesComputedValuesUnknown(t *testing.T) {
	inputs, _ := schema.Check("t", props(map[string]any{"name": "a"}))
	plan := schema.PlannedCreate(inputs)
	if !plan["objectId"].IsComputed() || !plan["hostname"].IsComputed() || plan["name"].StringValue() != "a" {
		t.Errorf("plan = %v", plan)
	}
	if _, ok := plan["__defaults"]; ok {
		t.Errorf("__defaults is an input bookkeeping key, not an output")
	}
}

func TestOutputsLookLikeTheBridgesState(t *testing.T) {
	out := schema.Outputs("obj-1", props(map[string]any{"name": "a", "tags": []any{"b", "a"}, "secret": "s"}))
	if out["id"].StringValue() != "obj-1" || !out["notes"].IsNull() || !out["secret"].IsSecret() {
		t.Errorf("outputs = %v", out)
	}
	if tags := out["tags"].ArrayValue(); tags[0].StringValue() != "a" || tags[1].StringValue() != "b" {
		t.Errorf("a set is written in order: %v", tags)
	}
	if empty := schema.Outputs("", props(map[string]any{"tags": []any{}})); !empty["tags"].IsNull() {
		t.Errorf("an empty set is null: %v", empty["tags"])
	}
}

func TestCheckLiftsANestedSecretToTheWholeProperty(t *testing.T) {
	in := props(map[string]any{"name": "a"})
	in["tags"] = resource.NewProperty([]resource.PropertyValue{resource.NewProperty("x"), resource.MakeSecret(resource.NewProperty("y"))})
	inputs, _ := schema.Check("t", in)
	if !inputs["tags"].IsSecret() || inputs["tags"].SecretValue().Element.ArrayValue()[1].IsSecret() {
		t.Errorf("tags = %v", inputs["tags"])
	}
}
