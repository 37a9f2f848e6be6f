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
}

// verify says what verification checks and, asked to (?run=1, the page's
// button), runs GET /v1/audit/verify and shows its result in Chinese with
// the time it took. On a whole city it takes seconds, so opening the page
// does not start it.
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
	}
	start := time.Now()
	if err := s.k.Get(c, "/v1/audit/verify", &r); err != nil {
		s.k.Refuse(c, err)
		return
	}
	took := time.Since(start)
	s.k.Render(c, http.StatusOK, "audit-verify", "防篡改校验", &verifyPage{OK: r.OK, Checked: r.Checked, Transfers: r.Transfers,
		Checkpoints: r.Checkpoints, Seals: r.Seals, Attachments: r.Attachments, Head: r.Head, Problem: r.Problem, Where: r.Where,
		Took: fmt.Sprintf("%.3f 秒", took.Seconds())})
}
