package alert

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// sendEmail sends msg through the alert's SMTP server: implicit TLS on
// port 465 or when asked, STARTTLS otherwise (an alert is not sent in the
// clear unless the security is "none"), AUTH PLAIN when a user is set, then
// MAIL, RCPT, DATA and QUIT. The connection has a deadline of its own.
func sendEmail(ctx context.Context, ch Channel, msg Message, policy Policy, roots *x509.CertPool, timeout time.Duration) (string, error) {
	set := ch.SMTP
	if set == nil {
		return "", permanent{errors.New("alert: email alert without an SMTP server")}
	}
	addr := net.JoinHostPort(set.Host, strconv.Itoa(set.Port))
	conn, err := dialPolicy(ctx, policy, addr, timeout)
	if err != nil {
		var pe policyError
		if errors.As(err, &pe) {
			return "", permanent{pe}
		}
		return "", fmt.Errorf("connect to %s: %w", addr, err)
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	tlsConfig := &tls.Config{ServerName: set.Host, RootCAs: roots, MinVersion: tls.VersionTLS12}
	var c *smtp.Client
	switch {
	case set.Security == probe.SecurityTLS || (set.Security == probe.SecurityAuto && set.Port == 465):
		c = smtp.NewClient(tls.Client(conn, tlsConfig))
	case set.Security == probe.SecurityNone:
		c = smtp.NewClient(conn)
	default:
		c, err = smtp.NewClientStartTLS(conn, tlsConfig)
		if err != nil {
			conn.Close()
			return "", smtpError("STARTTLS with "+addr, err)
		}
	}
	defer c.Close()
	c.CommandTimeout, c.SubmissionTimeout = timeout, timeout
	if set.HELO != "" {
		if err := c.Hello(set.HELO); err != nil {
			return "", smtpError("EHLO", err)
		}
	}
	if set.User != "" {
		if err := c.Auth(sasl.NewPlainClient("", set.User, ch.Secret.Password)); err != nil {
			return "", smtpError("AUTH", err)
		}
	}
	if err := c.Mail(set.From, nil); err != nil {
		return "", smtpError("MAIL FROM", err)
	}
	if err := c.Rcpt(ch.To, nil); err != nil {
		return "", smtpError("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return "", smtpError("DATA", err)
	}
	body, err := emailMessage(set.From, ch.To, msg)
	if err != nil {
		return "", permanent{err}
	}
	if _, err := w.Write(body); err != nil {
		return "", smtpError("message", err)
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return "", smtpError("end of message", err)
	}
	reply := "250 " + oneLine(resp.StatusText)
	_ = c.Quit() // delivered already; a lost 221 changes nothing
	return reply, nil
}

// smtpError keeps a 5xx permanent (RFC 5321 §4.2.1: the same command will
// fail again) and anything else worth a retry.
func smtpError(doing string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return permanent{fmt.Errorf("%s: %d %s", doing, se.Code, oneLine(se.Message))}
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// emailMessage writes an RFC 5322 message: a text/plain body in
// quoted-printable, the subject RFC 2047-encoded when not ASCII, and
// Auto-Submitted (RFC 3834) so that auto-responders do not answer it.
func emailMessage(from, to string, msg Message) ([]byte, error) {
	id := make([]byte, 12)
	rand.Read(id)
	_, domain, _ := strings.Cut(from, "@")
	if domain == "" {
		domain = "smtpdoctor.invalid"
	}
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", "smtpdoctor <"+from+">")
	h("To", "<"+to+">")
	h("Subject", mime.QEncoding.Encode("utf-8", "[smtpdoctor] "+msg.Headline()))
	h("Date", time.Now().Format(time.RFC1123Z))
	h("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	h("Auto-Submitted", "auto-generated")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	for _, l := range append([]string{msg.Headline(), ""}, msg.Lines()...) {
		if _, err := qp.Write([]byte(l + "\r\n")); err != nil {
			return nil, fmt.Errorf("alert: write message: %w", err)
		}
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("alert: write message: %w", err)
	}
	return b.Bytes(), nil
}
