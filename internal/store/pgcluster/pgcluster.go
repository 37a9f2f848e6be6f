// Package pgcluster starts PostgreSQL servers of the tests' own, in
// temporary directories on free ports of 127.0.0.1: a primary and streaming
// standbys made from it with pg_basebackup, which the tests of read replicas
// and failover pause, stop hard and promote. The servers are stopped and
// their directories removed when the test ends.
//
// PostgreSQL refuses to run as root: as root (in CI) the servers run as the
// postgres user, in directories it owns.
package pgcluster

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"renofund/internal/store"
	"renofund/internal/store/storetest"
)

// EnvBin names the directory of the PostgreSQL server binaries (initdb,
// pg_ctl, pg_basebackup), when they are neither on PATH nor in
// /usr/lib/postgresql/*/bin.
const EnvBin = "RENOFUND_PG_BIN"

// Server is one PostgreSQL server of a test.
type Server struct {
	t    testing.TB
	bin  string
	as   *syscall.Credential // nil: as this process's user
	Dir  string              // the data directory
	Port int
	log  string
}

// Require returns the directory of the server binaries. Where PostgreSQL
// tests run (RENOFUND_TEST_DATABASE_URL set, as in CI) a missing one fails
// the test; elsewhere the test is skipped.
func Require(t testing.TB) string {
	t.Helper()
	if os.Getenv(storetest.EnvURL) == "" {
		t.Skipf("needs PostgreSQL's server binaries; runs when %s is set (as in CI)", storetest.EnvURL)
	}
	bin, err := findBin()
	if err != nil {
		t.Fatalf("%s is set, so this test must run: %v", storetest.EnvURL, err)
	}
	return bin
}

