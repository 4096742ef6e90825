// Package tfschema gives the doubles of Terraform-bridged resources (azuread's, docker's Container) the
// behaviour pulumi-terraform-bridge derives from a Terraform schema: Check fills in the schema's non-falsy
// defaults (listed under `__defaults`) and marks Sensitive inputs secret; Diff compares the planned inputs
// with the prior *state* (not the old inputs), with Terraform's set and zero-value semantics, and every
// changed ForceNew field makes a replacement.
package tfschema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"logto-entra-sso/plugin-doubles/internal/provider"
)

type Kind int

const (
	String Kind = iota
	Bool
	Int
	List   // ordered list of strings
	Set    // unordered set of strings
	Map    // map of strings
	Object // list (MaxItems > 1) of objects, Elem describes one
	Block  // a nested block of MaxItems 1, which the bridge flattens into one object; Elem describes it
)

// Field is one attribute of a Terraform schema, under its Pulumi name.
type Field struct {
	Kind      Kind
	Required  bool
	Optional  bool
	Computed  bool
	ForceNew  bool
	Sensitive bool
	Default   any    // nil: none
	Elem      Schema // for Object and Block
	// Unsupported: the double rejects a value for it (the real provider's behaviour is not modelled).
	Unsupported bool
}

type Schema map[string]*Field

// IsInput: the program may set it.
func (f *Field) IsInput() bool { return f.Required || f.Optional }

// Check validates news against the schema and applies defaults. resourceType names the resource in
// failures.
func (s Schema) Check(resourceType string, news resource.PropertyMap) (resource.PropertyMap, []provider.CheckFailure) {
	inputs := news.Copy()
	delete(inputs, "__defaults")
	var failures []provider.CheckFailure
	for _, key := range provider.Keys(inputs) {
		f, ok := s[key]
		if !ok || !f.IsInput() {
			failures = append(failures, provider.CheckFailure{Property: key,
				Reason: fmt.Sprintf("%s is not an input of %s; its inputs are %s", key, resourceType, strings.Join(s.inputNames(), ", "))})
			continue
		}
		v := inputs[resource.PropertyKey(key)]
		if f.Unsupported && !provider.Plain(v).IsNull() {
			failures = append(failures, provider.CheckFailure{Property: key,
				Reason: fmt.Sprintf("%s of %s is not implemented by this plugin double; run with the real plugin", key, resourceType)})
			continue
		}
		if reason := f.typeProblem(key, v); reason != "" {
			failures = append(failures, provider.CheckFailure{Property: key, Reason: reason})
		}
		// The bridge lifts a secret nested in a value (one element of a list, say) to the whole property.
		if (f.Sensitive || v.ContainsSecrets()) && !v.IsSecret() {
			v = resource.MakeSecret(deepPlain(v))
			inputs[resource.PropertyKey(key)] = v
		}
		if f.Kind == Object && provider.Known(v) && provider.Plain(v).IsArray() {
			inputs[resource.PropertyKey(key)] = f.Elem.objectDefaults(v)
		}
	}
	var defaulted []resource.PropertyValue
	for _, key := range s.sortedNames() {
		f := s[key]
		if f.Required && !provider.Set(inputs, key) {
			failures = append(failures, provider.CheckFailure{Property: key,
				Reason: fmt.Sprintf("Missing required argument. The argument %q is required, but no definition was found.", key)})
		}
		if _, present := inputs[resource.PropertyKey(key)]; present || !f.IsInput() || isFalsy(f.Default) {
			continue
		}
		inputs[resource.PropertyKey(key)] = resource.NewPropertyValue(f.Default)
		defaulted = append(defaulted, resource.NewProperty(key))
	}
	if defaulted == nil {
		defaulted = []resource.PropertyValue{}
	}
	inputs["__defaults"] = resource.NewProperty(defaulted)
	return inputs, failures
}

// deepPlain is v with every secret wrapper inside it removed.
func deepPlain(v resource.PropertyValue) resource.PropertyValue {
	v = provider.Plain(v)
	switch {
	case v.IsArray():
		out := make([]resource.PropertyValue, 0, len(v.ArrayValue()))
		for _, e := range v.ArrayValue() {
			out = append(out, deepPlain(e))
		}
		return resource.NewProperty(out)
	case v.IsObject():
		out := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			out[k] = deepPlain(e)
		}
		return resource.NewProperty(out)
	}
	return v
}

// objectDefaults fills the nested defaults of each object of a list (ports' ip and protocol, say).
func (s Schema) objectDefaults(v resource.PropertyValue) resource.PropertyValue {
	secret := v.IsSecret()
	items := provider.Plain(v).ArrayValue()
	out := make([]resource.PropertyValue, 0, len(items))
	for _, item := range items {
		obj := provider.Plain(item)
		if !obj.IsObject() {
			out = append(out, item)
			continue
		}
		m := obj.ObjectValue().Copy()
		for name, f := range s {
			if _, present := m[resource.PropertyKey(name)]; !present && f.Default != nil {
				m[resource.PropertyKey(name)] = resource.NewPropertyValue(f.Default)
			}
		}
		out = append(out, resource.NewProperty(m))
	}
	if secret {
		return resource.MakeSecret(resource.NewProperty(out))
	}
	return resource.NewProperty(out)
}

