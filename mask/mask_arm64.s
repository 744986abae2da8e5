//go:build gc && !purego

#include "textflag.h"

// func xorNEON(dst, src *byte, n int, k uint32)
// Any n; dst may equal src. k holds key bytes 0..3 from its low byte up.
TEXT ·xorNEON(SB), NOSPLIT, $0-28
	MOVD	dst+0(FP), R0
	MOVD	src+8(FP), R1
	MOVD	n+16(FP), R2
	// V0 = the four key bytes repeated across 16 bytes.
	MOVWU	k+24(FP), R3
	VDUP	R3, V0.S4

	// 64 bytes per iteration: load four registers, XOR each, store them.
	CMP	$64, R2
	BLT	tail
	PCALIGN	$16
loop64:
	VLD1.P	64(R1), [V1.B16, V2.B16, V3.B16, V4.B16]
	VEOR	V0.B16, V1.B16, V1.B16
	VEOR	V0.B16, V2.B16, V2.B16
	VEOR	V0.B16, V3.B16, V3.B16
	VEOR	V0.B16, V4.B16, V4.B16
	VST1.P	[V1.B16, V2.B16, V3.B16, V4.B16], 64(R0)
	SUB	$64, R2
	CMP	$64, R2
	BGE	loop64

	// Then 16 bytes at a time.
tail:
	CMP	$16, R2
	BLT	tail8
loop16:
	VLD1.P	16(R1), [V1.B16]
	VEOR	V0.B16, V1.B16, V1.B16
	VST1.P	[V1.B16], 16(R0)
	SUB	$16, R2
	CMP	$16, R2
	BGE	loop16

	// Fewer than 16 bytes are left: 8 and 4 at once if present, with the
	// key phase unchanged since each step is a multiple of 4.
tail8:
	ORR	R3<<32, R3, R5 // R5 = the key twice
	CMP	$8, R2
	BLT	tail4
	MOVD.P	8(R1), R4
	EOR	R5, R4, R4
	MOVD.P	R4, 8(R0)
	SUB	$8, R2
tail4:
	CMP	$4, R2
	BLT	tail1
	MOVWU.P	4(R1), R4
	EORW	R3, R4, R4
	MOVW.P	R4, 4(R0)
	SUB	$4, R2

	// The last 0..3 bytes, one at a time, shifting the next key byte down.
tail1:
	CBZ	R2, done
loop1:
	MOVBU.P	1(R1), R4
	EORW	R3, R4, R4
	MOVB.P	R4, 1(R0)
	LSRW	$8, R3, R3
	SUB	$1, R2
	CBNZ	R2, loop1

done:
	RET
