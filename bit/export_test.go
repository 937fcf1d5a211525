package bit

// AccountFields is what Service.Bound reads from a body, valid JSON or not (for the fuzz test).
func AccountFields(body []byte) (Account, bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return Account{}, false
	}
	return accountFields(body[i:])
}
