package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"

	"renofund/internal/errs"
	"renofund/internal/field"
)

// errIrregular sends a body the quick check does not vouch for (malformed
// JSON, an object with very many keys) to CheckKeys, which gives the exact
// answer the API has always given.
var errIrregular = errors.New("strictjson: irregular body")

// maxQuickKeys is the most keys one object may hold for the quick check,
// which compares each key with the ones before it in its object.
const maxQuickKeys = 64

// checker is the quick duplicate-key check: one pass over the bytes, no
// tokens, no map per object. Keys are kept as byte ranges of the body.
type checker struct {
	b      []byte
	i      int
	keys   []span // keys of the open objects, innermost last
	starts []int  // per open object or array: where its keys begin in keys (-1: an array)
}

type span struct {
	from, to int  // the key's bytes between its quotes
	plain    bool // ASCII without escapes: compared by ASCII case folding
}

// quickCheck does what CheckKeys does, in the same order, without
// allocating per value; errIrregular when it cannot tell.
func quickCheck(body []byte) error {
	c := checker{b: body, keys: make([]span, 0, 32), starts: make([]int, 0, 8)}
	c.space()
	if err := c.value(); err != nil {
		return err
	}
	c.space()
	if c.i != len(c.b) {
		return errIrregular // a second value: CheckKeys reads on
	}
	return nil
}

func (c *checker) space() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\r', '\n':
			c.i++
		default:
			return
		}
	}
}

func (c *checker) value() error {
	if c.i >= len(c.b) {
		return errIrregular
	}
	switch ch := c.b[c.i]; {
	case ch == '{':
		return c.object()
	case ch == '[':
		return c.array()
	case ch == '"':
		_, _, err := c.str()
		return err
	case ch == 't':
		return c.literal("true")
	case ch == 'f':
		return c.literal("false")
	case ch == 'n':
		return c.literal("null")
	case ch == '-' || ch >= '0' && ch <= '9':
		start := c.i
		for c.i < len(c.b) && isNumberByte(c.b[c.i]) {
			c.i++
		}
		if !json.Valid(c.b[start:c.i]) {
			return errIrregular
		}
		return nil
	}
	return errIrregular
}

func isNumberByte(ch byte) bool {
	return ch >= '0' && ch <= '9' || ch == '-' || ch == '+' || ch == '.' || ch == 'e' || ch == 'E'
}

func (c *checker) literal(word string) error {
	if len(c.b)-c.i < len(word) || string(c.b[c.i:c.i+len(word)]) != word {
		return errIrregular
	}
	c.i += len(word)
	return nil
}

func (c *checker) open() error {
	if len(c.starts) >= 32 {
		return fmt.Errorf("%w: nesting deeper than 32 levels", errs.ErrInvalidRequest)
	}
	return nil
}

func (c *checker) object() error {
	if err := c.open(); err != nil {
		return err
	}
	c.i++ // {
	first := len(c.keys)
	c.starts = append(c.starts, first)
	defer func() { c.starts = c.starts[:len(c.starts)-1]; c.keys = c.keys[:first] }()
	c.space()
	if c.i < len(c.b) && c.b[c.i] == '}' {
		c.i++
		return nil
	}
	for {
		c.space()
		if c.i >= len(c.b) || c.b[c.i] != '"' {
			return errIrregular
		}
		from, plain, err := c.str()
		if err != nil {
			return err
		}
		k := span{from + 1, c.i - 1, plain}
		if len(c.keys)-first >= maxQuickKeys {
			return errIrregular
		}
		for _, prev := range c.keys[first:] {
			if same, err := c.sameKey(prev, k); err != nil || same {
				if err != nil {
					return err
				}
				return fmt.Errorf("%w: key %q appears twice", errs.ErrInvalidRequest, c.folded(k))
			}
		}
		c.keys = append(c.keys, k)
		c.space()
		if c.i >= len(c.b) || c.b[c.i] != ':' {
			return errIrregular
		}
		c.i++
		c.space()
		if err := c.value(); err != nil {
			return err
		}
		if done, err := c.after('}'); done || err != nil {
			return err
		}
	}
}

func (c *checker) array() error {
	if err := c.open(); err != nil {
		return err
	}
	c.i++ // [
	c.starts = append(c.starts, -1)
	defer func() { c.starts = c.starts[:len(c.starts)-1] }()
	c.space()
	if c.i < len(c.b) && c.b[c.i] == ']' {
		c.i++
		return nil
	}
	for {
		c.space()
		if err := c.value(); err != nil {
			return err
		}
		if done, err := c.after(']'); done || err != nil {
			return err
		}
	}
}

// after reads what follows a member or an element: a comma (more to come)
// or the closer (done).
func (c *checker) after(closer byte) (done bool, err error) {
	c.space()
	if c.i >= len(c.b) {
		return false, errIrregular
	}
	switch c.b[c.i] {
	case ',':
		c.i++
		return false, nil
	case closer:
		c.i++
		return true, nil
	}
	return false, errIrregular
}

// str reads a string starting at its quote and checks it for control
// characters. plain reports printable ASCII without escapes.
func (c *checker) str() (from int, plain bool, err error) {
	from = c.i
	c.i++
	plain = true
	escaped, del := false, false
	for c.i < len(c.b) {
		ch := c.b[c.i]
		switch {
		case ch == '"':
			c.i++
			if escaped {
				// Escapes may spell a control character (\n, \u0001):
				// decode this one string and look.
				var s string
				if json.Unmarshal(c.b[from:c.i], &s) != nil {
					return 0, false, errIrregular
				}
				del = del || !field.Clean(s)
			}
			if del {
				return 0, false, fmt.Errorf("%w: a string holds a control character", errs.ErrInvalidRequest)
			}
			return from, plain, nil
		case ch == '\\':
			escaped, plain = true, false
			c.i += 2
			continue
		case ch < 0x20:
			return 0, false, errIrregular // not JSON
		case ch == 0x7f:
			del = true // refused once the string is whole, as CheckKeys does
		case ch >= 0x80:
			plain = false // the body is valid UTF-8 (Decode checked)
		}
		c.i++
	}
	return 0, false, errIrregular
}

// sameKey reports whether two keys name the same field as encoding/json
// matches names: ASCII case-insensitively, and by Unicode folding when
// either is not plain ASCII.
func (c *checker) sameKey(a, b span) (bool, error) {
	if a.plain && b.plain {
		x, y := c.b[a.from:a.to], c.b[b.from:b.to]
		if len(x) != len(y) {
			return false, nil
		}
		for i := range x {
			if lowerASCII(x[i]) != lowerASCII(y[i]) {
				return false, nil
			}
		}
		return true, nil
	}
	return c.folded(a) == c.folded(b), nil
}

func lowerASCII(ch byte) byte {
	if ch >= 'A' && ch <= 'Z' {
		return ch + 'a' - 'A'
	}
	return ch
}

// folded is a key unescaped and folded as CheckKeys folds it.
func (c *checker) folded(k span) string {
	var s string
	if json.Unmarshal(c.b[k.from-1:k.to+1], &s) != nil {
		s = string(c.b[k.from:k.to])
	}
	return foldKey(s)
}
