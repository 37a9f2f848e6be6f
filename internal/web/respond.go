package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"renofund/internal/errs"
	"renofund/internal/sheet"
	"renofund/internal/strictjson"
)

// MaxBody is the largest request body accepted on JSON routes.
const MaxBody = 1 << 20

var statusOf = map[errs.Kind]int{
	errs.Internal:        http.StatusInternalServerError,
	errs.Invalid:         http.StatusBadRequest,
	errs.Unauthenticated: http.StatusUnauthorized,
	errs.Forbidden:       http.StatusForbidden,
	errs.NotFound:        http.StatusNotFound,
	errs.Conflict:        http.StatusConflict,
	errs.TooLarge:        http.StatusRequestEntityTooLarge,
	errs.Rule:            http.StatusUnprocessableEntity,
	errs.RateLimited:     http.StatusTooManyRequests,
	errs.Unavailable:     http.StatusServiceUnavailable,
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
	// Rows lists every bad row of a refused import.
	Rows []sheet.LineError `json:"rows,omitempty"`
}

// errorResponse is the one place where an error becomes a status and a body.
// Internal errors are logged with the request id and answered without detail.
func (s *Server) errorResponse(c *gin.Context, err error) (int, errorBody) {
	err = s.DB.Translate(err) // a database that cannot be reached is 503, whichever path met it
	e := errs.Classify(err)
	msg := err.Error()
	if e.Kind == errs.Internal {
		s.log.Error("internal error", "request_id", RequestID(c), "route", c.FullPath(), "err", err)
		msg = "internal error"
	}
	if e.Kind == errs.Unavailable {
		s.log.Warn("database unavailable", "request_id", RequestID(c), "err", err)
		msg = e.Message
	}
	body := errorBody{errorDetail{Code: e.Code, Message: msg, RequestID: RequestID(c)}}
	var re *sheet.LineErrors
	if errors.As(err, &re) {
		body.Error.Rows = re.Rows
	}
	return statusOf[e.Kind], body
}

// Fail answers the error (see errorResponse) and stops the handler chain.
func (s *Server) Fail(c *gin.Context, err error) {
	status, body := s.errorResponse(c, err)
	s.metrics.refusals.WithLabelValues(body.Error.Code).Inc()
	c.Set(ctxErrorCode, body.Error.Code)
	c.Abort()
	if c.GetBool(ctxPage) && s.PageFail != nil {
		s.PageFail(c, status, body.Error.Code, body.Error.Message)
		return
	}
	SendJSON(c, status, body)
}

// Decode reads a JSON body strictly: one object, known fields only, valid
// UTF-8, no duplicate keys, amounts as strings. Every failure is a 400 (or
// 413) with a stable code.
func Decode(c *gin.Context, dst any) error {
	body, err := ReadBody(c)
	if err != nil {
		return err
	}
	return strictjson.Decode(body, dst)
}

// ReadBody reads the request body once (a second call gets the same bytes),
// refusing one over the route's limit with 413.
func ReadBody(c *gin.Context) ([]byte, error) {
	if b, ok := c.Get(ctxBody); ok {
		return b.([]byte), nil
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fmt.Errorf("%w: the limit is %d bytes", errs.ErrTooLarge, mbe.Limit)
		}
		return nil, fmt.Errorf("%w: reading body: %v", errs.ErrInvalidRequest, err)
	}
	c.Set(ctxBody, body)
	return body, nil
}

// List is the shape of every list response.
type List[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}

// NewList makes a page: the cursor of its last item is the next page's
// after, when the page is full.
func NewList[T any](items []T, limit int, cursor func(T) string) List[T] {
	if items == nil {
		items = []T{}
	}
	l := List[T]{Items: items}
	if len(items) == limit && limit > 0 {
		n := cursor(items[len(items)-1])
		l.Next = &n
	}
	return l
}

// Listed answers a paged list: it reads ?limit= and ?after=, asks fetch for
// that page (fetch reads the route's own filters from c) and sends it with
// the cursor of its last item when the page is full.
func Listed[T any](s *Server, fetch func(c *gin.Context, after string, limit int) ([]T, error), cursor func(T) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		after, limit, err := Paging(c)
		if err != nil {
			s.Fail(c, err)
			return
		}
		items, err := fetch(c, after, limit)
		if err != nil {
			s.Fail(c, err)
			return
		}
		SendJSON(c, http.StatusOK, NewList(items, limit, cursor))
	}
}

// SendJSON writes v as JSON followed by a newline (pleasant in a terminal).
func SendJSON(c *gin.Context, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Data(status, "application/json; charset=utf-8", append(b, '\n'))
}

// Paging reads ?limit= (default 100, at most 1000) and ?after=.
func Paging(c *gin.Context) (string, int, error) {
	limit := 100
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return "", 0, fmt.Errorf("%w: limit must be an integer from 1 to 1000", errs.ErrInvalidRequest)
		}
		limit = n
	}
	return c.Query("after"), limit, nil
}

// Create decodes a JSON body into In and runs a state-changing call in a
// write transaction (see Write); fn returns the response, how many ledger
// transfers it posted (for the metrics) and any refusal.
func Create[In any](s *Server, status int, fn func(ctx context.Context, in In) (any, int, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in In
		if err := Decode(c, &in); err != nil {
			s.Fail(c, err)
			return
		}
		s.Write(c, status, func(ctx context.Context) (any, int, error) { return fn(ctx, in) })
	}
}

// Respond answers 200 with v, or the error.
func Respond[T any](s *Server, c *gin.Context, v T, err error) {
	if err != nil {
		s.Fail(c, err)
		return
	}
	SendJSON(c, http.StatusOK, v)
}
