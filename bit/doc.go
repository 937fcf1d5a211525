// Package bit is the domain of BridgeInTech's own data (additional info, personal background, organizations and
// programs; bit-resources.md): its types, enumerations, request decoding and validation with the old API's exact
// messages, the domain errors (Error, one Code→status map), the Store interface its databases implement
// (bit/sqlitestore, bit/pgstore) and the Service that applies the endpoints' rules: who may read or write what.
// It knows no HTTP framework and no database driver; the caller passes the verified MS user id.
package bit
