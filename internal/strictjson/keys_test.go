package strictjson

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// quickCases are bodies on which the quick check must agree with CheckKeys.
var quickCases = []string{
	`{}`, `[]`, `{"a":1}`, `{"a":1,"A":2}`, `{"a":{"b":1,"b":2}}`, `{"a":[{"b":1},{"b":2}]}`,
	`{"items":[],"itemſ":[]}`, `{"\u0061":1,"a":2}`, `{"k":1,"\u212a":2}`, `{"a":"x\u0001"}`, `{"a":"x\n"}`,
	`{"a":"\"quoted\" \\ \/ \u4e2d"}`, "{\"a\":\"\x7f\"}", `{"a":tru}`, `{"a":true,"b":false,"c":null}`,
	`{"a":-1.5e+3,"b":0}`, `{"a":01}`, `{"a":1.}`, `{"a":"1"}{"a":"2"}`, `{"a":1,}`, `{"a" 1}`, `{"a":1`,
	`{"a":[1,2,]}`, `{"a":"x`, `{"名":1,"名":2}`, `{"Ab":1,"aB":2}`, `{"a":1} `, ` {"a":[ {"b" : "c" } ] } `,
	strings.Repeat("[", 32) + strings.Repeat("]", 32), strings.Repeat("[", 33) + strings.Repeat("]", 33),
	`{"x":` + strings.Repeat(`{"y":`, 31) + `1` + strings.Repeat("}", 31) + `}`,
	`{"x":` + strings.Repeat(`{"y":`, 32) + `1` + strings.Repeat("}", 32) + `}`,
	`{"a":1,"b":{"a":2},"c":[{"a":3,"b":4}],"a":5}`, `{"\ud800":1}`, `{"a\\":1,"a\\":2}`,
}

func manyKeys(n int, dup bool) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	if dup {
		b.WriteString(`,"k0":1`)
	}
	b.WriteString("}")
	return b.String()
}

func TestQuickCheckAgreesWithCheckKeys(t *testing.T) {
	cases := append(quickCases, manyKeys(10, true), manyKeys(200, false), manyKeys(200, true))
	for _, body := range cases {
		agree(t, []byte(body))
	}
}

func FuzzQuickCheck(f *testing.F) {
	for _, c := range quickCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, body []byte) { agree(t, body) })
}

// agree fails when the quick check answers and CheckKeys answers otherwise.
func agree(t *testing.T, body []byte) {
	t.Helper()
	quick := quickCheck(body)
	if errors.Is(quick, errIrregular) {
		return // CheckKeys answers
	}
	slow := CheckKeys(body)
	if (quick == nil) != (slow == nil) || quick != nil && quick.Error() != slow.Error() {
		t.Errorf("%q: quick check %v, CheckKeys %v", body, quick, slow)
	}
}
