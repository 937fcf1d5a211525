package session

import "encoding/json"

// headerReason names why a header segment that is not one of the codec's own was refused. Open calls it only
// after refusing the value, so this reading (base64, encoding/json) costs nothing on the accepted path; it only
// tells the reasons apart for logs and metrics:
//
//   - malformed: not base64url of a JSON object with alg "dir", enc "A256GCM", a string kid, no zip, no crit;
//   - unknown_key: such a header, but its kid names no key of the ring;
//   - wrong_name: a kid of the ring, but the header binds another cookie name (or none);
//   - malformed again: our kid and name, but not in the one layout the codec writes (extra parameters,
//     another order, spaces): no value this codec or jwx seals with these parameters looks like that.
//
// None of these values was authenticated: the reason says what the header claims, not that it is genuine.
func (c *Codec) headerReason(hdr string) Reason {
	raw, err := b64.DecodeString(hdr)
	if err != nil {
		return ReasonMalformed
	}
	var h map[string]json.RawMessage // exact, case-sensitive names, unlike decoding into a struct
	if err := json.Unmarshal(raw, &h); err != nil || h == nil {
		return ReasonMalformed
	}
	str := func(name string) (string, bool) {
		v, ok := h[name]
		if !ok {
			return "", false
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return s, true
	}
	if alg, ok := str("alg"); !ok || alg != "dir" {
		return ReasonMalformed
	}
	if enc, ok := str("enc"); !ok || enc != "A256GCM" {
		return ReasonMalformed
	}
	if _, ok := h["zip"]; ok {
		return ReasonMalformed
	}
	if _, ok := h["crit"]; ok {
		return ReasonMalformed
	}
	kid, ok := str("kid")
	if !ok {
		return ReasonMalformed
	}
	known := false
	for i := range c.ring {
		known = known || c.ring[i].kid == kid
	}
	if !known {
		return ReasonUnknownKey
	}
	if _, present := h[headerCookieParam]; present {
		name, ok := str(headerCookieParam)
		if !ok {
			return ReasonMalformed
		}
		if name == c.name {
			return ReasonMalformed
		}
	}
	return ReasonWrongName
}
