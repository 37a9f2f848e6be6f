package proof

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"renofund/internal/store"
)

// Checkpoint is a sealed snapshot of every chain head. Checkpoints form their
// own chain; the latest one's hash is what an export's manifest carries, so a
// later rewrite of any chain (even with recomputed hashes) no longer matches
// what auditors were given.
type Checkpoint struct {
	Seq       int64  `json:"seq"`
	CreatedAt string `json:"created_at"`
	Holdings  int64  `json:"holdings"`
	PrevHash  string `json:"prev_hash"`
	Hash      string `json:"hash"`
}

type headRow struct {
	Fund   string `gorm:"column:fund_code"`
	Holder string `gorm:"column:holder"`
	Seq    int64  `gorm:"column:chain_seq"`
	Head   string `gorm:"column:chain_head"`
}

// Checkpoint seals the current chain heads. It only reads holdings, so it
// waits for no writer on PostgreSQL; its own row is the only thing it writes.
func (b *Books) Checkpoint(ctx context.Context) (*Checkpoint, error) {
	for attempt := 1; ; attempt++ {
		cp, err := b.checkpoint(ctx)
		// Another instance sealed the same sequence number first: seal again
		// on top of its checkpoint.
		if err == nil || !store.UniqueViolation(err) || attempt == 10 {
			return cp, err
		}
	}
}

func (b *Books) checkpoint(ctx context.Context) (*Checkpoint, error) {
	var cp Checkpoint
	err := b.db.Tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var heads []headRow
		if err := tx.Raw("SELECT fund_code, holder, chain_seq, chain_head FROM holdings WHERE chain_seq > 0 ORDER BY fund_code, holder").
			Scan(&heads).Error; err != nil {
			return err
		}
		prev, err := latest(tx)
		if err != nil {
			return err
		}
		text := headsText(heads)
		cp = Checkpoint{Seq: 1, CreatedAt: store.Now(), Holdings: int64(len(heads))}
		if prev != nil {
			cp.Seq, cp.PrevHash = prev.Seq+1, prev.Hash
		}
		cp.Hash = checkpointHash(&cp, text)
		return tx.Exec("INSERT INTO checkpoints (seq, created_at, holdings, heads, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)",
			cp.Seq, cp.CreatedAt, cp.Holdings, text, cp.PrevHash, cp.Hash).Error
	})
	return &cp, err
}

// Latest returns the newest checkpoint, or nil when there is none.
func (b *Books) Latest(ctx context.Context) (*Checkpoint, error) {
	return latest(b.db.Conn(ctx))
}

func latest(conn *gorm.DB) (*Checkpoint, error) {
	var cps []Checkpoint
	err := conn.Raw("SELECT seq, created_at, holdings, prev_hash, hash FROM checkpoints ORDER BY seq DESC LIMIT 1").
		Scan(&cps).Error
	if err != nil || len(cps) == 0 {
		return nil, err
	}
	return &cps[0], nil
}

func checkpointHash(cp *Checkpoint, heads string) string {
	return digest(strings.Join([]string{"cp1", strconv.FormatInt(cp.Seq, 10), cp.CreatedAt,
		strconv.FormatInt(cp.Holdings, 10), cp.PrevHash, digest(heads)}, sep))
}

type sealedHead struct {
	head       string
	checkpoint int64
}

// sealedHeads maps each holding and chain position to the hash a checkpoint sealed there.
type sealedHeads map[key]map[int64]sealedHead

// start is a checkpoint a since_checkpoint verification starts from, with
// the chain heads it sealed.
type start struct {
	Checkpoint
	heads map[key]state
}

// verifyCheckpoints re-seals every checkpoint from its stored heads and checks
// the checkpoint chain; it returns the sealed heads so that the chain walk
// can check each is still the hash the recomputed chain has at that position,
// and the newest checkpoint up to which the checkpoint chain verifies (nil
// when there is none).
func (b *Books) verifyCheckpoints(conn *gorm.DB, r *Report) (sealedHeads, *start, error) {
	rows, err := conn.Raw("SELECT seq, created_at, holdings, heads, prev_hash, hash FROM checkpoints ORDER BY seq").Rows()
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	sealed := sealedHeads{}
	prev := ""
	var n int64
	var from *start
	broken := false
	for rows.Next() {
		var cp Checkpoint
		var heads string
		if err := rows.Scan(&cp.Seq, &cp.CreatedAt, &cp.Holdings, &heads, &cp.PrevHash, &cp.Hash); err != nil {
			return nil, nil, err
		}
		n++
		where := fmt.Sprintf("checkpoint %d", cp.Seq)
		if cp.Seq != n || cp.PrevHash != prev || checkpointHash(&cp, heads) != cp.Hash {
			r.fail(where, "checkpoint chain broken: a checkpoint was altered, removed or reordered")
			broken = true
		}
		these := map[key]state{}
		for _, line := range strings.Split(strings.TrimSuffix(heads, "\n"), "\n") {
			f := strings.Split(line, "|")
			if line == "" || len(f) != 4 {
				continue
			}
			seq, _ := strconv.ParseInt(f[2], 10, 64)
			k := key{f[0], f[1]}
			if sealed[k] == nil {
				sealed[k] = map[int64]sealedHead{}
			}
			sealed[k][seq] = sealedHead{head: f[3], checkpoint: cp.Seq}
			these[k] = state{seq: seq, head: f[3]}
		}
		if !broken {
			from = &start{Checkpoint: cp, heads: these}
		}
		prev = cp.Hash
		r.Head = cp.Hash
		r.Checkpoints++
	}
	if r.Head == "" {
		var heads []headRow
		if err := conn.Raw("SELECT fund_code, holder, chain_seq, chain_head FROM holdings WHERE chain_seq > 0 ORDER BY fund_code, holder").
			Scan(&heads).Error; err != nil {
			return nil, nil, err
		}
		r.Head = digest(headsText(heads))
	}
	return sealed, from, rows.Err()
}

// HeadsState identifies the state of every hash chain: how many holdings
// have postings and the SHA-256 of their heads in the form a checkpoint
// seals ("fund|holder|seq|head" lines in fund, holder order).
type HeadsState struct {
	Holdings int64
	Digest   string
	// Sealed says these heads are exactly what the given checkpoint sealed:
	// nothing was posted in between.
	Sealed bool
}

// Heads digests the chain heads as ctx's transaction (or snapshot) sees
// them, streaming them into the hash, and compares them with what the
// checkpoint cp sealed (none when cp is nil).
func (b *Books) Heads(ctx context.Context, cp *Checkpoint) (HeadsState, error) {
	var s HeadsState
	conn := b.db.Conn(ctx)
	rows, err := conn.Raw("SELECT fund_code, holder, chain_seq, chain_head FROM holdings WHERE chain_seq > 0 ORDER BY fund_code, holder").Rows()
	if err != nil {
		return s, err
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var r headRow
		if err := rows.Scan(&r.Fund, &r.Holder, &r.Seq, &r.Head); err != nil {
			return s, err
		}
		h.Write([]byte(headsText([]headRow{r})))
		s.Holdings++
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	s.Digest = hex.EncodeToString(h.Sum(nil))
	if cp != nil {
		var heads []string
		if err := conn.Raw("SELECT heads FROM checkpoints WHERE seq = ?", cp.Seq).Scan(&heads).Error; err != nil {
			return s, err
		}
		if len(heads) == 1 {
			sum := sha256.Sum256([]byte(heads[0]))
			s.Sealed = hex.EncodeToString(sum[:]) == s.Digest
		}
	}
	return s, nil
}
