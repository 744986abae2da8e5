package mask

// kernel describes one assembly kernel: it sets dst[i] = src[i] ^ key byte
// i%4 for i < n, where n is a multiple of blockSize and dst may equal src.
type kernel struct {
	name      string
	fn        func(dst, src *byte, n int, k uint32)
	supported bool // the CPU running this process can execute it

	// pick makes XOR and XORCopy dispatch to this kernel and returns a
	// function that restores the previous choice. Tests use it to run the
	// public functions over every kernel the CPU supports.
	pick func() (restore func())
}
