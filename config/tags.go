package config

import "reflect"

// envTag maps a Config field name to its environment variable, for error messages.
func envTag(field string) (string, bool) {
	f, ok := reflect.TypeFor[Config]().FieldByName(field)
	if !ok {
		return "", false
	}
	tag := f.Tag.Get("env")
	return tag, tag != "" && tag != "-"
}
