//go:build gc && !purego

#include "textflag.h"

// The bodies below (shortBody, avx2Body, sse2Body) are reached by a jump,
// never by a call, with their inputs in registers:
//	DI = dst, SI = src, BX = n, AX = the key word, whose low byte masks
//	dst[0].
// They may clobber CX, DX, R8..R12 and X0..X9 (Y0..Y9), and return to the
// Go function that called the entry point. Every one of them loads each
// source byte before it stores the byte of dst at the same offset, so dst
// may equal src.

// func xorInPlace(b []byte, key *[4]byte, pos int)
// What XOR calls: it loads the arguments and goes on to dispatch, so that
// any length costs one call from Go.
TEXT ·xorInPlace(SB), NOSPLIT, $0-40
	MOVQ	b_base+0(FP), DI
	MOVQ	DI, SI
	MOVQ	b_len+8(FP), BX
	MOVQ	key+24(FP), AX
	MOVL	(AX), AX
	MOVQ	pos+32(FP), CX
	JMP	dispatch<>(SB)

// func xorCopy(dst, src []byte, key *[4]byte, pos int)
// What XORCopy calls: the masking after XORCopy's checks. When dst is
// shorter than src, or the first len(src) bytes of dst overlap src without
// starting at the same address (their starts differ by less than len(src),
// either way), it jumps to copyPanic, whose arguments are dst and src.
TEXT ·xorCopy(SB), NOSPLIT, $0-64
	MOVQ	dst_base+0(FP), DI
	MOVQ	src_base+24(FP), SI
	MOVQ	src_len+32(FP), BX
	CMPQ	dst_len+8(FP), BX
	JLT	bad
	MOVQ	DI, CX
	SUBQ	SI, CX
	JEQ	good
	CMPQ	CX, BX
	JCS	bad
	NEGQ	CX
	CMPQ	CX, BX
	JCS	bad
good:
	MOVQ	key+48(FP), AX
	MOVL	(AX), AX
	MOVQ	pos+56(FP), CX
	JMP	dispatch<>(SB)
bad:
	JMP	·copyPanic(SB)

// dispatch turns the key word in AX to position CX and jumps to the short
// path (fewer than 128 bytes, where it beats the kernels' setup) or to the
// kernel useAVX2 selects.
TEXT dispatch<>(SB), NOSPLIT|NOFRAME, $0
	// A 32-bit rotate counts modulo 32, and 8*pos mod 32 is 8*(pos mod 4),
	// for a negative pos too.
	SHLL	$3, CX
	RORL	CX, AX
	CMPQ	BX, $128
	JB	short
	CMPB	·useAVX2(SB), $0
	JEQ	sse2
	JMP	avx2Body<>(SB)
sse2:
	JMP	sse2Body<>(SB)
short:
	JMP	shortBody<>(SB)

// func xorAVX2(dst, src *byte, n int, k uint32)
// The AVX2 kernel called directly, for tests and benchmarks. Any n; k holds
// key bytes 0..3 from its low byte up.
TEXT ·xorAVX2(SB), NOSPLIT, $0-28
	MOVQ	dst+0(FP), DI
	MOVQ	src+8(FP), SI
	MOVQ	n+16(FP), BX
	MOVL	k+24(FP), AX
	CMPQ	BX, $64
	JB	short
	JMP	avx2Body<>(SB)
short:
	JMP	shortBody<>(SB)

// func xorSSE2(dst, src *byte, n int, k uint32)
// The SSE2 kernel called directly, as xorAVX2.
TEXT ·xorSSE2(SB), NOSPLIT, $0-28
	MOVQ	dst+0(FP), DI
	MOVQ	src+8(FP), SI
	MOVQ	n+16(FP), BX
	MOVL	k+24(FP), AX
	CMPQ	BX, $64
	JB	short
	JMP	sse2Body<>(SB)
short:
	JMP	shortBody<>(SB)

