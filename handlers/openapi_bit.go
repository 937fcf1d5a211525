package handlers

import (
	"reflect"
	"strings"

	"github.com/anitab-org/bridge-in-tech-bff/bit"
)

// bitSchemas are the OpenAPI schemas of BridgeInTech's own answers and bodies, generated from the bit types that
// are marshalled, so the document cannot drift from the JSON served.
func bitSchemas() map[string]any {
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
	list := func(name string) map[string]any { return map[string]any{"type": "array", "items": ref(name)} }
	program := schemaOf(reflect.TypeFor[bit.ProgramView]())
	program["description"] = "Program P. As a request body (#17, #19) every key but id, organization_id, organization_name, " +
		"representative_id, representative_name and creation_date must be present; start_date and end_date are then " +
		"YYYY-MM-DD HH:MM in the caller's timezone; payment_amount may be null."
	return map[string]any{
		"AdditionalInfo":     schemaOf(reflect.TypeFor[bit.AdditionalInfo]()),
		"PersonalBackground": schemaOf(reflect.TypeFor[bit.PersonalBackground]()),
		"Organization":       schemaOf(reflect.TypeFor[bit.OrganizationView]()),
		"OrganizationInput":  schemaOf(reflect.TypeFor[bit.OrganizationInput]()),
		"OrganizationList":   list("Organization"),
		"Program":            program,
		"ProgramList":        list("Program"),
		"Refusal": map[string]any{"type": "object", "required": []any{"message"}, "properties": map[string]any{
			"message": map[string]any{"type": "string"},
			"errors": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"},
				"description": "Only with \"Input payload validation failed\": the text per failing key."},
		}},
	}
}

// bitRequestSchema names the schema of a BridgeInTech route's body.
func bitRequestSchema(path string) string {
	switch {
	case strings.HasSuffix(path, "/additional_info"):
		return "AdditionalInfo"
	case strings.HasSuffix(path, "/personal_background"):
		return "PersonalBackground"
	case path == "/organization":
		return "OrganizationInput"
	default:
		return "Program"
	}
}

// schemaOf is the JSON schema of a struct marshalled by encoding/json (embedded structs inlined).
func schemaOf(t reflect.Type) map[string]any {
	props := map[string]any{}
	addFields(t, props)
	return map[string]any{"type": "object", "properties": props}
}

func addFields(t reflect.Type, props map[string]any) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			addFields(f.Type, props)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		props[name] = typeSchema(f.Type)
	}
}

func typeSchema(t reflect.Type) map[string]any {
	switch t.Kind() {
	case reflect.Pointer:
		s := typeSchema(t.Elem())
		s["nullable"] = true
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": typeSchema(t.Elem())}
	default:
		return map[string]any{"type": "string"}
	}
}
