package importer

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"

	"renofund/internal/errs"
	"renofund/internal/sheet"
)

// The codes a row error may carry: those of the single-receipt API.
var (
	codeInvalid = errs.ErrInvalidRequest.Code
	codeAmount  = errs.ErrInvalidAmount.Code
	codeCredit  = errs.ErrInvalidCredit.Code
)

// rejectsCSV writes the rejected rows with the file's own columns, then the
// row's line number and the reasons, so that they can be corrected and
// imported again (without the two added columns). It starts with a UTF-8
// byte-order mark, as spreadsheet programs expect.
func rejectsCSV(header []string, rejected []*row, problems [][]sheet.LineError) []byte {
	var buf bytes.Buffer
	buf.Write(bom)
	w := csv.NewWriter(&buf)
	_ = w.Write(append(append([]string{}, header...), "line", "reason"))
	for i, r := range rejected {
		cells := make([]string, len(header), len(header)+2)
		for k := range cells {
			if k < len(r.cells) {
				cells[k] = sheet.Cell(r.cells[k])
			}
		}
		reasons := make([]string, len(problems[i]))
		for k, p := range problems[i] {
			reasons[k] = p.Reason
			if p.Column != "" {
				reasons[k] = p.Column + ": " + p.Reason
			}
		}
		_ = w.Write(append(cells, strconv.Itoa(r.line), strings.Join(reasons, "; ")))
	}
	w.Flush()
	return buf.Bytes()
}
