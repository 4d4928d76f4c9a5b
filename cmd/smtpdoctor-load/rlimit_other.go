//go:build !unix

package main

// raiseFileLimit: nothing to raise outside Unix.
func raiseFileLimit() {}
