//go:build !linux

package e2e

import "errors"

var errNoProc = errors.New("measuring a process's memory needs Linux's /proc")

// RSS needs /proc.
func RSS(int) (int64, error) { return 0, errNoProc }

// RaiseNofile is only needed where RSS works.
func RaiseNofile(int) error { return errNoProc }
