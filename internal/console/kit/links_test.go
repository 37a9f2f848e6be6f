package kit_test

import (
	"testing"

	"renofund/internal/console/kit"
)

// TestLinkAnyField: a link column's path takes any field of its row, shown
// as a column or not, escaped as a path segment.
func TestLinkAnyField(t *testing.T) {
	spec := kit.ListSpec{Cols: []kit.Column{{Key: "voucher_no", Label: "凭证号", Kind: kit.Link, Href: "/console/transfers/{id}"},
		{Key: "payee.name", Label: "收款人", Kind: kit.Link, Href: "/console/payees/{payee.id}?of={voucher_no}"}}}
	v := spec.View([]map[string]any{{"id": "a b/c", "voucher_no": "2026-1", "payee": map[string]any{"id": "p1", "name": "公司"}}})
	got := v.Rows[0]
	if got[0].Text != "2026-1" || got[0].Href != "/console/transfers/a%20b%2Fc" {
		t.Errorf("id link: %+v", got[0])
	}
	if got[1].Text != "公司" || got[1].Href != "/console/payees/p1?of=2026-1" {
		t.Errorf("nested link: %+v", got[1])
	}
}

// TestLabelHolders: holders of money are named in Chinese with their code;
// other codes with a colon are left as they are.
func TestLabelHolders(t *testing.T) {
	for in, want := range map[string]string{"city": "市级", "district:HZ": "区县 HZ", "project:HZ-001": "项目 HZ-001",
		"idle_money:district:HZ": "idle_money:district:HZ", "external": "账外", "subsidy_payment": "物业补贴支付"} {
		if got := kit.Label(in); got != want {
			t.Errorf("Label(%q) = %q, want %q", in, got, want)
		}
	}
}
