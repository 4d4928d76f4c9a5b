package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smtpdoctor/smtpdoctor/probe/smtptest"
	"github.com/smtpdoctor/smtpdoctor/store"
)

// Fault injection: the real binary on a database whose filesystem fills up,
// turns read-only or is damaged under it, or which is killed mid-write.
// After each, nothing the dashboard acknowledged is lost and every answer
// was honest: an id handed out is stored, a failure says so (5xx), never a
// 200 with an id that then 404s.

// smallFS mounts a tmpfs of size (say "2m") on a fresh directory and
// returns it.
func smallFS(t *testing.T, size string) string {
	t.Helper()
	needRoot(t, "mounting a small filesystem")
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		skipOrFail(t, "mount -t tmpfs failed: "+err.Error()+": "+string(out))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// ext4FS mounts a small ext4 filesystem (a file on a loop device) on a
// fresh directory: unlike tmpfs it enforces the immutable attribute on
// files already open, which is how a test makes a database read-only
// under a running server (Linux refuses to remount a filesystem read-only
// while files on it are open for writing).
func ext4FS(t *testing.T) string {
	t.Helper()
	needRoot(t, "mounting a loop device")
	img := filepath.Join(t.TempDir(), "fs.img")
	dir := t.TempDir()
	for _, cmd := range [][]string{{"truncate", "-s", "32M", img}, {"mkfs.ext4", "-q", img}, {"mount", "-o", "loop", img, dir}} {
		if out, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput(); err != nil {
			skipOrFail(t, strings.Join(cmd, " ")+" failed (install e2fsprogs; loop devices needed): "+err.Error()+": "+string(out))
		}
	}
	t.Cleanup(func() {
		exec.Command("chattr", "-R", "-i", dir).Run()
		exec.Command("umount", "-l", dir).Run()
	})
	return dir
}

func needRoot(t *testing.T, doing string) {
	t.Helper()
	if os.Geteuid() != 0 {
		skipOrFail(t, doing+" needs root")
	}
}

// skipOrFail skips, except under SMTPDOCTOR_REQUIRE_REAL (CI, which runs as
// root), where the fault must be tested.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("SMTPDOCTOR_REQUIRE_REAL") != "" {
		t.Fatalf("SMTPDOCTOR_REQUIRE_REAL is set but %s", why)
	}
	t.Skip(why)
}

// immutable sets or clears the immutable attribute on files (chattr): the
// kernel then refuses every write to them, through descriptors already
// open too.
func immutable(t *testing.T, on bool, files ...string) {
	t.Helper()
	flag := "-i"
	if on {
		flag = "+i"
	}
	for _, f := range files {
		if out, err := exec.Command("chattr", flag, f).CombinedOutput(); err != nil {
			t.Fatalf("chattr %s %s: %v: %s", flag, f, err, out)
		}
	}
}

// fillDisk writes a file until the filesystem is full and returns a
// function that frees the space again.
func fillDisk(t *testing.T, dir string) (free func()) {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	block := bytes.Repeat([]byte{0xAA}, 64<<10)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			break
		}
	}
	// Smaller writes take the last blocks too.
	for {
		if _, err := f.Write(block[:512]); err != nil {
			break
		}
	}
	f.Close()
	return func() {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
}

// ledger keeps what the server acknowledged, to check later that every id
// it handed out is stored.
type ledger struct {
	t    *testing.T
	p    *serverProcess
	ids  []string
	smtp *smtptest.Server
}

// answer is one POST /api/v1/probes and what came of it.
type answer struct {
	status int
	id     string
	body   string
}

