package provider

import (
	"net/url"
	"strings"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

func TestRecognise(t *testing.T) {
	tests := []struct {
		name       string
		host       string
		banner     []string
		ehloDomain string
		replies    []string
		want       string // "" = not recognised
	}{
		{name: "gmail by host", host: "smtp.gmail.com", want: "gmail"},
		{name: "gmail host with trailing dot and caps", host: "SMTP.Gmail.com.", want: "gmail"},
		{name: "gmail by reply marker behind a custom name", host: "mail.example.org",
			replies: []string{"5.7.8 Username and Password not accepted. For more information, go to", "5.7.8  https://support.google.com/mail/?p=BadCredentials abc - gsmtp"}, want: "gmail"},
		{name: "gmail by banner", host: "192.0.2.7", banner: []string{"smtp.gmail.com ESMTP x1-2 - gsmtp"}, want: "gmail"},
		{name: "m365 by host", host: "smtp.office365.com", want: "microsoft365"},
		{name: "m365 by reply host", host: "relay.example.com",
			replies: []string{"5.7.139 Authentication unsuccessful, basic authentication is disabled. [BN9PR03CA0123.namprd03.prod.outlook.com 2026-11-29T12:00:00.000Z]"}, want: "microsoft365"},
		{name: "m365 banner beats exchange marker", host: "10.0.0.5",
			banner: []string{"BL1PR13CA0123.outlook.office365.com Microsoft ESMTP MAIL Service ready at Sun, 29 Nov 2026 12:00:00 +0000"}, want: "microsoft365"},
		{name: "outlook.com consumer host", host: "smtp-mail.outlook.com", want: "outlook"},
		{name: "exchange on-prem banner", host: "mail.corp.example",
			banner: []string{"mail.corp.example Microsoft ESMTP MAIL Service ready at Sun, 29 Nov 2026 12:00:00 +0100"}, want: "exchange"},
		{name: "ses by regional host", host: "email-smtp.eu-west-1.amazonaws.com", want: "ses"},
		{name: "ses by banner", host: "203.0.113.9", banner: []string{"email-smtp.amazonaws.com ESMTP SimpleEmailService-d-ABCDEF"}, want: "ses"},
		{name: "plain amazonaws host is not ses", host: "ec2-1-2-3-4.compute-1.amazonaws.com", want: ""},
		{name: "sendgrid", host: "smtp.sendgrid.net", want: "sendgrid"},
		{name: "mailgun eu", host: "smtp.eu.mailgun.org", want: "mailgun"},
		{name: "postmark", host: "smtp.postmarkapp.com", want: "postmark"},
		{name: "brevo", host: "smtp-relay.brevo.com", want: "brevo"},
		{name: "brevo old name", host: "smtp-relay.sendinblue.com", want: "brevo"},
		{name: "yahoo", host: "smtp.mail.yahoo.com", want: "yahoo"},
		{name: "icloud", host: "smtp.mail.me.com", want: "icloud"},
		{name: "zoho eu", host: "smtp.zoho.eu", want: "zoho"},
		{name: "zoho pro au", host: "smtppro.zoho.com.au", want: "zoho"},
		{name: "fastmail", host: "smtp.fastmail.com", want: "fastmail"},
		{name: "fastmail by ehlo domain", host: "mail.example.net", ehloDomain: "smtp.messagingengine.com", want: "fastmail"},
		{name: "postfix banner", host: "mail.example.com", banner: []string{"mail.example.com ESMTP Postfix (Debian/GNU)"}, want: "postfix"},
		{name: "exim banner", host: "mx.example.com", banner: []string{"mx.example.com ESMTP Exim 4.96 Sun, 29 Nov 2026 12:00:00 +0000"}, want: "exim"},
		{name: "opensmtpd banner", host: "mx.example.com", banner: []string{"mx.example.com ESMTP OpenSMTPD"}, want: "opensmtpd"},
		{name: "dovecot banner", host: "mx.example.com", banner: []string{"mx.example.com Dovecot ready."}, want: "dovecot"},
		{name: "go-smtp banner", host: "127.0.0.1", banner: []string{"localhost ESMTP Service Ready"}, want: "gosmtp"},
		{name: "address in reply is not a provider marker", host: "mail.example.com",
			replies: []string{"5.7.1 <bob@outlook.com>: Relay access denied"}, want: ""},
		{name: "addresses at service domains are not markers", host: "mail.example.com",
			replies: []string{"5.7.1 <a@zohomail.com> <b@brevo.com> <c@mailgun.com> <d@sendgrid.com> <e@postmarkapp.com>: Sender address rejected"}, want: ""},
		{name: "nothing known", host: "mail.example.com", banner: []string{"mail.example.com ESMTP"}, want: ""},
		{name: "empty", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := Recognise(tt.host, tt.banner, tt.ehloDomain, tt.replies)
			if tt.want == "" {
				if ok {
					t.Fatalf("Recognise = %q, want none", p.Key)
				}
				return
			}
			if !ok || p.Key != tt.want {
				t.Fatalf("Recognise = %q (%v), want %q", p.Key, ok, tt.want)
			}
		})
	}
}

