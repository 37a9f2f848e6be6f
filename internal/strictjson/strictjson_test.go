package strictjson_test

import (
	"errors"
	"testing"

	"renofund/internal/errs"
	"renofund/internal/money"
	"renofund/internal/strictjson"
)

type body struct {
	Name   string       `json:"name"`
	Amount money.Amount `json:"amount"`
	Items  []struct {
		Code string `json:"code"`
	} `json:"items,omitempty"`
}

func TestDecode(t *testing.T) {
	deep := ""
	for range 33 {
		deep += "["
	}
	for range 33 {
		deep += "]"
	}
	cases := []struct {
		name, body string
		want       error // nil: accepted
	}{
		{"an object", `{"name":"甲","amount":"12.50"}`, nil},
		{"nested keys may repeat across objects", `{"name":"a","amount":"1","items":[{"code":"x"},{"code":"y"}]}`, nil},
		{"amount as a number", `{"name":"a","amount":12.5}`, errs.ErrInvalidAmount},
		{"three decimals", `{"name":"a","amount":"1.005"}`, errs.ErrInvalidAmount},
		{"unknown field", `{"name":"a","amount":"1","admin":true}`, errs.ErrInvalidRequest},
		{"key twice", `{"name":"a","name":"b","amount":"1"}`, errs.ErrInvalidRequest},
		{"key twice in another case", `{"name":"a","NAME":"b","amount":"1"}`, errs.ErrInvalidRequest},
		{"key twice as encoding/json folds it (ſ is s)", `{"name":"a","amount":"1","items":[],"itemſ":[]}`, errs.ErrInvalidRequest},
		{"key twice in a nested object", `{"name":"a","amount":"1","items":[{"code":"x","code":"y"}]}`, errs.ErrInvalidRequest},
		{"control character", "{\"name\":\"a\\u0001\",\"amount\":\"1\"}", errs.ErrInvalidRequest},
		{"invalid UTF-8", "{\"name\":\"\xff\",\"amount\":\"1\"}", errs.ErrInvalidRequest},
		{"null", `null`, errs.ErrInvalidRequest},
		{"an array", `[{"name":"a","amount":"1"}]`, errs.ErrInvalidRequest},
		{"two objects", `{"name":"a","amount":"1"}{"name":"b","amount":"1"}`, errs.ErrInvalidRequest},
		{"empty", ``, errs.ErrInvalidRequest},
		{"truncated", `{"name":"a"`, errs.ErrInvalidRequest},
		{"33 levels", `{"name":"a","amount":"1","x":` + deep + `}`, errs.ErrInvalidRequest},
		{"wrong type", `{"name":1,"amount":"1"}`, errs.ErrInvalidRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b body
			err := strictjson.Decode([]byte(c.body), &b)
			if c.want == nil && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
		})
	}
}