func (l *ledger) post(wait string) answer {
	l.t.Helper()
	u := l.p.base + "api/v1/probes"
	if wait != "" {
		u += "?wait=" + wait
	}
	body := `{"host":"127.0.0.1","port":` + strconv.Itoa(l.smtp.Port) + `,"security":"none"}`
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		l.t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, body: string(raw)}
	var out struct{ ID string }
	json.Unmarshal(raw, &out)
	a.id = out.ID
	switch {
	case a.status == http.StatusOK || a.status == http.StatusAccepted:
		if a.id == "" {
			l.t.Errorf("%d without an id: %s", a.status, raw)
		}
		l.ids = append(l.ids, a.id)
	case a.status == http.StatusServiceUnavailable:
		if a.id != "" {
			l.t.Errorf("503 carries an id %s that may not be stored: %s", a.id, raw)
		}
		if !strings.Contains(strings.ToLower(a.body), "stor") && !strings.Contains(a.body, "database") {
			l.t.Errorf("503 does not say the store failed: %s", raw)
		}
	default:
		l.t.Errorf("POST %s = %d %s; want 200/202, or 503 saying the store failed", u, a.status, raw)
	}
	return a
}

// checkStored fails for every acknowledged id the server does not have.
func (l *ledger) checkStored(when string) {
	l.t.Helper()
	for _, id := range l.ids {
		if code := getStatus(l.t, l.p.base+"api/v1/probes/"+id); code != http.StatusOK {
			l.t.Errorf("%s: acknowledged attempt %s answers %d", when, id, code)
		}
	}
}

func getStatus(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// A full disk: probes that cannot be stored are refused with 503 (never an
// id that was not written), readiness fails while liveness holds, and both
// recover by themselves once there is space again.
func TestFaultFullDisk(t *testing.T) {
	bin := buildBinary(t)
	dir := smallFS(t, "4m")
	db := filepath.Join(dir, "full.db")
	l := &ledger{t: t, smtp: smtptest.Start(t, smtptest.Script{})}
	l.p = startProcess(t, bin, db)

	if a := l.post("10s"); a.status != http.StatusOK {
		t.Fatalf("a probe before the disk filled = %d %s", a.status, a.body)
	}
	free := fillDisk(t, dir)
	refused := 0
	for _, wait := range []string{"10s", "10s", "", "10s", ""} {
		if a := l.post(wait); a.status == http.StatusServiceUnavailable {
			refused++
		}
	}
	if refused == 0 {
		t.Fatalf("no probe was refused on a full disk; the test did not fill it")
	}
	l.checkStored("disk full")
	if code := getStatus(t, l.p.base+"readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz on a full disk = %d, want 503", code)
	}
	if code := getStatus(t, l.p.base+"healthz"); code != http.StatusOK {
		t.Errorf("/healthz (liveness) on a full disk = %d, want 200: the database still answers", code)
	}

	free()
	waitFor(t, "readiness after space returned", func() bool { return getStatus(t, l.p.base+"readyz") == http.StatusOK })
	if a := l.post("10s"); a.status != http.StatusOK {
		t.Errorf("a probe after space returned = %d %s", a.status, a.body)
	}
	l.checkStored("space returned")
	l.restartAndCheck(bin, db)
}

// The database files made read-only under the running server: the same
// honesty and recovery as a full disk.
func TestFaultReadOnlyDatabase(t *testing.T) {
	bin := buildBinary(t)
	dir := ext4FS(t)
	db := filepath.Join(dir, "ro.db")
	l := &ledger{t: t, smtp: smtptest.Start(t, smtptest.Script{})}
	l.p = startProcess(t, bin, db)
	if a := l.post("10s"); a.status != http.StatusOK {
		t.Fatalf("a probe before = %d %s", a.status, a.body)
	}
	l.post("")

	immutable(t, true, db, db+"-wal")
	refused := 0
	for _, wait := range []string{"10s", "", "10s"} {
		if a := l.post(wait); a.status == http.StatusServiceUnavailable {
			refused++
		}
	}
	if refused == 0 {
		t.Errorf("no probe was refused on a read-only database")
	}
	l.checkStored("read-only")
	if code := getStatus(t, l.p.base+"readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz on a read-only database = %d, want 503", code)
	}
	if code := getStatus(t, l.p.base+"healthz"); code != http.StatusOK {
		t.Errorf("/healthz (liveness) on a read-only database = %d, want 200", code)
	}

	immutable(t, false, db, db+"-wal")
	waitFor(t, "readiness after the database became writable", func() bool { return getStatus(t, l.p.base+"readyz") == http.StatusOK })
	if a := l.post("10s"); a.status != http.StatusOK {
		t.Errorf("a probe after the database became writable = %d %s", a.status, a.body)
	}
	l.checkStored("writable again")
	l.restartAndCheck(bin, db)
}

