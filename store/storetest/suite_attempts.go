package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
	"github.com/smtpdoctor/smtpdoctor/store"
)

func testRoundTripFullResult(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	want := Typical(NewRand(1), base)
	want.Status = probe.StatusRunning
	if err := s.Create(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after Create, Get returned\n%+v\nwant\n%+v", got, want)
	}

	want.Status = probe.StatusDone
	want.DurationMS = 1234
	want.Transcript = append(want.Transcript, probe.Line{AtMS: 1200, Dir: probe.DirNote, Text: "done"})
	for range 2 { // idempotent
		if err := s.Update(ctx, want); err != nil {
			t.Fatal(err)
		}
	}
	got, err = s.Get(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after Update, Get returned\n%+v\nwant\n%+v", got, want)
	}
}

func testNotFound(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	if _, err := s.Get(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get: %v, want ErrNotFound", err)
	}
	if err := s.Update(ctx, attempt("nope", base, "h", 25, probe.OutcomeSuccess, "ok")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Update: %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Delete: %v, want ErrNotFound", err)
	}
	if _, err := s.LastSuccessBefore(ctx, "h", 25, base); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LastSuccessBefore: %v, want ErrNotFound", err)
	}
}

func testCreateRejectsDuplicateAndEmptyID(t *testing.T, open opener) {
	s, _ := open(t)
	r := attempt("a", base, "h", 25, probe.OutcomeSuccess, "ok")
	mustCreate(t, s, r)
	if err := s.Create(context.Background(), r); err == nil {
		t.Error("second Create with the same id succeeded")
	}
	r.ID = ""
	if err := s.Create(context.Background(), r); err == nil {
		t.Error("Create with an empty id succeeded")
	}
}

func testDelete(t *testing.T, open opener) {
	s, _ := open(t)
	ctx := context.Background()
	mustCreate(t, s, attempt("a", base, "h", 25, probe.OutcomeSuccess, "ok"), attempt("b", base, "h", 25, probe.OutcomeSuccess, "ok"))
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after Delete: %v", err)
	}
	if _, err := s.Get(ctx, "b"); err != nil {
		t.Errorf("the other attempt went too: %v", err)
	}
}
