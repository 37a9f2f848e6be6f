//go:build !race

package demo_test

// divisor 1: the full Lianyungang-scale city.
const divisor = 1
