// Package tax holds the pure tax calculations of the renovation programme:
// which relief regime for community elderly-care, childcare and housekeeping
// providers applies on a date, how much tax that relief forgoes, and the
// straight-line depreciation schedule of a utility's renovated asset.
//
// Relief is not cash. The amounts computed here are reported per project as a
// tax expenditure (税式支出) beside the cash sources, so they follow the same
// money rules as everything else: amounts are exact fen, every item is rounded
// half-up to the fen once, and nothing here touches a float, a clock, a
// database or the network.
package tax

import "errors"

// ErrInvalid reports input that cannot be computed: an unknown service, asset
// class or nature, a negative or out-of-range amount or rate, or a period that
// ends before it starts. The HTTP layer answers it with 400.
var ErrInvalid = errors.New("invalid tax input")

// ErrRuleViolation reports well-formed input that the tax rules forbid, such as
// a depreciation life shorter than the statutory minimum. The HTTP layer
// answers it with 422 rule_violation.
var ErrRuleViolation = errors.New("tax rule violation")
