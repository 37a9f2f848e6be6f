package dashboard

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/go-analyze/charts"
	"github.com/golang/freetype/truetype"
	"golang.org/x/image/math/fixed"

	"renofund/internal/money"
)

// The charts are drawn by go-analyze/charts as SVG and embedded in the page;
// the browser draws their text with its own fonts. Two things adapt the
// library's output to Chinese text:
//
//   - the library writes its embedded Latin font (Roboto) as each text's
//     font-family; finish replaces it with a list of CJK fonts, so Chinese
//     labels use the fonts the rest of the page uses;
//   - the library lays text out by measuring it with that Latin font, which
//     has no Chinese glyphs and counts each Chinese character as its narrow
//     "missing glyph" (under half an em), while every CJK font draws it one
//     em wide; widen pads such text with spaces (which the browser does not
//     draw at the end of a text) so that legends, axes and labels are given
//     the room the browser will take.
const (
	// wide and narrow are the widths charts are drawn at: a chart across
	// the page, and one of two side by side. The browser scales them to
	// their panels; drawn near that size, their text stays at the page's.
	wide, narrow = 1200, 600
	// cjkFonts are the fonts chart text asks for: those of the page
	// (console.css) first, then any sans-serif.
	cjkFonts = `'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei',sans-serif`
)

// metrics are what widen knows of the library's font: advances in its
// font units, and the font-family the library writes for it.
type metrics struct {
	font               *truetype.Font
	em, missing, space int
	latinFamily        string
}

// measure is the library's default font, which every chart here uses.
var measure = func() metrics {
	f := charts.GetDefaultFont()
	adv := func(i truetype.Index) int { return int(f.HMetric(fixed.Int26_6(f.FUnitsPerEm()), i).AdvanceWidth) }
	return metrics{font: f, em: int(f.FUnitsPerEm()), missing: adv(0), space: adv(f.Index(' ')),
		latinFamily: "font-family:'" + f.Name(truetype.NameIDFontFamily) + "',sans-serif"}
}()

// widen pads s with trailing spaces for the width its characters lack in
// the library's measure (see above).
func widen(s string) string {
	short := 0
	for _, r := range s {
		if measure.font.Index(r) == 0 {
			short += measure.em - measure.missing
		}
	}
	n := (short + measure.space/2) / measure.space
	return s + strings.Repeat(" ", n)
}

// widenAll widens every string of ss.
func widenAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = widen(s)
	}
	return out
}

// palette has a colour for each of the eighteen fund kinds: ECharts' nine,
// then nine more of the same lightness.
var palette = charts.MakeTheme(charts.ThemeOption{
	AxisStrokeColor:    charts.Color{R: 110, G: 112, B: 121, A: 255},
	AxisSplitLineColor: charts.Color{R: 224, G: 230, B: 242, A: 255},
	BackgroundColor:    charts.ColorWhite,
	TextColor:          charts.Color{R: 31, G: 41, B: 51, A: 255},
	SeriesColors: []charts.Color{
		{R: 84, G: 112, B: 198, A: 255}, {R: 145, G: 204, B: 117, A: 255}, {R: 250, G: 200, B: 88, A: 255},
		{R: 238, G: 102, B: 102, A: 255}, {R: 115, G: 192, B: 222, A: 255}, {R: 59, G: 162, B: 114, A: 255},
		{R: 252, G: 132, B: 82, A: 255}, {R: 154, G: 96, B: 180, A: 255}, {R: 234, G: 124, B: 204, A: 255},
		{R: 96, G: 125, B: 139, A: 255}, {R: 188, G: 170, B: 60, A: 255}, {R: 46, G: 110, B: 160, A: 255},
		{R: 170, G: 90, B: 60, A: 255}, {R: 100, G: 190, B: 170, A: 255}, {R: 200, G: 60, B: 110, A: 255},
		{R: 140, G: 140, B: 140, A: 255}, {R: 120, G: 160, B: 60, A: 255}, {R: 90, G: 80, B: 170, A: 255},
	},
})

// series is one named row of a chart's values.
type series struct {
	Name   string
	Values []float64
}

// barChart is a bar chart to draw.
type barChart struct {
	Label      string // what the chart shows, for screen readers
	Categories []string
	Series     []series
	Horizontal bool
	Stacked    bool
	// Percent shows values as percentages (0 to 100) and labels each bar
	// with its value to two decimals; Count shows whole numbers; else the
	// values are amounts in 万元.
	Percent, Count bool
	Width, Height  int
}