// isFalsy: the bridge does not write false, 0 or "" defaults into the inputs (bridge#2618).
func isFalsy(v any) bool {
	switch d := v.(type) {
	case nil:
		return true
	case bool:
		return !d
	case int:
		return d == 0
	case float64:
		return d == 0
	case string:
		return d == ""
	}
	return false
}

func (s Schema) sortedNames() []string {
	names := make([]string, 0, len(s))
	for k := range s {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func (s Schema) inputNames() []string {
	var names []string
	for _, k := range s.sortedNames() {
		if s[k].IsInput() && !s[k].Unsupported {
			names = append(names, k)
		}
	}
	return names
}

func (f *Field) typeProblem(key string, v resource.PropertyValue) string {
	v = provider.Plain(v)
	if v.IsNull() || !provider.Known(v) {
		return ""
	}
	m := resource.PropertyMap{resource.PropertyKey(key): v}
	var err error
	switch f.Kind {
	case String:
		_, err = provider.String(m, key)
	case Bool:
		_, err = provider.Bool(m, key, false)
	case Int:
		_, err = provider.Int(m, key, 0)
	case List, Set:
		_, err = provider.Strings(m, key)
	case Map:
		_, err = provider.StringMap(m, key)
	case Block:
		if !v.IsObject() {
			return fmt.Sprintf("%s must be an object, got %s", key, v.TypeString())
		}
		for name, sub := range f.Elem {
			if reason := sub.typeProblem(key+"."+name, v.ObjectValue()[resource.PropertyKey(name)]); reason != "" {
				return reason
			}
		}
		for name := range v.ObjectValue() {
			if _, known := f.Elem[string(name)]; !known {
				return fmt.Sprintf("%s.%s is not a field of %s; its fields are %s", key, name, key, strings.Join(f.Elem.sortedNames(), ", "))
			}
		}
	case Object:
		if !v.IsArray() {
			return fmt.Sprintf("%s must be a list of objects, got %s", key, v.TypeString())
		}
		for i, item := range v.ArrayValue() {
			item = provider.Plain(item)
			if !item.IsObject() {
				return fmt.Sprintf("%s[%d] must be an object, got %s", key, i, item.TypeString())
			}
			for name, sub := range f.Elem {
				if reason := sub.typeProblem(fmt.Sprintf("%s[%d].%s", key, i, name), item.ObjectValue()[resource.PropertyKey(name)]); reason != "" {
					return reason
				}
				if sub.Required && !provider.Set(item.ObjectValue(), name) && provider.Known(item) {
					return fmt.Sprintf("%s[%d].%s is required", key, i, name)
				}
			}
		}
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// Diff compares the planned inputs with the prior state as Terraform plans: an input left out is no change
// when the field is Computed, and a change to its zero value otherwise; sets compare without order; an
// unknown value is a change. Changed ForceNew fields are the replacements.
func (s Schema) Diff(state, news resource.PropertyMap) provider.DiffResponse {
	resp := provider.DiffResponse{DetailedDiff: map[string]provider.PropertyDiff{}}
	for _, key := range s.sortedNames() {
		f := s[key]
		if !f.IsInput() {
			continue
		}
		newV, inNews := news[resource.PropertyKey(key)]
		if inNews {
			newV = provider.Plain(newV)
		}
		if !inNews || newV.IsNull() {
			if f.Computed {
				continue
			}
			newV = resource.NewNullProperty()
		}
		oldV := provider.Plain(state[resource.PropertyKey(key)])
		if f.equal(oldV, newV) {
			continue
		}
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case oldV.IsNull():
			kind = pulumirpc.PropertyDiff_ADD
		case newV.IsNull():
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if f.ForceNew {
			kind = replaceKind(kind)
			resp.Replaces = append(resp.Replaces, key)
		}
		resp.DetailedDiff[key] = provider.PropertyDiff{Kind: kind}
		resp.Changes = true
	}
	return resp
}

func replaceKind(k pulumirpc.PropertyDiff_Kind) pulumirpc.PropertyDiff_Kind {
	switch k {
	case pulumirpc.PropertyDiff_ADD:
		return pulumirpc.PropertyDiff_ADD_REPLACE
	case pulumirpc.PropertyDiff_DELETE:
		return pulumirpc.PropertyDiff_DELETE_REPLACE
	default:
		return pulumirpc.PropertyDiff_UPDATE_REPLACE
	}
}

// isZero: null, or Terraform's zero value of the kind ("" false 0 [] {}), all of which the bridge shows
// for an unset attribute.
func isZero(v resource.PropertyValue) bool {
	v = provider.Plain(v)
	switch {
	case v.IsNull():
		return true
	case v.IsString():
		return v.StringValue() == ""
	case v.IsBool():
		return !v.BoolValue()
	case v.IsNumber():
		return v.NumberValue() == 0
	case v.IsArray():
		return len(v.ArrayValue()) == 0
	case v.IsObject():
		return len(v.ObjectValue()) == 0
	}
	return false
}

func (f *Field) equal(oldV, newV resource.PropertyValue) bool {
	oldV, newV = provider.Plain(oldV), provider.Plain(newV)
	if !provider.Known(newV) {
		return false
	}
	if isZero(oldV) && isZero(newV) {
		return true
	}
	switch f.Kind {
	case Set:
		return sameSet(oldV, newV)
	case Object:
		return f.Elem.sameObjects(oldV, newV)
	case Block:
		return oldV.IsObject() && newV.IsObject() && !f.Elem.Diff(oldV.ObjectValue(), newV.ObjectValue()).Changes
	case Map:
		return sameMap(oldV, newV)
	case List:
		return sameList(oldV, newV)
	default:
		return oldV.DeepEquals(newV)
	}
}

func stringItems(v resource.PropertyValue) []string {
	if !v.IsArray() {
		return nil
	}
	var out []string
	for _, e := range v.ArrayValue() {
		e = provider.Plain(e)
		if e.IsString() {
			out = append(out, e.StringValue())
		} else {
			out = append(out, e.String())
		}
	}
	return out
}

func sameList(a, b resource.PropertyValue) bool {
	x, y := stringItems(a), stringItems(b)
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

func sameSet(a, b resource.PropertyValue) bool {
	x, y := stringItems(a), stringItems(b)
	sort.Strings(x)
	sort.Strings(y)
	return strings.Join(dedupe(x), "\x00") == strings.Join(dedupe(y), "\x00")
}

func dedupe(sorted []string) []string {
	var out []string
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func sameMap(a, b resource.PropertyValue) bool {
	var x, y resource.PropertyMap
	if a.IsObject() {
		x = a.ObjectValue()
	}
	if b.IsObject() {
		y = b.ObjectValue()
	}
	if len(x) != len(y) {
		return false
	}
	for k, v := range x {
		if !provider.Plain(v).DeepEquals(provider.Plain(y[k])) {
			return false
		}
	}
	return true
}

// sameObjects compares two lists of objects element by element with the nested fields' rules.
func (s Schema) sameObjects(a, b resource.PropertyValue) bool {
	if !a.IsArray() || !b.IsArray() || len(a.ArrayValue()) != len(b.ArrayValue()) {
		return isZero(a) && isZero(b)
	}
	for i := range a.ArrayValue() {
		oldObj, newObj := provider.Plain(a.ArrayValue()[i]), provider.Plain(b.ArrayValue()[i])
		if !oldObj.IsObject() || !newObj.IsObject() {
			return false
		}
		nested := s.Diff(oldObj.ObjectValue(), newObj.ObjectValue())
		if nested.Changes {
			return false
		}
	}
	return true
}

// Outputs is a state as the bridge writes it (compared with the real plugins' states): every attribute of
// the schema, an unset one as its default, [] for a list of objects, null otherwise; a set of strings in
// order, and null when empty unless the provider computes it; Sensitive attributes secret; and the id.
func (s Schema) Outputs(id string, state resource.PropertyMap) resource.PropertyMap {
	out := state.Copy()
	delete(out, "__defaults")
	for name, f := range s {
		k := resource.PropertyKey(name)
		v, ok := out[k]
		if !ok {
			switch {
			case f.Default != nil:
				out[k] = resource.NewPropertyValue(f.Default)
			case f.Kind == Object:
				out[k] = resource.NewProperty([]resource.PropertyValue{})
			default:
				out[k] = resource.NewNullProperty()
			}
			continue
		}
		if f.Kind == Set && provider.Known(v) && provider.Plain(v).IsArray() {
			items := stringItems(provider.Plain(v))
			if len(items) == 0 && !f.Computed {
				out[k] = resource.NewNullProperty()
			} else if len(items) > 0 {
				sort.Strings(items)
				out[k] = provider.SecretIf(v, provider.StringList(items))
			}
			v = out[k]
		}
		if f.Sensitive && !v.IsSecret() && !v.IsNull() {
			out[k] = resource.MakeSecret(v)
		}
	}
	if id != "" {
		out["id"] = resource.NewProperty(id)
	}
	return out
}

// Planned is the state a preview shows for an update: the prior state with the new inputs laid over it
// (Computed fields the program leaves out keep their values).
func (s Schema) Planned(state, news resource.PropertyMap) resource.PropertyMap {
	out := state.Copy()
	for key, f := range s {
		if !f.IsInput() {
			continue
		}
		k := resource.PropertyKey(key)
		if v, ok := news[k]; ok && !provider.Plain(v).IsNull() {
			out[k] = v
		} else if !f.Computed {
			delete(out, k)
		}
	}
	return out
}

// PlannedCreate is the state a preview shows for a create: the inputs, and unknown for what the provider
// computes (Computed attributes the program leaves out).
func (s Schema) PlannedCreate(news resource.PropertyMap) resource.PropertyMap {
	out := news.Copy()
	delete(out, "__defaults")
	for key, f := range s {
		k := resource.PropertyKey(key)
		if _, ok := out[k]; !ok && f.Computed {
			out[k] = provider.Unknown()
		}
	}
	return out
}
