//go:build race

package routetest_test

// demoDivisor shrinks the demo city under the race detector, which slows
// the embedded database about thirtyfold; .ci/run walks the full city
// without it.
const demoDivisor = 20
