package store_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store/storetest"
)

// BenchmarkCreateConcurrent is Create from 32 goroutines, as the dashboard
// writes when many probes start and end at once; the group commit shares
// one transaction among the writes that arrive together.
func BenchmarkCreateConcurrent(b *testing.B) {
	s, _ := open(b)
	ctx := context.Background()
	rng := storetest.NewRand(2)
	rs := make([]probe.Result, b.N)
	for i := range rs {
		rs[i] = storetest.Typical(rng, base.Add(time.Duration(i)*time.Second))
	}
	var next atomic.Int64
	b.SetParallelism(16) // 32 goroutines on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.Create(ctx, rs[next.Add(1)-1]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