// svg draws the chart.
func (b barChart) svg() (template.HTML, error) {
	values := make([][]float64, len(b.Series))
	names := make([]string, len(b.Series))
	for i, s := range b.Series {
		values[i], names[i] = s.Values, widen(s.Name)
	}
	opt := charts.NewBarChartOptionWithData(values)
	opt.Theme = palette
	opt.Horizontal = b.Horizontal
	opt.StackSeries = charts.Ptr(b.Stacked)
	opt.CategoryAxis.Labels = widenAll(b.Categories)
	opt.Legend.SeriesNames = names
	opt.Legend.Show = charts.Ptr(len(b.Series) > 1)
	opt.Padding = charts.NewBox(16, 16, 40, 8)
	axis := &opt.ValueAxis[0]
	switch {
	case b.Percent:
		opt.Padding.Right = 72 // room for "100.00%" beside the longest bar
		// Five labels, 25% apart: the library starts each label at its tick,
		// and moves the last one left to fit, so closer ones collide.
		axis.Min, axis.Max, axis.LabelCount = charts.Ptr(0.0), charts.Ptr(100.0), 5
		opt.ValueFormatter = func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) + "%" }
		for i := range opt.SeriesList {
			opt.SeriesList[i].Label = charts.SeriesLabel{Show: charts.Ptr(true), ValueFormatter: percentTick}
		}
	case b.Count:
		axis.Min, axis.Unit = charts.Ptr(0.0), step(b.Series)
		opt.ValueFormatter = countTick
	default:
		axis.Title = widen("万元")
		opt.ValueFormatter = wanTick
	}
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputSVG, Width: b.Width, Height: b.Height})
	if err := p.BarChart(opt); err != nil {
		return "", fmt.Errorf("bar chart %q: %w", b.Label, err)
	}
	return finish(p, b.Label)
}

// step is a round interval (1, 2 or 5 times a power of ten) that puts
// about four labels on an axis of counts up to the largest (stacked) bar.
func step(ss []series) float64 {
	var bars []float64
	for _, s := range ss {
		for i, v := range s.Values {
			if i == len(bars) {
				bars = append(bars, 0)
			}
			bars[i] += v
		}
	}
	top := 0.0
	for _, b := range bars {
		top = max(top, b)
	}
	for p := 1.0; ; p *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if m*p*4 >= top {
				return m * p
			}
		}
	}
}

// lineChart is a line chart over months (or any ordered categories); a
// missing value is charts.GetNullValue() and leaves a gap.
type lineChart struct {
	Label         string
	Categories    []string
	Series        []series
	Width, Height int
}

// svg draws the chart.
func (l lineChart) svg() (template.HTML, error) {
	values := make([][]float64, len(l.Series))
	names := make([]string, len(l.Series))
	for i, s := range l.Series {
		values[i], names[i] = s.Values, widen(s.Name)
	}
	opt := charts.NewLineChartOptionWithData(values)
	opt.Theme = palette
	opt.XAxis.Labels = widenAll(l.Categories)
	opt.XAxis.BoundaryGap = charts.Ptr(true)
	opt.XAxis.LabelCount = len(l.Categories) // every month: the library skips some otherwise
	opt.Legend.SeriesNames = names
	opt.Padding = charts.NewBox(16, 16, 40, 8)
	opt.YAxis[0].Title = widen("万元")
	opt.ValueFormatter = wanTick
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputSVG, Width: l.Width, Height: l.Height})
	if err := p.LineChart(opt); err != nil {
		return "", fmt.Errorf("line chart %q: %w", l.Label, err)
	}
	return finish(p, l.Label)
}

// finish takes the painter's SVG, names it for screen readers and asks for
// CJK fonts. The library escapes every text it writes, so the result is
// safe to embed in the page.
func finish(p *charts.Painter, label string) (template.HTML, error) {
	b, err := p.Bytes()
	if err != nil {
		return "", err
	}
	s := strings.ReplaceAll(string(b), measure.latinFamily, "font-family:"+cjkFonts)
	s = strings.Replace(s, "<svg ", `<svg class="chart" role="img" aria-label="`+html.EscapeString(label)+`" `, 1)
	return template.HTML(s), nil
}

// wan is an amount in 万元 for drawing: a bar's length, never a figure
// shown as a number (the tables under the charts give the exact amounts).
func wan(a money.Amount) float64 {
	return a.Decimal().Shift(-4).InexactFloat64()
}

// wanTick labels an axis of amounts in 万元: whole numbers with thousands
// separators, one decimal below 10.
func wanTick(v float64) string {
	if math.Abs(v) < 10 && v != math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return group(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
}

// countTick labels an axis of counts: whole numbers only.
func countTick(v float64) string {
	if v != math.Trunc(v) {
		return ""
	}
	return group(strconv.FormatFloat(v, 'f', 0, 64))
}

// percentTick labels a rate in percent with two decimals.
func percentTick(v float64) string {
	return strconv.FormatFloat(v, 'f', 2, 64) + "%"
}

// group puts thousands separators into a whole number's digits.
func group(digits string) string {
	sign := ""
	if strings.HasPrefix(digits, "-") {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return sign + b.String()
}
