// Package strictjson reads request bodies the strict way the API promises:
// a body is one JSON object, and anything a lenient decoder would quietly
// accept (a key named twice, a field it does not know, a number where an
// amount string belongs, a control character) is refused with a stable code.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"renofund/internal/errs"
	"renofund/internal/field"
	"renofund/internal/money"
)

// Decode reads body into dst strictly: one JSON object, valid UTF-8,
// without control characters in strings, known fields only, no key named
// twice at any depth, nesting at most 32 deep, amounts (money.Amount) as
// strings. Every failure is classified: errs.ErrInvalidAmount for an
// amount, errs.ErrInvalidRequest for the rest.
func Decode(body []byte, dst any) error {
	if !utf8.Valid(body) {
		return fmt.Errorf("%w: body is not valid UTF-8", errs.ErrInvalidRequest)
	}
	// encoding/json treats a top-level null as nothing to do; a body must be
	// one JSON object.
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] != '{' {
		return fmt.Errorf("%w: body must be a JSON object", errs.ErrInvalidRequest)
	}
	// One quick pass over the bytes checks keys, depth and control
	// characters; a body it cannot vouch for goes through CheckKeys, which
	// names the fault as it always has.
	if err := quickCheck(body); errors.Is(err, errIrregular) {
		if err := CheckKeys(body); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return classifyDecode(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: body must hold exactly one JSON object", errs.ErrInvalidRequest)
	}
	return nil
}

func classifyDecode(err error) error {
	if errors.Is(err, money.ErrInvalid) {
		return fmt.Errorf("%w: %s", errs.ErrInvalidAmount, strings.TrimPrefix(err.Error(), money.ErrInvalid.Error()+": "))
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return fmt.Errorf("%w: field %q must be %s, got %s", errs.ErrInvalidRequest, ute.Field, ute.Type, ute.Value)
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field") {
		return fmt.Errorf("%w: %s", errs.ErrInvalidRequest, strings.TrimPrefix(msg, "json: "))
	}
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: empty body", errs.ErrInvalidRequest)
	}
	return fmt.Errorf("%w: malformed JSON: %s", errs.ErrInvalidRequest, strings.TrimPrefix(msg, "json: "))
}

// CheckKeys refuses an object that names a key twice at any depth:
// encoding/json would silently keep the last, and a reviewer reading the raw
// request would see a different amount than the one booked. It also bounds
// nesting depth.
func CheckKeys(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct {
		obj  bool
		keys map[string]bool
		key  bool // next string token in an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return classifyDecode(err)
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if len(stack) >= 32 {
					return fmt.Errorf("%w: nesting deeper than 32 levels", errs.ErrInvalidRequest)
				}
				if top != nil && top.obj {
					top.key = true
				}
				stack = append(stack, &frame{obj: v == '{', keys: map[string]bool{}, key: true})
			default:
				stack = stack[:len(stack)-1]
			}
		default:
			if str, ok := v.(string); ok && !field.Clean(str) {
				return fmt.Errorf("%w: a string holds a control character", errs.ErrInvalidRequest)
			}
			if top != nil && top.obj {
				if top.key {
					// encoding/json matches field names case-insensitively,
					// so "amount" and "Amount" name the same field.
					k, _ := v.(string)
					k = foldKey(k)
					if top.keys[k] {
						return fmt.Errorf("%w: key %q appears twice", errs.ErrInvalidRequest, k)
					}
					top.keys[k] = true
					top.key = false
				} else {
					top.key = true
				}
			}
		}
	}
}

// foldKey folds a key the way encoding/json matches names to fields, where
// "ſ" matches "s" and the Kelvin sign matches "k".
func foldKey(k string) string {
	return strings.Map(func(r rune) rune { return unicode.ToUpper(unicode.ToLower(r)) }, k)
}
