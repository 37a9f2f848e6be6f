// Package sheet keeps text that leaves the service in CSV or XLSX files from
// being run by a spreadsheet (CSV injection, CWE-1236).
package sheet

import "strings"

// Cell defuses text that a spreadsheet would read as a formula: a cell
// starting with = + - @ or a tab or carriage return gets a leading
// apostrophe, which spreadsheets show as text and do not display.
func Cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
