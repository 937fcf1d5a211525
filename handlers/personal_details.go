package handlers

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// The profile field the BridgeInTech app reads and writes as current_organization is MS's organization
// (docs/API.md#forwarded-routes). On the /api/user/personal_details aliases both names work; /api/user keeps MS's shape.
const (
	fieldOrganization    = "organization"
	fieldCurrentOrgAlias = "current_organization"
)

// personalDetails adapts one /user/personal_details alias around the forwarding handler next: a write's
// current_organization reaches MS as organization (unless the body names organization itself, which then
// wins), and a read's answer carries current_organization beside organization.
func (s *Server) personalDetails(next fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Method() == fiber.MethodPut {
			if body, ok := renameOrganization(c.Body()); ok {
				c.Request().SetBody(body)
			}
			return next(c)
		}
		if err := next(c); err != nil {
			return err
		}
		if c.Response().StatusCode() == fiber.StatusOK &&
			strings.HasPrefix(string(c.Response().Header.ContentType()), fiber.MIMEApplicationJSON) {
			if body, ok := addOrganizationAlias(c.Response().Body()); ok {
				c.Response().SetBody(body)
			}
		}
		return nil
	}
}

// renameOrganization rewrites a JSON object's current_organization as organization. ok is false when there is
// nothing to rename or the body is not a JSON object (the forwarding handler then judges it as it came).
func renameOrganization(body []byte) ([]byte, bool) {
	if !isJSONObject(body) {
		return nil, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, false
	}
	v, ok := m[fieldCurrentOrgAlias]
	if !ok {
		return nil, false
	}
	delete(m, fieldCurrentOrgAlias)
	if _, has := m[fieldOrganization]; !has {
		m[fieldOrganization] = v
	}
	out, err := json.Marshal(m)
	return out, err == nil
}

// addOrganizationAlias adds current_organization, the value of organization, to MS's user object, keeping MS's
// bytes as they are. ok is false when the answer is not an object with organization, or already has the alias.
func addOrganizationAlias(body []byte) ([]byte, bool) {
	var m map[string]json.RawMessage
	if !isJSONObject(body) || json.Unmarshal(body, &m) != nil {
		return nil, false
	}
	v, ok := m[fieldOrganization]
	if _, has := m[fieldCurrentOrgAlias]; !ok || has {
		return nil, false
	}
	end := bytes.LastIndexByte(body, '}')
	out := make([]byte, 0, len(body)+len(fieldCurrentOrgAlias)+len(v)+8)
	out = append(out, bytes.TrimRight(body[:end], " \t\r\n")...)
	out = append(out, `,"`+fieldCurrentOrgAlias+`":`...)
	out = append(out, v...)
	out = append(out, body[end:]...)
	return out, true
}
