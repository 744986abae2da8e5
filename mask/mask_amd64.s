//go:build gc && !purego

#include "textflag.h"

// func xorAVX2(dst, src *byte, n int, k uint32)
// n is a multiple of 32; dst may equal src.
TEXT ·xorAVX2(SB), NOSPLIT, $0-28
	MOVQ	dst+0(FP), DI
	MOVQ	src+8(FP), SI
	MOVQ	n+16(FP), CX
	// Y0 = the four key bytes repeated across 32 bytes.
	MOVL	k+24(FP), AX
	VMOVD	AX, X0
	VPBROADCASTD	X0, Y0

	// 128 bytes per iteration: four loads XORed with the key, four stores.
	CMPQ	CX, $128
	JB	avx2_tail
	PCALIGN	$32
avx2_loop128:
	VPXOR	(SI), Y0, Y1
	VPXOR	32(SI), Y0, Y2
	VPXOR	64(SI), Y0, Y3
	VPXOR	96(SI), Y0, Y4
	VMOVDQU	Y1, (DI)
	VMOVDQU	Y2, 32(DI)
	VMOVDQU	Y3, 64(DI)
	VMOVDQU	Y4, 96(DI)
	ADDQ	$128, SI
	ADDQ	$128, DI
	SUBQ	$128, CX
	CMPQ	CX, $128
	JAE	avx2_loop128

	// The remaining 0, 32, 64 or 96 bytes, 32 at a time.
avx2_tail:
	TESTQ	CX, CX
	JZ	avx2_done
avx2_loop32:
	VPXOR	(SI), Y0, Y1
	VMOVDQU	Y1, (DI)
	ADDQ	$32, SI
	ADDQ	$32, DI
	SUBQ	$32, CX
	JNZ	avx2_loop32

avx2_done:
	VZEROUPPER
	RET

// func xorSSE2(dst, src *byte, n int, k uint32)
// n is a multiple of 16; dst may equal src.
TEXT ·xorSSE2(SB), NOSPLIT, $0-28
	MOVQ	dst+0(FP), DI
	MOVQ	src+8(FP), SI
	MOVQ	n+16(FP), CX
	// X0 = the four key bytes repeated across 16 bytes.
	MOVL	k+24(FP), AX
	MOVQ	AX, X0
	PSHUFD	$0, X0, X0

	// 64 bytes per iteration.
	CMPQ	CX, $64
	JB	sse2_tail
	PCALIGN	$16
sse2_loop64:
	MOVOU	(SI), X1
	MOVOU	16(SI), X2
	MOVOU	32(SI), X3
	MOVOU	48(SI), X4
	PXOR	X0, X1
	PXOR	X0, X2
	PXOR	X0, X3
	PXOR	X0, X4
	MOVOU	X1, (DI)
	MOVOU	X2, 16(DI)
	MOVOU	X3, 32(DI)
	MOVOU	X4, 48(DI)
	ADDQ	$64, SI
	ADDQ	$64, DI
	SUBQ	$64, CX
	CMPQ	CX, $64
	JAE	sse2_loop64

	// The remaining 0, 16, 32 or 48 bytes, 16 at a time.
sse2_tail:
	TESTQ	CX, CX
	JZ	sse2_done
sse2_loop16:
	MOVOU	(SI), X1
	PXOR	X0, X1
	MOVOU	X1, (DI)
	ADDQ	$16, SI
	ADDQ	$16, DI
	SUBQ	$16, CX
	JNZ	sse2_loop16

sse2_done:
	RET