func TestForEmailDomain(t *testing.T) {
	tests := map[string]string{
		"gmail.com":         "gmail",
		"alice@GMAIL.com":   "gmail",
		"hotmail.co.uk":     "outlook",
		"bob@icloud.com":    "icloud",
		"me.com":            "icloud",
		"ymail.com":         "yahoo",
		"fastmail.fm":       "fastmail",
		"example.com":       "",
		"":                  "",
		"carol@zohomail.eu": "zoho",
	}
	for in, want := range tests {
		p, ok := ForEmailDomain(in)
		if (want == "") == ok || p.Key != want {
			t.Errorf("ForEmailDomain(%q) = %q, %v; want %q", in, p.Key, ok, want)
		}
	}
}

func TestTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	domains := map[string]string{}
	for _, p := range All() {
		if p.Key == "" || p.Name == "" {
			t.Errorf("provider %+v lacks key or name", p)
		}
		if seen[p.Key] {
			t.Errorf("duplicate key %q", p.Key)
		}
		seen[p.Key] = true
		if p.Kind != KindService && p.Kind != KindSoftware {
			t.Errorf("%s: kind %q", p.Key, p.Kind)
		}
		// A hoster whose submission host is each customer's own server
		// has no endpoint to list.
		perCustomer := p.Key == "godaddy-cpanel"
		if p.Kind == KindService && len(p.Submission) == 0 && !perCustomer {
			t.Errorf("%s: a service without submission endpoints", p.Key)
		}
		if p.Kind == KindService && p.UsernameHint == "" {
			t.Errorf("%s: a service without a username hint", p.Key)
		}
		for _, d := range p.EmailDomains {
			if other, dup := domains[d]; dup {
				t.Errorf("email domain %s claimed by %s and %s", d, other, p.Key)
			}
			domains[d] = p.Key
		}
		for _, u := range []string{p.AppPasswordURL, p.DocsURL, p.AuthDocsURL, p.OAuthDocsURL, p.SenderDocsURL, p.StatusURL} {
			if u == "" {
				continue
			}
			pu, err := url.Parse(u)
			if err != nil || pu.Scheme != "https" || pu.Host == "" {
				t.Errorf("%s: URL %q is not an absolute https URL", p.Key, u)
			}
		}
		for _, e := range p.Endpoints("") {
			if strings.Contains(e.Host, "{") || e.Port <= 0 || e.Security == "" {
				t.Errorf("%s: endpoint %+v incomplete", p.Key, e)
			}
			// Every advertised endpoint must be recognised as its own provider.
			if got, ok := Recognise(e.Host, nil, "", nil); !ok || got.Key != p.Key {
				t.Errorf("%s: its own endpoint %s recognised as %q", p.Key, e.Host, got.Key)
			}
		}
		for _, d := range p.EmailDomains {
			if got, ok := ForEmailDomain(d); !ok || got.Key != p.Key {
				t.Errorf("%s: ForEmailDomain(%s) = %q", p.Key, d, got.Key)
			}
		}
	}
	for _, key := range []string{"gmail", "microsoft365", "outlook", "yahoo", "icloud", "zoho", "fastmail", "ses", "sendgrid", "mailgun", "postmark", "brevo", "postfix", "exim", "dovecot", "opensmtpd", "exchange"} {
		if !seen[key] {
			t.Errorf("provider %q missing", key)
		}
	}
}

