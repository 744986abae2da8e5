//go:build gc && !purego

#include "textflag.h"

// func xorNEON(dst, src *byte, n int, k uint32)
// n is a multiple of 32; dst may equal src.
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

	// n is a multiple of 32, so at most one 32-byte block is left.
tail:
	CBZ	R2, done
	VLD1	(R1), [V1.B16, V2.B16]
	VEOR	V0.B16, V1.B16, V1.B16
	VEOR	V0.B16, V2.B16, V2.B16
	VST1	[V1.B16, V2.B16], (R0)

done:
	RET
