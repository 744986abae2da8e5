package mask

// kernel describes one assembly kernel: it sets dst[i] = src[i] ^ key byte
// i%4 for i < n (any n), where dst may equal src and the key word k holds
// key byte 0 in its low byte (see rotate).
type kernel struct {
	name      string
	fn        func(dst, src *byte, n int, k uint32)
	supported bool // the CPU running this process can execute it

	// pick makes XOR and XORCopy dispatch to this kernel and returns a
	// function that restores the previous choice. Tests use it to run the
	// public functions over every kernel the CPU supports.
	pick func() (restore func())
}

// keyOf is the inverse of rotate(key, 0): the key bytes of the word k.
func keyOf(k uint32) [4]byte {
	return [4]byte{byte(k), byte(k >> 8), byte(k >> 16), byte(k >> 24)}
}