func TestEndpointsFillRegion(t *testing.T) {
	ses, ok := ByKey("ses")
	if !ok {
		t.Fatal("no ses")
	}
	eps := ses.Endpoints("ap-southeast-2")
	if eps[0].Host != "email-smtp.ap-southeast-2.amazonaws.com" || eps[0].Port != 587 {
		t.Fatalf("ses endpoint = %+v", eps[0])
	}
	if ses.Submission[0].Host != "email-smtp.{region}.amazonaws.com" {
		t.Fatal("Endpoints changed the table")
	}
}

func TestAllReturnsACopy(t *testing.T) {
	a := All()
	a[0].Hosts[0] = "changed.example"
	b := All()
	if b[0].Hosts[0] == "changed.example" {
		t.Fatal("All exposes the table")
	}
}

func TestMatchHost(t *testing.T) {
	tests := []struct {
		pat, host string
		want      bool
	}{
		{"smtp.gmail.com", "smtp.gmail.com", true},
		{"smtp.gmail.com", "xsmtp.gmail.com", false},
		{"*.gmail.com", "smtp.gmail.com", true},
		{"*.gmail.com", "a.b.gmail.com", true},
		{"*.gmail.com", ".gmail.com", false},
		{"*.gmail.com", "gmail.com", false},
		{"*.gmail.com", "evilgmail.com", false},
		{"email-smtp.*.amazonaws.com", "email-smtp.eu-west-1.amazonaws.com", true},
		{"email-smtp.*.amazonaws.com", "email-smtp..amazonaws.com", false},
		{"email-smtp.*.amazonaws.com", "ec2.eu-west-1.amazonaws.com", false},
		{"smtp.zoho.*", "smtp.zoho.com.au", true},
		{"smtp.zoho.*", "smtp.zoho.", false},
		{"*.x.*.y", "a.x.b.y", true},
		{"*.x.*.y", "a.x..y", false},
	}
	for _, tt := range tests {
		if got := matchHost(tt.pat, tt.host); got != tt.want {
			t.Errorf("matchHost(%q, %q) = %v, want %v", tt.pat, tt.host, got, tt.want)
		}
	}
}

func TestForHostKnowsMXHosts(t *testing.T) {
	tests := map[string]string{
		"aspmx.l.google.com":                      "gmail",
		"alt1.aspmx.l.google.com.":                "gmail",
		"example-com.mail.protection.outlook.com": "microsoft365",
		"mta5.am0.yahoodns.net":                   "yahoo",
		"mx01.mail.icloud.com":                    "icloud",
		"mx.zoho.eu":                              "zoho",
		"in1-smtp.messagingengine.com":            "fastmail",
		"mxa.mailgun.org":                         "mailgun",
		"mx.example.com":                          "",
	}
	for host, want := range tests {
		p, ok := ForHost(host)
		if (want == "") == ok || p.Key != want {
			t.Errorf("ForHost(%q) = %q, %v; want %q", host, p.Key, ok, want)
		}
	}
}

