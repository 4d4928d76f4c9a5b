package store

// EncodeDoc is encodeDoc, for the external test package's benchmark.
var EncodeDoc = encodeDoc

// DecodeDoc is decodeDoc, for the external test package.
var DecodeDoc = decodeDoc