// shortBody masks n < 128 bytes with at most eight loads and eight
// stores: blocks from each end, as wide and as many as n allows, the two
// runs overlapping in the middle. dispatch sends it up to 127 bytes, the
// kernel entries below 64. The block that ends at byte n starts at key phase n mod 4. All
// loads come before the first store, so a byte written twice gets the same
// value twice, in place too. Legacy SSE only, which every amd64 CPU has; the
// AVX2 body leaves no upper YMM state behind for it to mix with.
TEXT shortBody<>(SB), NOSPLIT|NOFRAME, $0
	// CX = 8*n, the rotate count (taken modulo the word width) that turns
	// the key to the phase of the block ending at byte n.
	MOVL	BX, CX
	SHLL	$3, CX
	CMPQ	BX, $16
	JB	lt16
	MOVL	AX, DX
	RORL	CX, DX
	MOVQ	AX, X0
	PSHUFD	$0, X0, X0
	MOVQ	DX, X1
	PSHUFD	$0, X1, X1
	MOVOU	(SI), X2
	MOVOU	-16(SI)(BX*1), X3
	CMPQ	BX, $32
	JB	s16
	// 32 bytes or more: two blocks more, at 16 and at n-32.
	MOVOU	16(SI), X4
	MOVOU	-32(SI)(BX*1), X5
	CMPQ	BX, $64
	JB	s32
	// 64..127 bytes: four blocks more, at 32, 48, n-64 and n-48.
	MOVOU	32(SI), X6
	MOVOU	48(SI), X7
	MOVOU	-64(SI)(BX*1), X8
	MOVOU	-48(SI)(BX*1), X9
	PXOR	X0, X6
	PXOR	X0, X7
	PXOR	X1, X8
	PXOR	X1, X9
	MOVOU	X6, 32(DI)
	MOVOU	X7, 48(DI)
	MOVOU	X8, -64(DI)(BX*1)
	MOVOU	X9, -48(DI)(BX*1)
s32:
	PXOR	X0, X4
	PXOR	X1, X5
	MOVOU	X4, 16(DI)
	MOVOU	X5, -32(DI)(BX*1)
s16:
	PXOR	X0, X2
	PXOR	X1, X3
	MOVOU	X2, (DI)
	MOVOU	X3, -16(DI)(BX*1)
	RET

lt16:
	CMPQ	BX, $8
	JB	lt8
	// 8..15 bytes: two 8-byte words. A rotate of the doubled key by
	// n mod 8 bytes gives the phase n mod 4.
	MOVQ	AX, DX
	SHLQ	$32, DX
	ORQ	AX, DX
	MOVQ	DX, R8
	RORQ	CX, R8
	MOVQ	(SI), R9
	MOVQ	-8(SI)(BX*1), R10
	XORQ	DX, R9
	XORQ	R8, R10
	MOVQ	R9, (DI)
	MOVQ	R10, -8(DI)(BX*1)
	RET

lt8:
	CMPQ	BX, $4
	JB	lt4
	// 4..7 bytes: two 4-byte words.
	MOVL	AX, DX
	RORL	CX, DX
	MOVL	(SI), R9
	MOVL	-4(SI)(BX*1), R10
	XORL	AX, R9
	XORL	DX, R10
	MOVL	R9, (DI)
	MOVL	R10, -4(DI)(BX*1)
	RET

lt4:
	TESTQ	BX, BX
	JZ	done
	MOVBLZX	(SI), R9
	XORL	AX, R9
	CMPQ	BX, $2
	JB	one
	// 2 or 3 bytes: byte 0 and the two bytes ending at n, whose key bytes
	// start at n-2.
	MOVWLZX	-2(SI)(BX*1), R10
	LEAL	-16(CX), CX
	MOVL	AX, DX
	SHRL	CX, DX
	XORL	DX, R10
	MOVB	R9, (DI)
	MOVW	R10, -2(DI)(BX*1)
	RET
one:
	MOVB	R9, (DI)
done:
	RET