func TestTableCoversTheWorld(t *testing.T) {
	services := 0
	for _, p := range All() {
		if p.Kind == KindService {
			services++
		}
		for i, rp := range p.Replies {
			if len(rp.Words) == 0 || !probe.KnownCode(string(rp.Why)) {
				t.Errorf("%s: reply pattern %d has no words or an unknown code %q", p.Key, i, rp.Why)
			}
			if !strings.HasPrefix(rp.Source, "https://") {
				t.Errorf("%s: reply pattern %d (%v) has no source URL", p.Key, i, rp.Words)
			}
			for _, w := range rp.Words {
				if w != strings.ToLower(w) {
					t.Errorf("%s: reply pattern %d: words are matched lower-case; %q is not", p.Key, i, w)
				}
			}
		}
		for _, a := range p.Advice {
			if !probe.KnownCode(string(a.Code)) || len(a.Steps) == 0 {
				t.Errorf("%s: advice for %q is empty or for an unknown code", p.Key, a.Code)
			}
		}
		if p.Kind == KindService && p.DocsURL == "" {
			t.Errorf("%s: a service without its own settings page", p.Key)
		}
	}
	if services < 40 {
		t.Errorf("%d services in the table; it must know at least 40", services)
	}
}

// A product name that several operators run names the software, or
// nothing: never one of the operators.
func TestSharedMarkersNameTheRightOne(t *testing.T) {
	tests := []struct {
		name   string
		host   string
		banner []string
		want   string // "" = not recognised
	}{
		{"gmx by its host tag", "mail.example.org", []string{"gmx.com (mrgmxus001) Nemesis ESMTP Service ready"}, "gmx"},
		{"web.de by its host tag", "mail.example.org", []string{"web.de (mrweb106) Nemesis ESMTP Service ready"}, "webde"},
		{"ionos by its host tag", "mail.example.org", []string{"kundenserver.de (mreue009) Nemesis ESMTP Service ready"}, "ionos"},
		{"nemesis alone is nobody", "mail.example.org", []string{"mx.example.org (abc) Nemesis ESMTP Service ready"}, ""},
		{"netease by its coremail tag", "mail.example.org", []string{"163.com Anti-spam GT for Coremail System (163com[20141201])"}, "netease"},
		{"coremail alone is not netease", "mail.example.org", []string{"mail.example.edu.cn Anti-spam GT for Coremail System (example[20190101])"}, ""},
		{"godaddy cpanel server", "p3plcpnl0749.prod.phx3.secureserver.net", nil, "godaddy-cpanel"},
		{"godaddy mailbox service", "smtpout.secureserver.net", nil, "godaddy"},
		{"cpanel banner on a custom name", "mail.example.org", []string{"gator2016.hostgator.com ESMTP Exim 4.91 #1 Wed, 29 Aug 2018 03:49:49 -0500", "We do not authorize the use of this system to transport unsolicited,", "and/or bulk e-mail."}, "cpanel"},
		{"exim alone is the software", "mail.example.org", []string{"mail.smtp.com ESMTP Exim 4.94.2-S2G Mon, 01 Nov 2021 11:28:45 +0000"}, "exim"},
		{"exchange hosted by ovh", "ex4.mail.ovh.net", []string{"ex4.mail.ovh.net Microsoft ESMTP MAIL Service ready at Tue, 12 Jul 2022 09:28:42 +0200"}, "ovh"},
		{"exchange on premises", "mail.corp.example", []string{"mail.corp.example Microsoft ESMTP MAIL Service ready at Tue, 12 Jul 2022 09:28:42 +0200"}, "exchange"},
		{"zeptomail is not zoho mail", "smtp.zeptomail.eu", nil, "zeptomail"},
		{"yandex by its banner", "mail.example.org", []string{"smtp4m.mail.yandex.net ESMTP (Want to use Yandex.Mail for your domain? Visit http://pdd.yandex.ru)"}, "yandex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := Recognise(tt.host, tt.banner, "", nil)
			got := ""
			if ok {
				got = p.Key
			}
			if got != tt.want {
				t.Errorf("Recognise(%q, %q) = %q, want %q", tt.host, tt.banner, got, tt.want)
			}
		})
	}
}
