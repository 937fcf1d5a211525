-- BridgeInTech's own tables (docs/BRIDGEINTECH.md#data), in their own SQLite file. Times are Unix seconds (UTC);
-- enumeration columns hold the values the API uses; list fields and the target candidate are JSON text.

-- +goose Up
CREATE TABLE users_extension (
    user_id             INTEGER PRIMARY KEY,
    is_organization_rep INTEGER NOT NULL DEFAULT 0,
    timezone            TEXT    NOT NULL,
    phone               TEXT    NOT NULL DEFAULT '',
    mobile              TEXT    NOT NULL DEFAULT '',
    personal_website    TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE personal_backgrounds (
    user_id                  INTEGER PRIMARY KEY,
    gender                   TEXT    NOT NULL,
    age                      TEXT    NOT NULL,
    ethnicity                TEXT    NOT NULL,
    sexual_orientation       TEXT    NOT NULL,
    religion                 TEXT    NOT NULL,
    physical_ability         TEXT    NOT NULL,
    mental_ability           TEXT    NOT NULL,
    socio_economic           TEXT    NOT NULL,
    highest_education        TEXT    NOT NULL,
    years_of_experience      TEXT    NOT NULL,
    gender_other             TEXT    NOT NULL DEFAULT '',
    ethnicity_other          TEXT    NOT NULL DEFAULT '',
    sexual_orientation_other TEXT    NOT NULL DEFAULT '',
    religion_other           TEXT    NOT NULL DEFAULT '',
    physical_ability_other   TEXT    NOT NULL DEFAULT '',
    mental_ability_other     TEXT    NOT NULL DEFAULT '',
    socio_economic_other     TEXT    NOT NULL DEFAULT '',
    highest_education_other  TEXT    NOT NULL DEFAULT '',
    is_public                INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE organizations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    rep_id         INTEGER NOT NULL,
    rep_department TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    email          TEXT    NOT NULL,
    about          TEXT    NOT NULL DEFAULT '',
    address        TEXT    NOT NULL DEFAULT '',
    website        TEXT    NOT NULL,
    timezone       TEXT    NOT NULL,
    phone          TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'Draft',
    join_date      INTEGER NOT NULL,
    CONSTRAINT organizations_rep_id_key UNIQUE (rep_id),
    CONSTRAINT organizations_name_key UNIQUE (name),
    CONSTRAINT organizations_email_key UNIQUE (email)
);

CREATE TABLE programs (
    id                          INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id             INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    program_name                TEXT    NOT NULL,
    start_date                  INTEGER NOT NULL,
    end_date                    INTEGER NOT NULL,
    creation_date               INTEGER NOT NULL,
    description                 TEXT    NOT NULL DEFAULT '',
    target_skills               TEXT    NOT NULL DEFAULT '[]',
    target_candidate            TEXT    NOT NULL DEFAULT '{}',
    payment_currency            TEXT    NOT NULL DEFAULT '',
    payment_amount              INTEGER,
    contact_type                TEXT    NOT NULL,
    zone                        TEXT    NOT NULL,
    student_responsibility      TEXT    NOT NULL DEFAULT '[]',
    mentor_responsibility       TEXT    NOT NULL DEFAULT '[]',
    organization_responsibility TEXT    NOT NULL DEFAULT '[]',
    student_requirements        TEXT    NOT NULL DEFAULT '[]',
    mentor_requirements         TEXT    NOT NULL DEFAULT '[]',
    resources_provided          TEXT    NOT NULL DEFAULT '[]',
    contact_name                TEXT    NOT NULL DEFAULT '',
    contact_department          TEXT    NOT NULL DEFAULT '',
    program_address             TEXT    NOT NULL DEFAULT '',
    contact_phone               TEXT    NOT NULL DEFAULT '',
    contact_mobile              TEXT    NOT NULL DEFAULT '',
    contact_email               TEXT    NOT NULL DEFAULT '',
    program_website             TEXT    NOT NULL DEFAULT '',
    irc_channel                 TEXT    NOT NULL DEFAULT '',
    tags                        TEXT    NOT NULL DEFAULT '[]',
    status                      TEXT    NOT NULL DEFAULT 'Draft',
    CONSTRAINT programs_program_name_key UNIQUE (program_name)
);

CREATE INDEX programs_organization_id_idx ON programs (organization_id, id);

-- +goose Down
DROP TABLE programs;
DROP TABLE organizations;
DROP TABLE personal_backgrounds;
DROP TABLE users_extension;
