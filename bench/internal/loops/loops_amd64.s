//go:build amd64

#include "textflag.h"

// Two copies of one AVX2 loop that masks 64 bytes per iteration with two
// loads and two stores. The first starts a 64-byte line, so its 27 bytes
// fit in the line; the second starts 48 bytes into a line and runs into the
// next. Both are built from the macros below, so nothing else differs.

// SETUP loads b and k: DI = b, R12 = its end, Y0 = k repeated.
#define SETUP \
	MOVQ	b_base+0(FP), DI \
	MOVQ	b_len+8(FP), BX \
	MOVL	k+24(FP), AX \
	VMOVD	AX, X0 \
	VPBROADCASTD	X0, Y0 \
	LEAQ	(DI)(BX*1), R12

// LOOP masks 64 bytes per iteration up to R12, then returns.
#define LOOP(label) \
label: \
	VPXOR	(DI), Y0, Y1 \
	VPXOR	32(DI), Y0, Y2 \
	VMOVDQU	Y1, (DI) \
	VMOVDQU	Y2, 32(DI) \
	ADDQ	$64, DI \
	CMPQ	DI, R12 \
	JB	label \
	VZEROUPPER \
	RET

// func Fits(b []byte, k uint32)
TEXT ·Fits(SB), NOSPLIT, $0-28
	SETUP
	PCALIGN	$64
	LOOP(fits)

// func Crosses(b []byte, k uint32)
TEXT ·Crosses(SB), NOSPLIT, $0-28
	SETUP
	PCALIGN	$64
	// 48 one-byte NOPs, run once on the way in.
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	LOOP(crosses)
