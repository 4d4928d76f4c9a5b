package alert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/smtpdoctor/smtpdoctor/probe/watch"
)

// request is an HTTP delivery: the body and its headers.
type request struct {
	contentType string
	headers     map[string]string
	body        []byte
}

// httpRequest renders msg in the format the channel's type accepts.
func httpRequest(t watch.AlertType, msg Message) (request, error) {
	var v any
	switch t {
	case watch.AlertWebhook:
		v = msg
	case watch.AlertSlack:
		v = slackBody(msg)
	case watch.AlertTeams:
		v = teamsBody(msg)
	case watch.AlertDiscord:
		v = discordBody(msg)
	case watch.AlertNtfy:
		return ntfyRequest(msg), nil
	default:
		return request{}, fmt.Errorf("alert: %q is not an HTTP channel", t)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return request{}, fmt.Errorf("alert: encode %s body: %w", t, err)
	}
	return request{contentType: "application/json", body: buf.Bytes()}, nil
}

// Slack incoming webhooks take {"text": ...} in mrkdwn, where &, < and >
// must be escaped and <url|label> is a link
// (https://api.slack.com/reference/surfaces/formatting#escaping).
func slackBody(msg Message) map[string]any {
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
	var b strings.Builder
	fmt.Fprintf(&b, "*%s*", esc(msg.Headline()))
	for _, l := range msg.Lines() {
		b.WriteString("\n" + esc(l))
	}
	fmt.Fprintf(&b, "\n<%s|Open in smtpdoctor>", msg.Link())
	return map[string]any{"text": b.String()}
}

// Discord webhooks take {"content": ...} up to 2,000 characters; mentions
// are switched off so a monitor named "@everyone" pings nobody
// (https://discord.com/developers/docs/resources/webhook#execute-webhook).
func discordBody(msg Message) map[string]any {
	text := "**" + discordEscape(msg.Headline()) + "**\n" + discordEscape(strings.Join(msg.Lines(), "\n"))
	if utf8.RuneCountInString(text) > 2000 {
		text = string([]rune(text)[:1999]) + "…"
	}
	return map[string]any{
		"content":          text,
		"allowed_mentions": map[string]any{"parse": []string{}},
	}
}

func discordEscape(s string) string {
	return strings.NewReplacer("*", "\\*", "_", "\\_", "~", "\\~", "`", "\\`", "|", "\\|", ">", "\\>").Replace(s)
}

// Microsoft Teams workflow webhooks ("Send webhook alerts to a channel")
// take a message whose attachment is an Adaptive Card.
func teamsBody(msg Message) map[string]any {
	body := []map[string]any{{
		"type": "TextBlock", "text": msg.Headline(), "weight": "Bolder", "size": "Medium", "wrap": true,
	}}
	for _, l := range msg.Lines() {
		body = append(body, map[string]any{"type": "TextBlock", "text": l, "wrap": true})
	}
	card := map[string]any{
		"type":    "AdaptiveCard",
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"version": "1.4",
		"body":    body,
		"actions": []map[string]any{{"type": "Action.OpenUrl", "title": "Open in smtpdoctor", "url": msg.Link()}},
	}
	return map[string]any{
		"type": "message",
		"attachments": []map[string]any{{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"content":     card,
		}},
	}
}

// ntfy publishes the body as the message text; the title, priority, tags
// and click-through link go in headers (https://docs.ntfy.sh/publish/).
// Header values are one line, RFC 2047-encoded when not ASCII, which ntfy
// decodes.
func ntfyRequest(msg Message) request {
	priority, tags := "default", "information_source"
	switch msg.Event {
	case watch.EventFailing, watch.EventChanged:
		priority, tags = "high", "rotating_light"
	case watch.EventRecovered:
		tags = "white_check_mark"
	case watch.EventCertExpiring, watch.EventBasicAuthRetiring:
		tags = "warning"
	}
	return request{
		contentType: "text/plain; charset=utf-8",
		headers: map[string]string{
			"Title":    mime.QEncoding.Encode("utf-8", msg.Headline()),
			"Priority": priority,
			"Tags":     tags,
			"Click":    msg.Link(),
		},
		body: []byte(strings.Join(msg.Lines(), "\n")),
	}
}
