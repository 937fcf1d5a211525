// Command bitfloor is the floor of bench/bit.sh: a minimal Go HTTP server that makes the same database queries as
// the BFF's BridgeInTech routes, with the same drivers (modernc.org/sqlite through database/sql with the
// sqlitestore DSN, pgx's pool for PostgreSQL), and nothing else: no session, no MS, no checks, rows encoded as
// they come. The gap between it and the BFF is what the BFF adds on top of its database.
//
//	bitfloor -addr 127.0.0.1:PORT -db sqlite:/path/bit.db|postgres://… -user ID
//
// It serves GET and PUT /api/user/additional_info (user ID), GET /api/organizations (the first ten published),
// GET /api/organizations/{id}/programs (the first ten that are not drafts) and PUT
// /api/organizations/{id}/programs/{program_id} (the description only). The database must already hold the
// BFF's schema (the BFF migrates it first).
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite"

	"github.com/anitab-org/bridge-in-tech-bff/bit/sqlitestore"
)

// querier runs a query and returns its rows as column → value maps; exec runs a statement.
type querier interface {
	rows(ctx context.Context, q string, args ...any) ([]map[string]any, error)
	exec(ctx context.Context, q string, args ...any) error
}

type sqliteDB struct{ db *sql.DB }

func (s sqliteDB) rows(ctx context.Context, q string, args ...any) ([]map[string]any, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		m := make(map[string]any, len(cols))
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = json.RawMessage(b)
			}
			m[c] = vals[i]
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s sqliteDB) exec(ctx context.Context, q string, args ...any) error {
	_, err := s.db.ExecContext(ctx, q, args...)
	return err
}

type pgDB struct{ pool *pgxpool.Pool }

func (p pgDB) rows(ctx context.Context, q string, args ...any) ([]map[string]any, error) {
	rows, err := p.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []map[string]any
	fields := rows.FieldDescriptions()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, len(vals))
		for i, f := range fields {
			m[f.Name] = vals[i]
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (p pgDB) exec(ctx context.Context, q string, args ...any) error {
	_, err := p.pool.Exec(ctx, q, args...)
	return err
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	source := flag.String("db", "", "sqlite:/path or postgres://…")
	user := flag.Int64("user", 1, "the user id the additional-info routes act for")
	flag.Parse()
	if err := run(*addr, *source, *user); err != nil {
		log.Fatal(err)
	}
}

func run(addr, source string, user int64) error {
	ctx := context.Background()
	var db querier
	schema, ph := "", func(i int) string { return "?" }
	if strings.HasPrefix(source, "postgres") {
		pool, err := pgxpool.New(ctx, source)
		if err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		defer pool.Close()
		db, schema, ph = pgDB{pool}, "bitschema.", func(i int) string { return "$" + strconv.Itoa(i) }
	} else {
		sdb, err := sql.Open("sqlite", sqlitestore.DSN(strings.TrimPrefix(source, "sqlite:")))
		if err != nil {
			return fmt.Errorf("open: %w", err)
		}
		defer sdb.Close()
		db = sqliteDB{sdb}
	}
	answer := func(w http.ResponseWriter, rows []map[string]any, err error) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(rows)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/user/additional_info", func(w http.ResponseWriter, r *http.Request) {
		rows, err := db.rows(r.Context(), `SELECT user_id, is_organization_rep, timezone, phone, mobile, personal_website
			FROM `+schema+`users_extension WHERE user_id = `+ph(1), user)
		answer(w, rows, err)
	})
	mux.HandleFunc("PUT /api/user/additional_info", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Rep      bool   `json:"is_organization_rep"`
			Timezone string `json:"timezone"`
			Phone    string `json:"phone"`
			Mobile   string `json:"mobile"`
			Website  string `json:"personal_website"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &in)
		err := db.exec(r.Context(), `INSERT INTO `+schema+`users_extension
			(user_id, is_organization_rep, timezone, phone, mobile, personal_website)
			VALUES (`+ph(1)+`, `+ph(2)+`, `+ph(3)+`, `+ph(4)+`, `+ph(5)+`, `+ph(6)+`)
			ON CONFLICT (user_id) DO UPDATE SET is_organization_rep = excluded.is_organization_rep,
			timezone = excluded.timezone, phone = excluded.phone, mobile = excluded.mobile,
			personal_website = excluded.personal_website`, user, in.Rep, in.Timezone, in.Phone, in.Mobile, in.Website)
		answer(w, nil, err)
	})
	mux.HandleFunc("GET /api/organizations", func(w http.ResponseWriter, r *http.Request) {
		rows, err := db.rows(r.Context(), `SELECT o.* FROM `+schema+`organizations o JOIN `+schema+`users_extension u
			ON u.user_id = o.rep_id AND u.is_organization_rep WHERE o.status = 'Publish' ORDER BY o.id LIMIT 10`)
		answer(w, rows, err)
	})
	mux.HandleFunc("GET /api/organizations/{id}/programs", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		rows, err := db.rows(r.Context(), `SELECT * FROM `+schema+`programs WHERE organization_id = `+ph(1)+
			` AND status <> 'Draft' ORDER BY id LIMIT 10`, id)
		answer(w, rows, err)
	})
	mux.HandleFunc("PUT /api/organizations/{id}/programs/{pid}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		pid, _ := strconv.ParseInt(r.PathValue("pid"), 10, 64)
		var m map[string]any
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &m)
		desc, _ := m["description"].(string)
		err := db.exec(r.Context(), `UPDATE `+schema+`programs SET description = `+ph(1)+` WHERE id = `+ph(2)+
			` AND organization_id = `+ph(3), desc, pid, id)
		answer(w, nil, err)
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(os.Stdout, "bitfloor listening on http://%s\n", ln.Addr())
	return http.Serve(ln, mux)
}
