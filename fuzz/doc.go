// Package fuzz holds the fuzz targets of wsframe, in a module of their own
// so that the differential target's peer library stays out of the root
// module.
//
// Every target checks its package against a property or a reference, never
// against its own output alone:
//
//   - FuzzDecodeHeader: codec.DecodeHeader against a byte-level reading of
//     RFC 6455 section 5.2, and AppendHeader as its inverse.
//   - FuzzDecoder: codec.Decoder fed whole, cut at one point and byte by
//     byte, against a reference built from DecodeHeader and a byte loop, with
//     inputs that end at an unmapped page and a bound on what it allocates.
//   - FuzzMessage: codec.MessageDecoder against a model of RFC 6455
//     sections 5.4, 5.5.1 and 8.1 fed by a plain Decoder, at every chunking.
//   - FuzzClosePayload: Close frame payloads (section 7.4) through
//     ParseClosePayload, MessageDecoder and the Encoder.
//   - FuzzMask: mask.XOR and mask.XORCopy against a byte loop, at any
//     alignment, key position and chunking, next to unmapped pages.
//   - FuzzInflate: MessageDecoder with Inflate against compress/flate
//     reading the payload directly, at every chunking, with and without
//     context takeover and fragments, and with a limit inside the output.
//   - FuzzDiffGobwas: Decoder against github.com/gobwas/ws frame by frame.
//
// `go test` runs the seed corpora in testdata/fuzz as regression tests;
// `make run` fuzzes each target in turn for FUZZTIME.
package fuzz
