// Package explain reads text people paste — an error their app printed, a
// mail library's debug transcript, a mail server's log — and diagnoses it
// without connecting anywhere. Each format has a small parser of its own
// (format_*.go); a recogniser tries them all and keeps what they read. What
// a parser reads becomes the same model a probe produces: transcript lines
// with their direction, the failed step, the command, the reply code, the
// enhanced code and every reply line, and the settings the text reveals.
// Then the probe's own diagnosis engine (probe/diagnosis) runs on it: one
// engine, two sources.
//
// Secrets are removed as the text is read (AUTH PLAIN blobs, AUTH LOGIN
// lines, OAuth tokens, passwords in URLs and settings), never later, and
// the result says what was removed. Server logs are also aggregated:
// which accounts fail, from where, how often and since when, and which
// pattern that is.
package explain
