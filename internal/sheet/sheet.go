// Package sheet holds what the service knows about spreadsheet files. Coming
// in, it reads amounts and dates from CSV and XLSX cells (one parser for
// receipt imports and bank statements alike) and refuses a file with every
// bad line listed (LineErrors). Going out, it keeps text in CSV or XLSX files
// from being run by a spreadsheet (CSV injection, CWE-1236).
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
