package bit

// AccountFields is what Service.Bound reads from a body, valid JSON or not (for the fuzz test).
var AccountFields = accountFields
