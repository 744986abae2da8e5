//go:build gc && !purego

#include "textflag.h"

// func xorKernel(dst, src *byte, n int, k uint32)
// A tail jump to the kernel that useAVX2 selects; the arguments stay where
// they are.
TEXT ·xorKernel(SB), NOSPLIT, $0-28
	CMPB	·useAVX2(SB), $0
	JEQ	sse2
	JMP	·xorAVX2(SB)
sse2:
	JMP	·xorSSE2(SB)

// func xorAVX2(dst, src *byte, n int, k uint32)
// Any n; dst may equal src. k holds key bytes 0..3 from its low byte up.
//
// Fewer than 64 bytes (which xorGo keeps in Go) go to xorSSE2, with the
// arguments where they are and before any VEX instruction, so that no
// upper YMM state is left to mix with its legacy SSE code. From 64 bytes
// on, the first and the last 32 bytes are loaded and masked
// before anything is stored, and stored only at the end, each as one
// unaligned store that may overlap the blocks next to it. In between, dst
// is advanced to a 32-byte boundary so that every block store is aligned.
// Since every byte of an overlap is masked from the source as it was on
// entry and stored with the same value twice, this is right in place too.
TEXT ·xorAVX2(SB), NOSPLIT, $0-28
	MOVQ	n+16(FP), BX
	CMPQ	BX, $64
	JB	avx2_short
	MOVQ	dst+0(FP), DI
	MOVQ	src+8(FP), SI
	// Y0 = the four key bytes repeated across 32 bytes.
	MOVL	k+24(FP), AX
	VMOVD	AX, X0
	VPBROADCASTD	X0, Y0

	// Y5 = the masked head, Y6 = the masked last 32 bytes, whose key
	// phase is n mod 4; R10 = where the last 32 bytes go.
	MOVQ	BX, CX
	ANDL	$3, CX
	SHLL	$3, CX
	MOVL	AX, DX
	RORL	CX, DX
	VMOVD	DX, X6
	VPBROADCASTD	X6, Y6
	VPXOR	-32(SI)(BX*1), Y6, Y6
	LEAQ	-32(DI)(BX*1), R10
	VPXOR	(SI), Y0, Y5
	MOVQ	DI, R11

	// Skip to the next 32-byte boundary of dst (0..31 bytes on; the head
	// covers them) and turn the key to the phase there.
	MOVQ	DI, CX
	NEGQ	CX
	ANDQ	$31, CX
	ADDQ	CX, DI
	ADDQ	CX, SI
	SUBQ	CX, BX
	ANDL	$3, CX
	SHLL	$3, CX
	RORL	CX, AX
	VMOVD	AX, X0
	VPBROADCASTD	X0, Y0

	// 128 bytes per iteration: four loads XORed with the key, four
	// aligned stores.
	// SI is kept as its distance from DI, so that one register steps.
	CMPQ	BX, $128
	JB	avx2_blocks32
	SUBQ	DI, SI
	MOVQ	BX, R12
	ANDQ	$~127, R12
	ANDQ	$127, BX
	ADDQ	DI, R12
	PCALIGN	$32
avx2_loop128:
	VPXOR	(DI)(SI*1), Y0, Y1
	VPXOR	32(DI)(SI*1), Y0, Y2
	VPXOR	64(DI)(SI*1), Y0, Y3
	VPXOR	96(DI)(SI*1), Y0, Y4
	VMOVDQA	Y1, (DI)
	VMOVDQA	Y2, 32(DI)
	VMOVDQA	Y3, 64(DI)
	VMOVDQA	Y4, 96(DI)
	ADDQ	$128, DI
	CMPQ	DI, R12
	JB	avx2_loop128
	ADDQ	DI, SI

	// Then whole 32-byte blocks; the last 0..31 bytes are in Y6.
avx2_blocks32:
	CMPQ	BX, $32
	JB	avx2_ends
avx2_loop32:
	VPXOR	(SI), Y0, Y1
	VMOVDQA	Y1, (DI)
	ADDQ	$32, SI
	ADDQ	$32, DI
	SUBQ	$32, BX
	CMPQ	BX, $32
	JAE	avx2_loop32
avx2_ends:
	VMOVDQU	Y5, (R11)
	VMOVDQU	Y6, (R10)
	VZEROUPPER
	RET

avx2_short:
	JMP	·xorSSE2(SB)

// func xorSSE2(dst, src *byte, n int, k uint32)
// Any n; dst may equal src. k holds key bytes 0..3 from its low byte up.
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

	// Then 16 bytes at a time.
sse2_tail:
	CMPQ	CX, $16
	JB	sse2_8
sse2_loop16:
	MOVOU	(SI), X1
	PXOR	X0, X1
	MOVOU	X1, (DI)
	ADDQ	$16, SI
	ADDQ	$16, DI
	SUBQ	$16, CX
	CMPQ	CX, $16
	JAE	sse2_loop16

	// Fewer than 16 bytes are left: 8 and 4 at once if present.
sse2_8:
	MOVQ	AX, DX
	SHLQ	$32, DX
	ORQ	AX, DX // DX = the key twice
	CMPQ	CX, $8
	JB	sse2_4
	MOVQ	(SI), BX
	XORQ	DX, BX
	MOVQ	BX, (DI)
	ADDQ	$8, SI
	ADDQ	$8, DI
	SUBQ	$8, CX
sse2_4:
	CMPQ	CX, $4
	JB	sse2_1
	MOVL	(SI), BX
	XORL	AX, BX
	MOVL	BX, (DI)
	ADDQ	$4, SI
	ADDQ	$4, DI
	SUBQ	$4, CX

	// The last 0..3 bytes, one at a time, shifting the next key byte down.
sse2_1:
	TESTQ	CX, CX
	JZ	sse2_done
sse2_loop1:
	MOVB	(SI), BX
	XORB	AX, BX
	MOVB	BX, (DI)
	INCQ	SI
	INCQ	DI
	SHRL	$8, AX
	DECQ	CX
	JNZ	sse2_loop1

sse2_done:
	RET
