//go:build !race

package routetest_test

// demoDivisor 1: the full Lianyungang-scale demo city.
const demoDivisor = 1
