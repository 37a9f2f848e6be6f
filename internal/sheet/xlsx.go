package sheet

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxRows is the most rows one worksheet holds, its header included.
const MaxRows = 1 << 20

// Workbook streams an XLSX workbook straight into a writer: each row is
// written to the zip as it comes, so a download starts at once and memory
// holds one row. (excelize's StreamWriter spills rows to a temporary file and
// zips the workbook only at the end, so nothing leaves before the last row.)
// The parts that describe the workbook go last; a zip's central directory
// lists them wherever they are. Text is written as inline strings, which a
// spreadsheet shows and never evaluates.
type Workbook struct {
	zw     *zip.Writer
	w      *bufio.Writer
	sheets []string
	rows   int // rows written to the current sheet
	cols   int
	buf    []byte
}

// NewWorkbook starts a workbook written to w.
func NewWorkbook(w io.Writer) *Workbook {
	return &Workbook{zw: zip.NewWriter(w)}
}

// Value is one cell of a row.
type Value struct {
	kind byte // 0 empty, 's' text, 'n' number, 'd' decimal shown with two places, 'b' boolean
	v    string
}

// Text is a text cell; empty text leaves the cell empty.
func Text(s string) Value {
	if s == "" {
		return Value{}
	}
	return Value{kind: 's', v: s}
}

// Int is a whole-number cell.
func Int(n int64) Value { return Value{kind: 'n', v: strconv.FormatInt(n, 10)} }

// Bool is a TRUE/FALSE cell.
func Bool(b bool) Value {
	if b {
		return Value{kind: 'b', v: "1"}
	}
	return Value{kind: 'b', v: "0"}
}

// Decimal is a number cell shown with two decimals (0.00). The value is
// written as the decimal string itself, never through a float; a caller
// passes only values a spreadsheet number holds exactly (15 digits).
func Decimal(s string) Value { return Value{kind: 'd', v: s} }

// Empty is an empty cell.
var Empty = Value{}

// Styles in styles.xml: 0 plain, 1 two decimals, 2 bold (headers).
const (
	styleDecimal = 1
	styleBold    = 2
)

// Sheet finishes the current worksheet, if any, and starts the next one
// with a bold, frozen header row.
func (b *Workbook) Sheet(name string, header []string) error {
	if err := b.endSheet(); err != nil {
		return err
	}
	b.sheets = append(b.sheets, name)
	f, err := b.zw.Create(fmt.Sprintf("xl/worksheets/sheet%d.xml", len(b.sheets)))
	if err != nil {
		return err
	}
	b.w = bufio.NewWriterSize(f, 64<<10)
	b.rows, b.cols = 0, len(header)
	b.w.WriteString(xmlHead + `<worksheet xmlns="` + nsMain + `"><sheetViews><sheetView workbookViewId="0">` +
		`<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>`)
	cells := make([]Value, len(header))
	for i, h := range header {
		cells[i] = Text(h)
	}
	return b.row(cells, styleBold)
}

// Rows is how many rows the current sheet holds, its header included.
func (b *Workbook) Rows() int { return b.rows }

// Row appends a row to the current sheet.
func (b *Workbook) Row(cells []Value) error {
	if b.w == nil {
		return fmt.Errorf("sheet: a row before the first sheet")
	}
	if b.rows >= MaxRows {
		return fmt.Errorf("sheet: %s is full (%d rows)", b.sheets[len(b.sheets)-1], MaxRows)
	}
	return b.row(cells, 0)
}

