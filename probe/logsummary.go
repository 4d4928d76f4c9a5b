package probe

import "time"

// LogSummary is what a mail server's log of logins says in aggregate: which
// accounts fail, from which addresses, how often and since when, and the
// pattern that fits (password guessing, one misconfigured client, a broken
// authentication back end). Only explained server logs carry one.
type LogSummary struct {
	Format string `json:"format"` // "postfix", "dovecot", "exim", "exchange"
	Lines  int    `json:"lines"`  // log lines read
	// Failures counts failed logins; Successes logins that worked.
	Failures  int       `json:"failures"`
	Successes int       `json:"successes"`
	First     time.Time `json:"first,omitzero"`
	Last      time.Time `json:"last,omitzero"`
	// Pattern is the code of the pattern that fits (log.brute_force, ...),
	// empty when none does.
	Pattern Code `json:"pattern,omitempty"`
	// Accounts and Addresses are the most frequent, most first; Reasons
	// are the server's words for why logins failed.
	Accounts  []LogRow `json:"accounts"`
	Addresses []LogRow `json:"addresses"`
	Reasons   []LogRow `json:"reasons"`
	// AccountsTotal and AddressesTotal count distinct values, beyond the
	// rows kept.
	AccountsTotal  int `json:"accounts_total"`
	AddressesTotal int `json:"addresses_total"`
	// Histogram is failed logins over time, in equal buckets.
	Histogram     []LogBucket `json:"histogram,omitempty"`
	BucketSeconds int64       `json:"bucket_seconds,omitempty"`
	// Other notable lines the log held besides logins (relay refusals,
	// TLS errors), counted by kind.
	Other []LogRow `json:"other,omitempty"`
}

// LogRow is one value and how often it was seen.
type LogRow struct {
	Key   string    `json:"key"`
	Count int       `json:"count"`
	First time.Time `json:"first,omitzero"`
	Last  time.Time `json:"last,omitzero"`
	// Distinct is how many different partners the key had: addresses for
	// an account, accounts for an address.
	Distinct int `json:"distinct,omitempty"`
}

// LogBucket is the failed logins in one stretch of time.
type LogBucket struct {
	Start time.Time `json:"start"`
	Count int       `json:"count"`
}
