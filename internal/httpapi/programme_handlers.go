package httpapi

import (
	"context"

	"github.com/gin-gonic/gin"

	"renofund/funding/programme"
	"renofund/internal/web"
)

// onKey answers a read of the object the path parameter param names.
func onKey[Out any](s *Server, param string, fn func(ctx context.Context, key string) (Out, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		v, err := fn(c.Request.Context(), c.Param(param))
		web.Respond(s.Server, c, v, err)
	}
}

// programmeView is the answer of GET /v1/programme: each plan year.
type programmeView struct {
	Years []programme.YearView `json:"years"`
}

func (s *Server) getProgramme(c *gin.Context) {
	ys, err := s.Programme.Programme(c.Request.Context(), c.Query("year"))
	web.Respond(s.Server, c, programmeView{Years: ys}, err)
}

func (s *Server) listArrears(c *gin.Context, after string, limit int) ([]programme.Contribution, error) {
	return s.Programme.Arrears(c.Request.Context(), programme.ArrearsFilter{District: c.Query("district"), After: after, Limit: limit})
}
