package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// fail records the first failure, established by the probe, at the
// current step, and marks the step failed.
func (p *prober) fail(code Code, cmd, errText string) {
	if p.res.Failure == nil {
		p.res.Failure = &Failure{
			Step:    p.stepName(),
			Code:    code,
			Command: cmd,
			Err:     p.tr.scrub.clean(Escape(errText)),
		}
	}
	p.tr.note("failed: %s", errText)
	p.finishStep(StepFailed, errText)
}

// failReply records an SMTP reply as the failure: the cause is in the
// reply, which the diagnosis reads, so Code stays empty.
func (p *prober) failReply(cmd string, r reply) {
	if p.res.Failure == nil {
		p.res.Failure = &Failure{
			Step:     p.stepName(),
			Command:  cmd,
			Reply:    r.Code,
			Enhanced: r.Enhanced,
			Lines:    keepLines(r.Lines),
		}
	}
	p.finishStep(StepFailed, fmt.Sprintf("%d %s", r.Code, truncate(r.text(), 200)))
}

// failIO records a read or write failure in the middle of a step: the
// server went silent, hung up, or sent something that is not SMTP.
func (p *prober) failIO(cmd string, err error) {
	var bad *badReplyError
	switch {
	case errors.Is(p.ctx.Err(), context.DeadlineExceeded) || (isTimeout(err) && !time.Now().Before(p.totalEnd)):
		p.fail(CodeSMTPTimeout, cmd, fmt.Sprintf("the probe ran out of its total time (%s) during %s", p.o.TotalTimeout, p.stepName()))
	case p.ctx.Err() != nil:
		p.fail(CodeSMTPTimeout, cmd, fmt.Sprintf("the probe was cancelled during %s", p.stepName()))
	case isTimeout(err):
		p.fail(CodeSMTPTimeout, cmd, fmt.Sprintf("no reply within %s during %s", p.o.StepTimeout, p.stepName()))
	case errors.As(err, &bad), errors.Is(err, errBudget), errors.Is(err, errReplyLines):
		p.fail(CodeSMTPBadReply, cmd, err.Error())
	case isClosed(err):
		p.fail(CodeNetClosed, cmd, fmt.Sprintf("the server closed the connection during %s (%v)", p.stepName(), err))
	default:
		p.fail(CodeNetClosed, cmd, fmt.Sprintf("connection failed during %s: %v", p.stepName(), err))
	}
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, net.ErrClosed)
}
