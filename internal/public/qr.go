package public

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/yeqown/go-qrcode/v2"
)

// quietZone is the blank margin around a QR code, in modules, that readers
// need to find it (ISO/IEC 18004 asks for four).
const quietZone = 4

// QRCode draws text (a page's address) as a QR code in inline SVG: a white
// square and one black path, one rectangle per horizontal run of dark
// modules, with crisp edges at any print size. Error correction is level M
// (15%), which survives a creased or smudged paper notice. The SVG is made
// here from the encoder's module matrix, so it carries no script, no style
// and nothing from the request but the encoded text.
func QRCode(text string) (template.HTML, error) {
	q, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return "", fmt.Errorf("public: QR code of %q: %w", text, err)
	}
	var m modules
	if err := q.Save(&m); err != nil {
		return "", fmt.Errorf("public: QR code of %q: %w", text, err)
	}
	n := len(m.dark) + 2*quietZone
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="本页二维码" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range m.dark {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+quietZone, y+quietZone, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil // numbers and fixed markup only
}

// modules receives the encoder's matrix: dark[y][x] is a dark module.
type modules struct{ dark [][]bool }

// Write keeps the matrix (qrcode.Writer).
func (m *modules) Write(mat qrcode.Matrix) error {
	m.dark = mat.Bitmap()
	return nil
}

// Close has nothing to close (qrcode.Writer).
func (m *modules) Close() error { return nil }