func (b *Workbook) row(cells []Value, style int) error {
	b.rows++
	r := strconv.Itoa(b.rows)
	buf := append(b.buf[:0], `<row r="`...)
	buf = append(buf, r...)
	buf = append(buf, `">`...)
	for i, c := range cells {
		if c.kind == 0 {
			continue
		}
		buf = append(buf, `<c r="`...)
		buf = appendColumn(buf, i)
		buf = append(buf, r...)
		buf = append(buf, '"')
		s := style
		if c.kind == 'd' {
			s = styleDecimal
		}
		if s != 0 {
			buf = append(buf, ` s="`...)
			buf = strconv.AppendInt(buf, int64(s), 10)
			buf = append(buf, '"')
		}
		switch c.kind {
		case 's':
			buf = append(buf, ` t="inlineStr"><is><t xml:space="preserve">`...)
			buf = appendEscaped(buf, c.v)
			buf = append(buf, `</t></is></c>`...)
		case 'b':
			buf = append(buf, ` t="b"><v>`...)
			buf = append(buf, c.v...)
			buf = append(buf, `</v></c>`...)
		default:
			buf = append(buf, `><v>`...)
			buf = append(buf, c.v...)
			buf = append(buf, `</v></c>`...)
		}
	}
	buf = append(buf, `</row>`...)
	b.buf = buf
	_, err := b.w.Write(buf)
	return err
}

func (b *Workbook) endSheet() error {
	if b.w == nil {
		return nil
	}
	b.w.WriteString(`</sheetData></worksheet>`)
	err := b.w.Flush()
	b.w = nil
	return err
}

// Close finishes the last sheet, writes the parts that describe the
// workbook and closes the zip. It does not close the underlying writer.
func (b *Workbook) Close() error {
	if err := b.endSheet(); err != nil {
		return err
	}
	if len(b.sheets) == 0 {
		return fmt.Errorf("sheet: a workbook needs a sheet")
	}
	var types, sheets, rels strings.Builder
	for i, name := range b.sheets {
		n := strconv.Itoa(i + 1)
		types.WriteString(`<Override PartName="/xl/worksheets/sheet` + n + `.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
		sheets.WriteString(`<sheet name="` + string(appendEscaped(nil, name)) + `" sheetId="` + n + `" r:id="rId` + n + `"/>`)
		rels.WriteString(`<Relationship Id="rId` + n + `" Type="` + nsRel + `/worksheet" Target="worksheets/sheet` + n + `.xml"/>`)
	}
	styles := strconv.Itoa(len(b.sheets) + 1)
	rels.WriteString(`<Relationship Id="rId` + styles + `" Type="` + nsRel + `/styles" Target="styles.xml"/>`)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
			types.String() + `</Types>`},
		{"_rels/.rels", `<Relationships xmlns="` + nsPkgRel + `"><Relationship Id="rId1" Type="` + nsRel +
			`/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>` + sheets.String() + `</sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="` + nsPkgRel + `">` + rels.String() + `</Relationships>`},
		{"xl/styles.xml", stylesXML},
	}
	for _, p := range parts {
		f, err := b.zw.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, xmlHead+p.body); err != nil {
			return err
		}
	}
	return b.zw.Close()
}

const (
	xmlHead  = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsMain   = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel    = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRel = "http://schemas.openxmlformats.org/package/2006/relationships"
)

// stylesXML: cell formats 0 plain, 1 built-in number format 2 ("0.00"),
// 2 bold font.
const stylesXML = `<styleSheet xmlns="` + nsMain + `">` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`

// appendColumn appends the column letters of index i (0 → A, 26 → AA).
func appendColumn(buf []byte, i int) []byte {
	if i >= 26 {
		buf = appendColumn(buf, i/26-1)
	}
	return append(buf, byte('A'+i%26))
}

// appendEscaped appends s escaped for XML text and attributes, dropping what
// XML 1.0 cannot carry (control characters other than tab and newlines,
// and invalid UTF-8).
func appendEscaped(buf []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r == '<':
			buf = append(buf, "&lt;"...)
		case r == '>':
			buf = append(buf, "&gt;"...)
		case r == '&':
			buf = append(buf, "&amp;"...)
		case r == '"':
			buf = append(buf, "&quot;"...)
		case r == '\t' || r == '\n' || r == '\r':
			buf = append(buf, "&#"...)
			buf = strconv.AppendInt(buf, int64(r), 10)
			buf = append(buf, ';')
		case r < 0x20 || r == utf8.RuneError || r == 0xFFFE || r == 0xFFFF:
		default:
			buf = utf8.AppendRune(buf, r)
		}
	}
	return buf
}
