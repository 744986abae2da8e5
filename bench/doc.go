// Package bench compares wsframe with the other Go WebSocket libraries.
//
// Its benchmarks run under go test, for benchstat:
//
//	go test -run '^$' -bench . -count 10 | tee results/full.txt
//	benchstat -col /impl results/full.txt
//
// and cmd/tables measures the same cases with the implementations
// interleaved in one process and prints markdown tables. See README.md.
package bench
