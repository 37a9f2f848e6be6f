// Package audit gives auditors the fund trail and the trace of every yuan.
//
// # The trail: one row per money movement per fund
//
// A row is one leg of a transfer: the part of one voucher that moved one
// fund's money. Receipts, allocations and single-fund payments have one leg;
// an expenditure paid from three funds has three rows, one per fund, with the
// same voucher number. A leg's columns are the voucher's (number, period,
// date, type, parties as at payment, purpose, who recorded it and when, the
// reversal link, the transfer hash), the fund's (code, kind, direct flag,
// document number, budget subject) and the leg's own:
//
//   - from_holder is the credit side (贷方: where the money left) and
//     to_holder the debit side (借方: where it arrived); "external" is the
//     world outside the books, so a receipt runs external → holder and a
//     payment holder → external;
//   - amount is what the leg moved, in yuan with two decimals. A reversal is
//     a red-ink entry (红字冲销): it keeps the original's direction and carries
//     a negative amount, so sums over rows are net of corrections;
//   - from_/to_chain_seq and from_/to_posting_hash locate the leg's postings
//     in the holdings' hash chains (empty on the external side), so every row
//     can be checked against the tamper-evident ledger.
//
// Rows come in (fiscal_year, voucher_seq, fund) order, which makes gaps in
// the voucher numbers visible. Per fund, the amounts of receipt rows add up
// to what the fund received, those of expenditure and subsidy_payment rows
// to what it spent, and received − spent to what its holdings hold.
//
// The export is streamed: one ordered query over transfers joined to their
// postings is read with a cursor and each leg is written as soon as its last
// posting has been read, so memory does not grow with the number of rows.
// A district actor gets only its own district's rows.
//
// # Formats
//
//   - CSV: UTF-8, a header row of column names, RFC 4180 quoting. Text
//     cells that a spreadsheet would run as a formula (starting with = + - @,
//     tab or carriage return) get a leading apostrophe (CSVSafe); amounts and
//     numbers never do, so "-70000.00" stays a number.
//   - JSON Lines: one object per row with the same keys in the same order;
//     amounts are decimal strings as everywhere in the API, absent text and
//     the external side's chain positions are null.
//   - XLSX: sheet "trail" with a bold, frozen header row; text is written as
//     inline strings, which a spreadsheet never evaluates, so it is exact;
//     amounts are number cells formatted 0.00 (the exact decimal, below 10^13
//     yuan). Past the sheet limit of 1,048,576 rows the trail continues on
//     sheets trail_2, trail_3, …
//
// ExportDir writes all three from one read-only snapshot, with
// datapackage.json (Open Fiscal Data Package style: every column's type,
// Chinese and English title, description and constraints, and the fiscal
// model) and manifest.json (SHA-256, size and rows of every file, the filters,
// per-fund totals beside the ledger's own, and the checkpoint sealed just
// before the export).
//
// # The trace: which source paid for what
//
// Money is fungible inside a holding (one fund at one holder), so the trace
// needs a rule; it uses first in, first out in posting order. Every fen that
// enters a holding joins the back of a queue; every fen that leaves takes
// from the front. Posting order is the order the ledger applied the postings
// under the holding's lock (its hash chain sequence), not the booking date,
// which may be backdated: in that order the balance never went below zero, so
// the queue always covers the outflow and the attribution is exact to the fen
// with no rounding. Reversals undo rather than move: reversing an outflow puts
// the very money it took back at the front of the queue, and reversing an
// inflow takes back what is left of that inflow first.
//
// A payment leg at a project is thus attributed to ranges of the inflows
// into that holding; an inflow that was an allocation is followed to the
// holding it came from, where the same range of the allocation is attributed
// in turn, up to the receipts (the payer, the central or provincial document,
// the bond, the household). At every level the parts sum exactly to the leg.
package audit
