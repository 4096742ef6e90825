package provider

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Plain returns v without its secret wrapper(s).
func Plain(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

// Known reports whether v (and everything inside it) is known.
func Known(v resource.PropertyValue) bool { return !v.ContainsUnknowns() }

// Set reports whether key is present with a non-null value.
func Set(m resource.PropertyMap, key string) bool {
	v, ok := m[resource.PropertyKey(key)]
	return ok && !Plain(v).IsNull()
}

// String is m[key] as a string ("" when absent). Unknown or mistyped values are errors naming the field.
func String(m resource.PropertyMap, key string) (string, error) {
	v := Plain(m[resource.PropertyKey(key)])
	switch {
	case v.IsNull():
		return "", nil
	case v.IsString():
		return v.StringValue(), nil
	case !Known(v):
		return "", fmt.Errorf("%s is not known yet", key)
	default:
		return "", fmt.Errorf("%s must be a string, got %s", key, v.TypeString())
	}
}

func Bool(m resource.PropertyMap, key string, fallback bool) (bool, error) {
	v := Plain(m[resource.PropertyKey(key)])
	switch {
	case v.IsNull():
		return fallback, nil
	case v.IsBool():
		return v.BoolValue(), nil
	case !Known(v):
		return false, fmt.Errorf("%s is not known yet", key)
	default:
		return false, fmt.Errorf("%s must be a boolean, got %s", key, v.TypeString())
	}
}

func Int(m resource.PropertyMap, key string, fallback int) (int, error) {
	v := Plain(m[resource.PropertyKey(key)])
	switch {
	case v.IsNull():
		return fallback, nil
	case v.IsNumber() && v.NumberValue() == float64(int(v.NumberValue())):
		return int(v.NumberValue()), nil
	case !Known(v):
		return 0, fmt.Errorf("%s is not known yet", key)
	default:
		return 0, fmt.Errorf("%s must be a whole number, got %s", key, v.TypeString())
	}
}

// Strings is m[key] as a list of strings (nil when absent).
func Strings(m resource.PropertyMap, key string) ([]string, error) {
	v := Plain(m[resource.PropertyKey(key)])
	if v.IsNull() {
		return nil, nil
	}
	if !Known(v) {
		return nil, fmt.Errorf("%s is not known yet", key)
	}
	if !v.IsArray() {
		return nil, fmt.Errorf("%s must be a list of strings, got %s", key, v.TypeString())
	}
	out := make([]string, 0, len(v.ArrayValue()))
	for i, e := range v.ArrayValue() {
		e = Plain(e)
		if !e.IsString() {
			return nil, fmt.Errorf("%s[%d] must be a string, got %s", key, i, e.TypeString())
		}
		out = append(out, e.StringValue())
	}
	return out, nil
}

// StringMap is m[key] as a map of strings (nil when absent).
func StringMap(m resource.PropertyMap, key string) (map[string]string, error) {
	v := Plain(m[resource.PropertyKey(key)])
	if v.IsNull() {
		return nil, nil
	}
	if !Known(v) {
		return nil, fmt.Errorf("%s is not known yet", key)
	}
	if !v.IsObject() {
		return nil, fmt.Errorf("%s must be a map of strings, got %s", key, v.TypeString())
	}
	out := map[string]string{}
	for k, e := range v.ObjectValue() {
		e = Plain(e)
		if !e.IsString() {
			return nil, fmt.Errorf("%s.%s must be a string, got %s", key, k, e.TypeString())
		}
		out[string(k)] = e.StringValue()
	}
	return out, nil
}

// StringList makes a list property of strings.
func StringList(values []string) resource.PropertyValue {
	out := make([]resource.PropertyValue, 0, len(values))
	for _, s := range values {
		out = append(out, resource.NewProperty(s))
	}
	return resource.NewProperty(out)
}

// StringMapValue makes an object property of strings.
func StringMapValue(values map[string]string) resource.PropertyValue {
	out := resource.PropertyMap{}
	for k, s := range values {
		out[resource.PropertyKey(k)] = resource.NewProperty(s)
	}
	return resource.NewProperty(out)
}

// Unknown is the preview placeholder for a value the operation will compute.
func Unknown() resource.PropertyValue {
	return resource.MakeComputed(resource.NewProperty(""))
}

// SecretIf marks v secret when like is (or contains) a secret, so a value derived from a secret input stays
// secret in the outputs.
func SecretIf(like, v resource.PropertyValue) resource.PropertyValue {
	if like.ContainsSecrets() && !v.IsSecret() {
		return resource.MakeSecret(v)
	}
	return v
}

// Keys are the keys of m, sorted.
func Keys(m resource.PropertyMap) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	return keys
}
