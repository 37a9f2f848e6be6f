package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

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
		s.log.Error("internal error", "request_id", requestID(c), "route", c.FullPath(), "err", err)
		msg = "internal error"
	}
	if e.Kind == errs.Unavailable {
		s.log.Warn("database unavailable", "request_id", requestID(c), "err", err)
		msg = e.Message
	}
	body := errorBody{errorDetail{Code: e.Code, Message: msg, RequestID: requestID(c)}}
	var re *sheet.LineErrors
	if errors.As(err, &re) {
		body.Error.Rows = re.Rows
	}
	return statusOf[e.Kind], body
}

func (s *Server) fail(c *gin.Context, err error) {
	status, body := s.errorResponse(c, err)
	s.metrics.refusals.WithLabelValues(body.Error.Code).Inc()
	c.Set(ctxErrorCode, body.Error.Code)
	c.Abort()
	sendJSON(c, status, body)
}

// decode reads a JSON body strictly: one object, known fields only, valid
// UTF-8, no duplicate keys, amounts as strings. Every failure is a 400 (or
// 413) with a stable code.
func decode(c *gin.Context, dst any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return strictjson.Decode(body, dst)
}

func readBody(c *gin.Context) ([]byte, error) {
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

// list is the shape of every list response.
type list[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}

func newList[T any](items []T, limit int, cursor func(T) string) list[T] {
	if items == nil {
		items = []T{}
	}
	l := list[T]{Items: items}
	if len(items) == limit && limit > 0 {
		n := cursor(items[len(items)-1])
		l.Next = &n
	}
	return l
}

// listed answers a paged list: it reads ?limit= and ?after=, asks fetch for
// that page (fetch reads the route's own filters from c) and sends it with
// the cursor of its last item when the page is full.
func listed[T any](s *Server, fetch func(c *gin.Context, after string, limit int) ([]T, error), cursor func(T) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		after, limit, err := paging(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		items, err := fetch(c, after, limit)
		if err != nil {
			s.fail(c, err)
			return
		}
		sendJSON(c, http.StatusOK, newList(items, limit, cursor))
	}
}

// sendJSON writes v as JSON followed by a newline (pleasant in a terminal).
func sendJSON(c *gin.Context, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Data(status, "application/json; charset=utf-8", append(b, '\n'))
}
