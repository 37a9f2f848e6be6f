package pgcluster_test

import (
	"testing"

	"renofund/internal/store/pgcluster"
)

// A standby refuses writes; killed, the synchronous primary has left it
// every commit it acknowledged, and promoted it takes writes.
func TestStandbyPromote(t *testing.T) {
	p := pgcluster.Primary(t)
	s := p.Standby(t)
	p.WaitStreaming()
	p.Exec("postgres", "CREATE TABLE seen (n int)")
	p.Synchronous()
	p.Exec("postgres", "INSERT INTO seen VALUES (1)")

	db := s.Open("postgres")
	defer db.Close()
	if err := db.G.Exec("INSERT INTO seen VALUES (2)").Error; err == nil {
		t.Errorf("the standby took a write")
	}
	p.Kill()
	s.Promote()
	s.Exec("postgres", "INSERT INTO seen VALUES (3)")
	var got []int
	if err := db.G.Raw("SELECT n FROM seen ORDER BY n").Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 3 {
		t.Errorf("the promoted standby holds %v, want [1 3]", got)
	}
}