// A database file damaged under the running server: no answer pretends
// all is well. Attempts are 200 with their data or a 5xx, never 404 (that
// would say a stored attempt does not exist), and /healthz fails once the
// damage shows.
func TestFaultCorruptedUnderServer(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "corrupt.db")
	l := &ledger{t: t, smtp: smtptest.Start(t, smtptest.Script{})}
	l.p = startProcess(t, bin, db)
	for range 40 {
		l.post("10s")
	}
	// Move everything from the log into the main file, so the damage
	// below hits the attempts and not only a copy of them.
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	st.Checkpoint(context.Background())
	st.Close()

	f, err := os.OpenFile(db, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	noise := bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, int(fi.Size()-4096)/4)
	f.WriteAt(noise, 4096)
	f.Close()

	sawFailure := false
	for _, id := range l.ids {
		resp, err := http.Get(l.p.base + "api/v1/probes/" + id)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			var r struct{ ID, Status string }
			if json.Unmarshal(raw, &r) != nil || r.ID != id || r.Status != "done" {
				t.Errorf("attempt %s: 200 with wrong content: %.200s", id, raw)
			}
		case resp.StatusCode >= 500:
			sawFailure = true
		default:
			t.Errorf("attempt %s on a damaged database = %d; want its data or a 5xx", id, resp.StatusCode)
		}
	}
	if code := getStatus(t, l.p.base+"history"); code != http.StatusOK && code < 500 {
		t.Errorf("/history on a damaged database = %d", code)
	} else if code >= 500 {
		sawFailure = true
	}
	if sawFailure {
		if code := getStatus(t, l.p.base+"healthz"); code != http.StatusServiceUnavailable {
			t.Errorf("/healthz after the damage showed = %d, want 503", code)
		}
	}
	// A new probe is either refused or acknowledged; an acknowledged one
	// may fail to read back (5xx, honest) but must not be missing (404).
	if a := l.post("10s"); a.status == http.StatusOK {
		if code := getStatus(t, l.p.base+"api/v1/probes/"+a.id); code == http.StatusNotFound {
			t.Errorf("a probe on the damaged database was acknowledged but answers 404")
		}
	}
}

// Killed with SIGKILL while probes are being written: every id answered
// before the kill is there after a restart, and the file is sound.
func TestFaultKilledDuringWrites(t *testing.T) {
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "killed.db")
	l := &ledger{t: t, smtp: smtptest.Start(t, smtptest.Script{})}
	l.p = startProcess(t, bin, db)

	ctx, cancel := context.WithCancel(context.Background())
	acked := make(chan string, 10000)
	done := make(chan struct{})
	body := `{"host":"127.0.0.1","port":` + strconv.Itoa(l.smtp.Port) + `,"security":"none"}`
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, l.p.base+"api/v1/probes", strings.NewReader(body))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				var out struct{ ID string }
				err = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if err == nil && resp.StatusCode == http.StatusAccepted && out.ID != "" {
					acked <- out.ID
				}
			}
		}()
	}
	waitFor(t, "a few hundred acknowledged probes", func() bool { return len(acked) >= 200 })
	l.p.cmd.Process.Signal(syscall.SIGKILL)
	l.p.cmd.Wait()
	cancel()
	for range 8 {
		<-done
	}
	close(acked)
	for id := range acked {
		l.ids = append(l.ids, id)
	}

	l.p = startProcess(t, bin, db)
	l.checkStored("after kill -9")
	l.p.cmd.Process.Signal(syscall.SIGTERM)
	l.p.cmd.Wait()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(context.Background()); err != nil {
		t.Errorf("after kill -9 during writes: %v", err)
	}
}

// restartAndCheck stops the server, starts it again on the same database
// and checks that every acknowledged attempt survived.
func (l *ledger) restartAndCheck(bin, db string) {
	l.t.Helper()
	l.p.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan struct{})
	go func() { l.p.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		l.t.Fatal("the server did not stop on SIGTERM")
	}
	l.p = startProcess(l.t, bin, db)
	l.checkStored("after a restart")
}
