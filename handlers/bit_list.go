package handlers

import (
	"encoding/json"
	"fmt"

	"github.com/gofiber/fiber/v2"
)

// headerPageCut marks a list answer cut short by the byte ceiling (BIT_ANSWER_MAX_BYTES, docs/API.md): its
// value is how many items the answer holds; the client asks for the rest with a smaller per_page.
const headerPageCut = "X-Page-Cut"

// bitList answers a list as the old API's bare JSON array, encoding each item straight into the response body as
// the Service hands it over (one item's encoding at a time, never the whole answer twice). An item that would
// take the body past the byte ceiling ends the answer early (the first item always goes in: one largest item is
// below the smallest ceiling config allows). A refusal after items were written replaces them.
func (s *Server) bitList(c *fiber.Ctx, who *bitCaller, each func(emit func(any) (bool, error)) error) error {
	limit := s.cfg.AnswerMaxBytes
	if limit <= 0 {
		limit = 4 << 20
	}
	resp := c.Response()
	resp.ResetBody()
	w := resp.BodyWriter()
	count, cut := 0, false
	err := each(func(v any) (bool, error) {
		item, err := json.Marshal(v)
		if err != nil {
			return false, fmt.Errorf("encode list item: %w", err)
		}
		if count > 0 && len(resp.Body())+1+len(item)+1 > limit {
			cut = true
			return false, nil
		}
		sep := byte(',')
		if count == 0 {
			sep = '['
		}
		_, _ = w.Write([]byte{sep})
		_, _ = w.Write(item)
		count++
		return true, nil
	})
	if err != nil {
		resp.ResetBody()
		return s.bitFailure(c, who, err)
	}
	_, _ = w.Write([]byte{']'})
	if cut {
		c.Set(headerPageCut, fmt.Sprint(count))
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.SendStatus(fiber.StatusOK)
}
