package sheet

import "testing"

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+cmd": "'+cmd", "-1+1": "'-1+1", "@SUM(1)": "'@SUM(1)",
		"\t=1": "'\t=1", "海州区": "海州区", "": "", "a=b": "a=b",
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}
