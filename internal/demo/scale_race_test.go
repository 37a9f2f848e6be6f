//go:build race

package demo_test

// divisor shrinks the demo city under the race detector, which slows the
// embedded database about thirtyfold; the full city is tested without it.
const divisor = 20
