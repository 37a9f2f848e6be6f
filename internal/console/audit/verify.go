package audit

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// verifyPage is the verification page's model.
type verifyPage struct {
	OK                                     bool
	Checked, Transfers, Checkpoints, Seals int64
	Attachments                            int64
	Head, Problem, Where                   string
	Took                                   string
	// Full says everything was recomputed; otherwise Since is the
	// checkpoint it started from ("#seq, sealed at").
	Full  bool
	Since string
}

// verify says what verification checks and, asked to (?run=1, the page's
// buttons; &full=1 for everything), runs GET /v1/audit/verify and shows its
// result in Chinese with the time it took and what it covered. On a whole
// city the full one takes seconds, so opening the page starts neither.
func (s *section) verify(c *gin.Context) {
	if c.Query("run") == "" {
		s.k.Render(c, http.StatusOK, "audit-verify", "防篡改校验", (*verifyPage)(nil))
		return
	}
	var r struct {
		OK          bool   `json:"ok"`
		Checked     int64  `json:"checked"`
		Transfers   int64  `json:"transfers"`
		Checkpoints int64  `json:"checkpoints"`
		Seals       int64  `json:"seals"`
		Attachments int64  `json:"attachments"`
		Head        string `json:"head"`
		Problem     string `json:"problem"`
		Where       string `json:"where"`
		Mode        string `json:"mode"`
		Since       *struct {
			Seq       int64  `json:"seq"`
			CreatedAt string `json:"created_at"`
		} `json:"since"`
	}
	path := "/v1/audit/verify"
	if c.Query("full") != "" {
		path += "?full=true"
	}
	start := time.Now()
	if err := s.k.Get(c, path, &r); err != nil {
		s.k.Refuse(c, err)
		return
	}
	took := time.Since(start)
	page := &verifyPage{OK: r.OK, Checked: r.Checked, Transfers: r.Transfers,
		Checkpoints: r.Checkpoints, Seals: r.Seals, Attachments: r.Attachments, Head: r.Head, Problem: r.Problem, Where: r.Where,
		Took: fmt.Sprintf("%.3f 秒", took.Seconds()), Full: r.Mode != "since_checkpoint"}
	if r.Since != nil {
		page.Since = fmt.Sprintf("第 %d 号（%s）", r.Since.Seq, r.Since.CreatedAt)
	}
	s.k.Render(c, http.StatusOK, "audit-verify", "防篡改校验", page)
}
