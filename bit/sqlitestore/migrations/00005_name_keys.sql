-- Unique names are compared as a reader sees them (bit.NameKey: normalized, case folded, look-alikes reduced to
-- one skeleton). The key is computed in Go, so the columns start empty: rows written from now on carry their key,
-- and the store's start fills the older rows' keys, reporting (not changing) rows whose key another row holds.
-- Empty keys never collide, so this migration cannot fail on existing data.

-- +goose Up
ALTER TABLE organizations ADD COLUMN name_key TEXT;
ALTER TABLE programs ADD COLUMN program_name_key TEXT;
CREATE UNIQUE INDEX organizations_name_key_unique ON organizations (name_key);
CREATE UNIQUE INDEX programs_program_name_key_unique ON programs (program_name_key);

-- +goose Down
DROP INDEX programs_program_name_key_unique;
DROP INDEX organizations_name_key_unique;
ALTER TABLE programs DROP COLUMN program_name_key;
ALTER TABLE organizations DROP COLUMN name_key;
