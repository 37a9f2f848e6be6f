package dashboard

import (
	"strings"
	"testing"

	"golang.org/x/image/math/fixed"
)

// advance is the width the chart library measures s at, in font units.
func advance(s string) int {
	w := 0
	for _, r := range s {
		w += int(measure.font.HMetric(fixed.Int26_6(measure.font.FUnitsPerEm()), measure.font.Index(r)).AdvanceWidth)
	}
	return w
}

// TestWiden: Chinese text is padded to the width a CJK font draws it at (an
// em a character), to within half a space; Latin text is left alone.
func TestWiden(t *testing.T) {
	for _, c := range []struct {
		s   string
		cjk int // characters the library's font lacks
	}{{"海州区", 3}, {"连云港经济技术开发区", 10}, {"10月", 1}, {"万元", 2}} {
		got := widen(c.s)
		if !strings.HasPrefix(got, c.s) || strings.TrimRight(got, " ") != c.s {
			t.Errorf("widen(%q) = %q: not the text and spaces", c.s, got)
		}
		want := advance(c.s) + c.cjk*(measure.em-measure.missing)
		if d := advance(got) - want; d > measure.space/2 || d < -measure.space/2 {
			t.Errorf("widen(%q) measures %d, want %d ± %d", c.s, advance(got), want, measure.space/2)
		}
	}
	for _, s := range []string{"", "1,000", "33.33%", "Q3"} {
		if got := widen(s); got != s {
			t.Errorf("widen(%q) = %q, want it unchanged", s, got)
		}
	}
}

// TestChartSVG: a chart is one SVG named for screen readers, its text in
// CJK fonts (no trace of the library's Latin font), and text from the
// data escaped, however hostile.
func TestChartSVG(t *testing.T) {
	hostile := `<script>alert("x")</script>`
	for name, draw := range map[string]func() (string, error){
		"stacked bars": func() (string, error) {
			h, err := barChart{Label: `资金 "来源" <b>`, Categories: []string{"海州区", hostile}, Horizontal: true, Stacked: true,
				Series: []series{{"中央补助资金", []float64{1, 2}}, {hostile, []float64{3, 4}}}, Width: wide, Height: 300}.svg()
			return string(h), err
		},
		"percent bars": func() (string, error) {
			h, err := barChart{Label: "进度", Categories: []string{"海州区", "连云区"}, Horizontal: true, Percent: true,
				Series: []series{{"支出进度", []float64{33.33, 100}}}, Width: narrow, Height: 200}.svg()
			return string(h), err
		},
		"count bars": func() (string, error) {
			h, err := barChart{Label: "异常", Categories: []string{"资金闲置"}, Count: true,
				Series: []series{{"待处理", []float64{3}}}, Width: narrow, Height: 200}.svg()
			return string(h), err
		},
		"lines": func() (string, error) {
			h, err := lineChart{Label: "逐月", Categories: []string{"1月", "2月", "3月"},
				Series: []series{{"到账", []float64{1, 2, 3}}, {"支出", []float64{0, 1, 0}}}, Width: narrow, Height: 300}.svg()
			return string(h), err
		},
	} {
		svg, err := draw()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.HasPrefix(svg, `<svg class="chart" role="img" aria-label="`) || strings.Count(svg, "<svg") != 1 ||
			!strings.HasSuffix(strings.TrimSpace(svg), "</svg>") {
			t.Errorf("%s: not one labelled SVG: %.200s", name, svg)
		}
		if strings.Contains(svg, "Roboto") || !strings.Contains(svg, "font-family:"+cjkFonts) {
			t.Errorf("%s: text not in CJK fonts", name)
		}
		if strings.Contains(svg, "<script") || strings.Contains(svg, "<b>") {
			t.Errorf("%s: unescaped markup in %s", name, svg)
		}
	}
	h, _ := barChart{Label: `资金 "来源" <b>`, Categories: []string{hostile}, Series: []series{{"x", []float64{1}}}, Width: wide, Height: 200}.svg()
	if !strings.Contains(string(h), `aria-label="资金 &#34;来源&#34; &lt;b&gt;"`) || !strings.Contains(string(h), "&lt;script&gt;") {
		t.Errorf("label or category not escaped: %.300s", h)
	}
	p, _ := barChart{Label: "进度", Categories: []string{"海州区"}, Horizontal: true, Percent: true,
		Series: []series{{"支出进度", []float64{33.33}}}, Width: narrow, Height: 200}.svg()
	if !strings.Contains(string(p), ">33.33%<") || !strings.Contains(string(p), ">100%<") {
		t.Errorf("a rate's label or the axis' end missing: %s", p)
	}
}

// TestStep: counts are labelled at round intervals, about four to an axis.
func TestStep(t *testing.T) {
	for _, c := range []struct {
		bars [][]float64
		want float64
	}{
		{[][]float64{{390, 3}, {5, 0}}, 100}, {[][]float64{{3}}, 1}, {[][]float64{{0}}, 1}, {nil, 1},
		{[][]float64{{7, 1}}, 2}, {[][]float64{{18}, {1}}, 5}, {[][]float64{{1191}}, 500},
	} {
		var ss []series
		for _, v := range c.bars {
			ss = append(ss, series{Values: v})
		}
		if got := step(ss); got != c.want {
			t.Errorf("step(%v) = %v, want %v", c.bars, got, c.want)
		}
	}
}

// TestTicks: axis labels in 万元 with separators, counts whole, rates to
// two decimals.
func TestTicks(t *testing.T) {
	for _, c := range []struct {
		f    func(float64) string
		v    float64
		want string
	}{
		{wanTick, 0, "0"}, {wanTick, 2.5, "2.5"}, {wanTick, 12345, "12,345"}, {wanTick, 1234567.4, "1,234,567"}, {wanTick, -2000, "-2,000"},
		{countTick, 0, "0"}, {countTick, 2.5, ""}, {countTick, 1000, "1,000"},
		{percentTick, 33.333, "33.33%"}, {percentTick, 100, "100.00%"},
	} {
		if got := c.f(c.v); got != c.want {
			t.Errorf("tick(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}