func findBin() (string, error) {
	if d := os.Getenv(EnvBin); d != "" {
		return d, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("no initdb on PATH or in /usr/lib/postgresql/*/bin; set %s", EnvBin)
}

// version is the major version in a /usr/lib/postgresql/N/bin path.
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// Primary initialises and starts a primary that standbys may stream from.
func Primary(t testing.TB) *Server {
	t.Helper()
	s := newServer(t, Require(t))
	s.run("initdb", "-D", s.Dir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	s.configure()
	s.start()
	return s
}

// Standby makes a streaming standby of p (pg_basebackup -R) and starts it.
// It copies p's settings as they are now, so settings meant for the primary
// alone (synchronous_standby_names) are set after it (Synchronous).
func (p *Server) Standby(t testing.TB) *Server {
	t.Helper()
	s := newServer(t, p.bin)
	s.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(p.Port), "-U", "postgres",
		"-D", s.Dir, "-R", "-X", "stream", "-c", "fast", "--no-sync")
	s.configure()
	s.start()
	return s
}

// Pair starts a primary holding an empty database named db and a standby
// streaming from it.
func Pair(t testing.TB, db string) (primary, standby *Server) {
	t.Helper()
	primary = Primary(t)
	standby = primary.Standby(t)
	primary.WaitStreaming()
	primary.Exec("postgres", "CREATE DATABASE "+db)
	return primary, standby
}

// newServer makes an empty data directory, owned by the user the server
// will run as, and picks a port; the server is stopped and the directory
// removed when the test ends.
func newServer(t testing.TB, bin string) *Server {
	t.Helper()
	// Not t.TempDir: its parents are private to root, and the postgres user
	// must reach the directory.
	root, err := os.MkdirTemp("", "renofund-pg-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, bin: bin, Dir: filepath.Join(root, "data"), log: filepath.Join(root, "server.log")}
	t.Cleanup(func() {
		s.Kill()
		os.RemoveAll(root)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, PostgreSQL needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.as = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(root, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if s.Port, err = freePort(); err != nil {
		t.Fatal(err)
	}
	return s
}

// configure appends the test server's settings to postgresql.conf (later
// lines win over those copied from a primary).
func (s *Server) configure() {
	s.t.Helper()
	conf := fmt.Sprintf(`
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
wal_level = replica
max_wal_senders = 8
hot_standby = on
max_connections = 120
shared_buffers = 16MB
# The tests kill processes, never the machine: the page cache survives.
fsync = off
`, s.Port, filepath.Dir(s.Dir))
	f, err := os.OpenFile(filepath.Join(s.Dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(conf); err != nil {
		s.t.Fatal(err)
	}
}

func (s *Server) start() {
	s.t.Helper()
	s.run("pg_ctl", "start", "-D", s.Dir, "-l", s.log, "-w", "-t", "60")
}

// Kill stops the server at once, as a crash would (pg_ctl stop -m
// immediate): no checkpoint, sessions cut. Killing a stopped server does
// nothing.
func (s *Server) Kill() {
	if _, err := os.Stat(filepath.Join(s.Dir, "postmaster.pid")); err != nil {
		return
	}
	if out, err := s.cmd("pg_ctl", "stop", "-D", s.Dir, "-m", "immediate", "-w", "-t", "30").CombinedOutput(); err != nil {
		s.t.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
}

// Promote makes a standby the primary and waits until it takes writes.
func (s *Server) Promote() {
	s.t.Helper()
	s.run("pg_ctl", "promote", "-D", s.Dir, "-w", "-t", "60")
}

// URL is the address of database db on the server, as the service takes it.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, db)
}

// Exec runs statements one by one on database db as the superuser.
func (s *Server) Exec(db string, stmts ...string) {
	s.t.Helper()
	conn := s.Open(db)
	defer conn.Close()
	for _, q := range stmts {
		if err := conn.G.Exec(q).Error; err != nil {
			s.t.Fatalf("%s: %v", q, err)
		}
	}
}

// Open connects to database db on the server; the caller closes it.
func (s *Server) Open(db string) *store.DB {
	s.t.Helper()
	conn, err := store.Open(context.Background(), s.URL(db))
	if err != nil {
		s.t.Fatalf("connect to the server on port %d: %v\n%s", s.Port, err, s.LogTail())
	}
	return conn
}

// Synchronous makes every commit on the primary wait until a standby has
// the commit on disk (synchronous_commit = on with any standby named), and
// waits until a standby streams synchronously.
func (s *Server) Synchronous() {
	s.t.Helper()
	s.Exec("postgres", "ALTER SYSTEM SET synchronous_standby_names = '*'", "ALTER SYSTEM SET synchronous_commit = on",
		"SELECT pg_reload_conf()")
	s.waitFor("a synchronous standby", "SELECT COUNT(*) FROM pg_stat_replication WHERE sync_state = 'sync'")
}

// WaitStreaming waits until a standby streams from the primary s.
func (s *Server) WaitStreaming() {
	s.t.Helper()
	s.waitFor("a streaming standby", "SELECT COUNT(*) FROM pg_stat_replication WHERE state = 'streaming'")
}

// waitFor polls a COUNT query until it counts something, for up to 30 s.
func (s *Server) waitFor(what, q string) {
	s.t.Helper()
	conn := s.Open("postgres")
	defer conn.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int64
		err := conn.G.Raw(q).Scan(&n).Error
		if err == nil && n > 0 {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no %s after 30 s (%v)\n%s", what, err, s.LogTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// LogTail is the end of the server's log, for failure messages.
func (s *Server) LogTail() string {
	b, _ := os.ReadFile(s.log)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// run runs one of the server binaries and fails the test if it fails.
func (s *Server) run(name string, args ...string) {
	s.t.Helper()
	if out, err := s.cmd(name, args...).CombinedOutput(); err != nil {
		s.t.Fatalf("%s %s: %v\n%s\n%s", name, strings.Join(args, " "), err, out, s.LogTail())
	}
}

// cmd is a server binary run as the server's user.
func (s *Server) cmd(name string, args ...string) *exec.Cmd {
	c := exec.Command(filepath.Join(s.bin, name), args...)
	c.Dir = os.TempDir()
	c.Env = append(os.Environ(), "LC_ALL=C", "HOME="+filepath.Dir(s.Dir))
	if s.as != nil {
		c.SysProcAttr = &syscall.SysProcAttr{Credential: s.as}
	}
	return c
}

// freePort returns a port on 127.0.0.1 that nobody listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
