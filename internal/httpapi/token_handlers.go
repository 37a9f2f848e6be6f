package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"renofund/internal/access"
	"renofund/internal/auth"
	"renofund/internal/errs"
)

type tokenIn struct {
	Role     string `json:"role"`
	District string `json:"district,omitempty"`
	Name     string `json:"name"`
	TTL      string `json:"ttl,omitempty"` // a Go duration, e.g. "720h"; empty: no expiry
}

// issuedToken carries the secret, shown this once and never stored.
type issuedToken struct {
	Token  *auth.Token `json:"token"`
	Secret string      `json:"secret"`
}

func (s *Server) issueToken(ctx context.Context, in tokenIn) (any, int, error) {
	role, err := access.ParseRole(in.Role)
	if err != nil {
		return nil, 0, err
	}
	var ttl time.Duration
	if in.TTL != "" {
		if ttl, err = time.ParseDuration(in.TTL); err != nil || ttl <= 0 || ttl > 10*365*24*time.Hour {
			return nil, 0, fmt.Errorf("%w: ttl must be a duration such as 720h, at most ten years", errs.ErrInvalidRequest)
		}
	}
	secret, tok, err := s.Tokens.Issue(ctx, role, in.District, in.Name, ttl)
	if err != nil {
		return nil, 0, err
	}
	return issuedToken{Token: tok, Secret: secret}, 0, nil
}

// revokeToken ends a token, its audit event stored with it. The cache is
// dropped again once the revocation has committed: a request may have read
// the token while it was not yet. A revocation repeated answers the same
// token, so a retry needs no key.
func (s *Server) revokeToken(c *gin.Context) {
	id := c.Param("id")
	s.Write(c, http.StatusOK, func(ctx context.Context) (any, int, error) {
		t, err := s.Tokens.RevokeID(ctx, id)
		return t, 0, err
	})
	s.Tokens.Forget()
}
