package public_test

import (
	"image"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"renofund/internal/public"
)

var (
	svgBox = regexp.MustCompile(`<svg [^>]*viewBox="0 0 (\d+) (\d+)"`)
	svgRun = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
	// handler is an HTML or SVG event-handler attribute (onload=…).
	handler = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
)

// decodeQR reads the first QR code drawn as SVG in html back into its text
// with an independent reader (ZXing's port): the SVG's runs are painted on a
// bitmap, eight pixels a module, and decoded.
func decodeQR(t *testing.T, html string) string {
	t.Helper()
	start, end := strings.Index(html, "<svg"), strings.Index(html, "</svg>")
	if start < 0 || end < start {
		t.Fatalf("no SVG in %.200q", html)
	}
	svg := html[start:end]
	box := svgBox.FindStringSubmatch(svg)
	if box == nil || box[1] != box[2] {
		t.Fatalf("no square viewBox in %.200q", svg)
	}
	n, _ := strconv.Atoi(box[1])
	const scale = 8
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	runs := svgRun.FindAllStringSubmatch(svg, -1)
	if len(runs) == 0 {
		t.Fatalf("no dark modules in %.200q", svg)
	}
	for _, r := range runs {
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		w, _ := strconv.Atoi(r[3])
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+w)*scale; px++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode the QR code: %v", err)
	}
	return res.GetText()
}

// TestQRCodeRoundTrip: what QRCode draws reads back as the text it was
// given, for short and long addresses, and the SVG is nothing but shapes.
func TestQRCodeRoundTrip(t *testing.T) {
	for _, text := range []string{
		"http://127.0.0.1:8080/public/projects/HZ-001",
		"https://gaizao.lyg.gov.cn/public/projects/KFQ-103",
		"https://renovation.finance.example.gov.cn:8443/public/projects/" + strings.Repeat("X", 120),
	} {
		svg, err := public.QRCode(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if got := decodeQR(t, string(svg)); got != text {
			t.Errorf("QR code of %q reads %q", text, got)
		}
		for _, bad := range []string{"<script", "<style", "style=", "href", "<foreignObject"} {
			if strings.Contains(string(svg), bad) {
				t.Errorf("the SVG holds %q: %.200s", bad, svg)
			}
		}
		if handler.MatchString(string(svg)) {
			t.Errorf("the SVG holds an event handler: %.200s", svg)
		}
		if len(svg) > 20_000 {
			t.Errorf("the SVG of %q takes %d bytes", text, len(svg))
		}
	}
	if _, err := public.QRCode(strings.Repeat("x", 5000)); err == nil {
		t.Errorf("a text too long for a QR code was drawn")
	}
}
