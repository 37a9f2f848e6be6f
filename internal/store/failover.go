package store

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Failover. RENOFUND_DATABASE_URL may list several hosts
// (postgres://u@a:5432,b:5432/db?target_session_attrs=read-write): pgx tries
// them in order and keeps the first that takes writes. When the primary
// stops, its sessions end with an error the requests answer as 503
// unavailable; the pool drops its idle connections (DB.Translate), and new
// ones find the standby once it has been promoted.

// serverGone reports a PostgreSQL server that ended the session or cannot
// take one: a connection exception (class 08), or a server shutting down,
// crashed, or still starting up (57P01–57P03), as around a failover.
func serverGone(err error) bool {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return false
	}
	return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03"
}