// avx2Body masks n >= 64 bytes in 32-byte blocks whose stores are aligned.
// The last 32 bytes are loaded and masked first and stored at the end, as
// one unaligned store that may overlap the blocks before it; it is skipped
// when the blocks end at n. When dst is not on a 32-byte boundary, the first
// 32 bytes are handled the same way and the blocks start at the next
// boundary, with the key turned to the phase there.
TEXT avx2Body<>(SB), NOSPLIT|NOFRAME, $0
	// Y0 = the four key bytes repeated across 32 bytes.
	VMOVD	AX, X0
	VPBROADCASTD	X0, Y0

	// Y6 = the masked last 32 bytes, whose key phase is n mod 4;
	// R10 = where they go.
	MOVL	BX, CX
	SHLL	$3, CX
	MOVL	AX, DX
	RORL	CX, DX
	VMOVD	DX, X6
	VPBROADCASTD	X6, Y6
	VPXOR	-32(SI)(BX*1), Y6, Y6
	LEAQ	-32(DI)(BX*1), R10

	// R11 = where the masked head Y5 goes, or 0 when dst is aligned.
	XORL	R11, R11
	MOVQ	DI, CX
	NEGQ	CX
	ANDQ	$31, CX
	JZ	blocks
	VPXOR	(SI), Y0, Y5
	MOVQ	DI, R11
	ADDQ	CX, DI
	ADDQ	CX, SI
	SUBQ	CX, BX
	// The key turns only when the skip is not a multiple of 4.
	TESTL	$3, CX
	JZ	blocks
	SHLL	$3, CX
	RORL	CX, AX
	VMOVD	AX, X0
	VPBROADCASTD	X0, Y0

blocks:
	// 128 bytes per iteration: four loads XORed with the key, four
	// aligned stores. SI is kept as its distance from DI, so that one
	// register steps. The loop starts a 64-byte line and fits in it,
	// wherever the linker places this function: a loop that straddles two
	// lines can run at half speed on some CPUs (seen on AMD Zen 3).
	CMPQ	BX, $128
	JB	blocks32
	SUBQ	DI, SI
	MOVQ	BX, R12
	ANDQ	$~127, R12
	ANDQ	$127, BX
	ADDQ	DI, R12
	PCALIGN	$64
loop128:
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
	JB	loop128
	ADDQ	DI, SI

	// Then whole 32-byte blocks; the last 0..31 bytes are in Y6.
blocks32:
	CMPQ	BX, $32
	JB	ends
loop32:
	VPXOR	(SI), Y0, Y1
	VMOVDQA	Y1, (DI)
	ADDQ	$32, SI
	ADDQ	$32, DI
	SUBQ	$32, BX
	CMPQ	BX, $32
	JAE	loop32
ends:
	TESTQ	BX, BX
	JZ	nottail
	VMOVDQU	Y6, (R10)
nottail:
	TESTQ	R11, R11
	JZ	done
	VMOVDQU	Y5, (R11)
done:
	VZEROUPPER
	RET

// sse2Body masks n >= 64 bytes in 16-byte blocks, 64 bytes per iteration
// while they last. The last 16 bytes are loaded and masked first and stored
// at the end, overlapping the blocks before them.
TEXT sse2Body<>(SB), NOSPLIT|NOFRAME, $0
	// X0 = the four key bytes repeated across 16 bytes.
	MOVQ	AX, X0
	PSHUFD	$0, X0, X0
	// X6 = the masked last 16 bytes, key phase n mod 4; R10 = where they go.
	MOVL	BX, CX
	SHLL	$3, CX
	MOVL	AX, DX
	RORL	CX, DX
	MOVQ	DX, X6
	PSHUFD	$0, X6, X6
	MOVOU	-16(SI)(BX*1), X7
	PXOR	X6, X7
	LEAQ	-16(DI)(BX*1), R10

	// Aligned to its own 64-byte line, as the AVX2 loop is.
	PCALIGN	$64
loop64:
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
	SUBQ	$64, BX
	CMPQ	BX, $64
	JAE	loop64

	// Then 16 bytes at a time; the last 0..15 are in X7.
	CMPQ	BX, $16
	JB	ends
loop16:
	MOVOU	(SI), X1
	PXOR	X0, X1
	MOVOU	X1, (DI)
	ADDQ	$16, SI
	ADDQ	$16, DI
	SUBQ	$16, BX
	CMPQ	BX, $16
	JAE	loop16
ends:
	MOVOU	X7, (R10)
	RET
