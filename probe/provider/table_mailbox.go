package provider

import "github.com/smtpdoctor/smtpdoctor/probe"

// mailboxServices are mailbox providers outside the English-speaking
// world's big three. Each answers refusals in its own words ("authorization
// code", "application password is REQUIRED", "User has no permission"):
// their Replies say what those words mean.
var mailboxServices = []Provider{
	{
		Key:  "yandex",
		Name: "Yandex Mail (Yandex 360)",
		Kind: KindService,
		Hosts: []string{
			"smtp.yandex.ru", "smtp.yandex.com", "smtp.yandex.net",
			"*.yandex.ru", "*.yandex.net", "*.yandex.com",
		},
		// Yandex's greeting advertises its domain mail service.
		BannerMarkers: []string{"pdd.yandex.ru", "yandex.net ESMTP"},
		ReplyMarkers:  []string{"help.yandex.ru/mail", "yandex.ru/support/mail", "yandex.com/support/mail"},
		EmailDomains:  []string{"yandex.ru", "yandex.com", "ya.ru", "yandex.by", "yandex.kz", "yandex.ua", "narod.ru"},
		Submission: []Endpoint{
			{Host: "smtp.yandex.ru", Port: 465, Security: probe.SecurityTLS},
			{Host: "smtp.yandex.ru", Port: 587, Security: probe.SecurityStartTLS},
		},
		UsernameHint:      "your full Yandex address (or the login before @yandex.ru)",
		UsernameIsAddress: true,
		PasswordHint:      "an app password for Mail, created in Yandex ID; the account password is refused by mail apps",
		AppPasswordURL:    "https://id.yandex.ru/security/app-passwords",
		DocsURL:           "https://yandex.com/support/mail/mail-clients/others.html",
		AuthDocsURL:       "https://yandex.com/support/passport/authorization/app-passwords.html",
		Replies: []ReplyPattern{
			{Words: []string{"without ssl/tls encryption is not allowed"}, Why: probe.CodeAuthRequiresTLS,
				Source: "https://github.com/PHPMailer/PHPMailer/issues/283"},
			{Step: probe.StepAuth, Words: []string{"prove you are not a robot"}, Why: probe.CodeAuthWebLoginRequired,
				Source: "https://github.com/higty/higlabo/pull/17"},
			{Words: []string{"not owned by auth user"}, Why: probe.CodeSenderRejected,
				Source: "https://github.com/splitbrain/dokuwiki-plugin-smtp/issues/38"},
		},
		Advice: []Advice{
			{Code: probe.CodeAuthBlockedByPolicy, Steps: []string{
				"Yandex: turn on access for mail programs: Mail → All settings → Email clients → tick \"From the imap.yandex.ru server via IMAP\" and choose \"App passwords and OAuth tokens\" (https://yandex.com/support/mail/mail-clients/others.html).",
				"Then create an app password for Mail at https://id.yandex.ru/security/app-passwords and use it instead of the account password.",
			}},
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"Yandex: use your full Yandex address as the username and an app password for Mail (https://id.yandex.ru/security/app-passwords) as the password; the account password does not work in mail apps.",
				"Check that mail programs are allowed: Mail → All settings → Email clients.",
			}},
			{Code: probe.CodeAuthWebLoginRequired, Steps: []string{
				"Yandex suspects this account of sending spam and wants a person: sign in to mail.yandex.ru in a browser, send a message from the web interface and solve the check (the link in the reply) if shown.",
				"Then retry; if the block persists, Yandex support decides (https://yandex.com/support/mail/).",
			}},
			{Code: probe.CodeAuthRequiresTLS, Steps: []string{
				"Yandex accepts mail apps only over SSL/TLS: smtp.yandex.ru port 465 with SSL/TLS, or port 587 with STARTTLS.",
			}},
			{Code: probe.CodeSenderRejected, Steps: []string{
				"Yandex sends only from the signed-in address and its aliases: the From address must be the login's own address (or an address of your Yandex 360 domain that this user owns).",
			}},
		},
	},
	{
		Key:          "mailru",
		Name:         "Mail.ru",
		Kind:         KindService,
		Hosts:        []string{"smtp.mail.ru", "*.mail.ru"},
		ReplyMarkers: []string{"help.mail.ru"},
		EmailDomains: []string{"mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru"},
		Submission: []Endpoint{
			{Host: "smtp.mail.ru", Port: 465, Security: probe.SecurityTLS},
			{Host: "smtp.mail.ru", Port: 587, Security: probe.SecurityStartTLS},
		},
		UsernameHint:      "your full Mail.ru address",
		UsernameIsAddress: true,
		PasswordHint:      "an application password (\"пароль для внешнего приложения\"); Mail.ru refuses the account password in mail apps",
		DocsURL:           "https://help.mail.ru/mail/security/protection/external",
		AuthDocsURL:       "https://blog.mail.ru/tutorial/application_passwords/",
		Replies: []ReplyPattern{
			{Step: probe.StepAuth, Words: []string{"application password is required"}, Why: probe.CodeAuthAppPasswordRequired,
				Source: "https://github.com/lmanukyan/print-designer/issues/5"},
			{Step: probe.StepAuth, Words: []string{"parol prilozheniya"}, Why: probe.CodeAuthAppPasswordRequired,
				Source: "https://github.com/lmanukyan/print-designer/issues/5"},
		},
		Advice: []Advice{
			{Code: probe.CodeAuthAppPasswordRequired, Replace: true, Steps: []string{
				"Mail.ru: create a password for an external application (Security → Passwords for external applications, https://blog.mail.ru/tutorial/application_passwords/) with access to SMTP, and use it instead of the account password (https://help.mail.ru/mail/security/protection/external).",
				"Use your full Mail.ru address as the username and smtp.mail.ru port 465 with SSL/TLS.",
			}},
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"Mail.ru: use your full address and a password for an external application (https://help.mail.ru/mail/security/protection/external), not the account password.",
			}},
		},
	},
	{
		Key:  "qq",
		Name: "QQ Mail (Tencent)",
		Kind: KindService,
		Hosts: []string{
			"smtp.qq.com", "smtp.exmail.qq.com", "smtp.foxmail.com", "*.qq.com", "*.foxmail.com",
		},
		ReplyMarkers: []string{"service.mail.qq.com", "mail.qq.com/cgi-bin/help"},
		EmailDomains: []string{"qq.com", "foxmail.com", "vip.qq.com"},
		Submission: []Endpoint{
			{Host: "smtp.qq.com", Port: 465, Security: probe.SecurityTLS},
			{Host: "smtp.qq.com", Port: 587, Security: probe.SecurityStartTLS},
		},
		UsernameHint:      "your full QQ Mail address (number@qq.com)",
		UsernameIsAddress: true,
		PasswordHint:      "the authorization code (授权码) generated when you turn on the SMTP service, not the QQ password",
		DocsURL:           "https://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256",
		AuthDocsURL:       "https://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256",
		Replies: []ReplyPattern{
			{Step: probe.StepAuth, Words: []string{"authorization code"}, Why: probe.CodeAuthAppPasswordRequired,
				Source: "https://github.com/louislam/uptime-kuma/issues/3434"},
			{Step: probe.StepMail, Words: []string{"need ehlo and auth first"}, Why: probe.CodeAuthRequired,
				Source: "https://github.com/ltb-project/self-service-password/issues/436"},
		},
		Advice: []Advice{
			{Code: probe.CodeAuthAppPasswordRequired, Replace: true, Steps: []string{
				"QQ Mail: in the web mailbox open Settings → Account, turn on \"POP3/IMAP/SMTP/Exchange/CardDAV/CalDAV service\" and generate an authorization code (授权码) (https://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256).",
				"Use that authorization code as the password, and the full address (number@qq.com) as the username, on smtp.qq.com port 465 with SSL/TLS.",
				"Each device or app should get its own authorization code; a code stops working when the QQ password is changed or the service is turned off.",
			}},
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"QQ Mail: the password must be the authorization code (授权码) from Settings → Account → POP3/IMAP/SMTP service, not the QQ password (https://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256).",
			}},
			{Code: probe.CodeAuthRequired, Steps: []string{
				"QQ Mail and Tencent Exmail accept mail only after EHLO and AUTH on the same connection: turn on SMTP authentication in the app (smtp.qq.com or smtp.exmail.qq.com, port 465, SSL).",
			}},
		},
	},
	{
		Key:  "netease",
		Name: "NetEase Mail (163, 126, yeah.net)",
		Kind: KindService,
		Hosts: []string{
			"smtp.163.com", "smtp.126.com", "smtp.yeah.net", "smtp.188.com",
			"*.163.com", "*.126.com", "*.yeah.net",
		},
		// NetEase runs Coremail; the product name alone is software used
		// by many others, so only NetEase's own tags count.
		BannerMarkers: []string{"163com[", "126com[", "yeahnet["},
		ReplyMarkers:  []string{"mail.163.com/help", "help.163.com", "163 smtp", "126 smtp"},
		EmailDomains:  []string{"163.com", "126.com", "yeah.net", "188.com"},
		Submission: []Endpoint{
			{Host: "smtp.163.com", Port: 465, Security: probe.SecurityTLS},
			{Host: "smtp.126.com", Port: 465, Security: probe.SecurityTLS},
		},
		UsernameHint:      "your full 163/126 address",
		UsernameIsAddress: true,
		PasswordHint:      "the client authorization code (客户端授权密码) set when you turn on SMTP, not the account password",
		AppPasswordURL:    "https://mail.163.com/",
		DocsURL:           "https://help.mail.163.com/",
		Replies: []ReplyPattern{
			{Words: []string{"user has no permission"}, Why: probe.CodeAuthBlockedByPolicy,
				Source: "https://github.com/open-falcon/mail-provider/issues/6"},
			{Words: []string{"local user only"}, Why: probe.CodeSenderRejected,
				Source: "https://github.com/ruanyf/weather-action/issues/5"},
		},
		Advice: []Advice{
			{Code: probe.CodeAuthBlockedByPolicy, Replace: true, Steps: []string{
				"NetEase: SMTP is off for this mailbox. In the web mailbox open Settings → POP3/SMTP/IMAP, turn on the SMTP service and set a client authorization code (http://help.163.com/09/1224/17/5RAJ4LMH00753VB8.html).",
				"Use that authorization code as the password, not the account password.",
			}},
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"NetEase: the password must be the client authorization code from Settings → POP3/SMTP/IMAP, and the SMTP service must be on there.",
			}},
			{Code: probe.CodeSenderRejected, Steps: []string{
				"NetEase sends only from the signed-in mailbox (\"Local user only\"): set the From address to the login's own 163/126 address.",
			}},
		},
	},
	{
		Key:           "gmx",
		Name:          "GMX",
		Kind:          KindService,
		Hosts:         []string{"mail.gmx.net", "mail.gmx.com", "*.gmx.net", "*.gmx.com", "*.gmx.de"},
		BannerMarkers: []string{"gmx.com (mrgmx", "gmx.net (mrgmx", "(mrgmx"},
		EmailDomains:  []string{"gmx.de", "gmx.net", "gmx.com", "gmx.at", "gmx.ch", "gmx.us"},
		Submission: []Endpoint{
			{Host: "mail.gmx.net", Port: 587, Security: probe.SecurityStartTLS},
			{Host: "mail.gmx.net", Port: 465, Security: probe.SecurityTLS},
		},
		UsernameHint:      "your full GMX address",
		UsernameIsAddress: true,
		PasswordHint:      "your GMX password (or an app password if two-factor authentication is on); POP3/IMAP access must be switched on first",
		DocsURL:           "https://support.gmx.com/pop-imap/toggle.html",
		AuthDocsURL:       "https://hilfe.gmx.net/pop-imap/einschalten.html",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Steps: []string{
				"GMX: switch on \"POP3 and IMAP access\" in the web mailbox (E-Mail settings → POP3 & IMAP, https://support.gmx.com/pop-imap/toggle.html); until then GMX refuses every mail app login.",
				"Use the full GMX address as the username; with two-factor authentication on, create an app password.",
			}},
		},
	},
	{
		Key:           "webde",
		Name:          "WEB.DE",
		Kind:          KindService,
		Hosts:         []string{"smtp.web.de", "*.web.de"},
		BannerMarkers: []string{"web.de (mrweb", "(mrweb"},
		EmailDomains:  []string{"web.de"},
		Submission: []Endpoint{
			{Host: "smtp.web.de", Port: 587, Security: probe.SecurityStartTLS},
		},
		UsernameHint:      "your full WEB.DE address (or the part before @web.de)",
		UsernameIsAddress: true,
		PasswordHint:      "your WEB.DE password (or an app password with two-factor authentication); POP3/IMAP access must be switched on first",
		DocsURL:           "https://hilfe.web.de/pop-imap/imap/imap-serverdaten.html",
		AuthDocsURL:       "https://hilfe.web.de/pop-imap/einschalten.html",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Steps: []string{
				"WEB.DE: switch on \"POP3/IMAP Abruf\" in the web mailbox (Einstellungen → POP3/IMAP Abruf, https://hilfe.web.de/pop-imap/einschalten.html); without it every mail app login is refused as invalid credentials.",
				"Use smtp.web.de port 587 with STARTTLS.",
			}},
		},
	},
	{
		Key:           "orange",
		Name:          "Orange (orange.fr, wanadoo.fr)",
		Kind:          KindService,
		Hosts:         []string{"smtp.orange.fr", "smtp.wanadoo.fr", "*.orange.fr", "*.wanadoo.fr"},
		BannerMarkers: []string{" ME ESMTP server ready"},
		// Orange tags its refusals OFR_nnn / OFRnnn_nnn.
		ReplyMarkers: []string{"OFR_", "OFR0", "OFR1"},
		EmailDomains: []string{"orange.fr", "wanadoo.fr"},
		Submission: []Endpoint{
			{Host: "smtp.orange.fr", Port: 465, Security: probe.SecurityTLS},
		},
		UsernameHint:      "your full Orange address",
		UsernameIsAddress: true,
		PasswordHint:      "the password of the Orange mailbox",
		DocsURL:           "https://assistance.orange.fr/",
		Replies: []ReplyPattern{
			{Words: []string{"too many connections"}, Why: probe.CodeAuthRateLimited,
				Source: "https://github.com/sisimai/p5-sisimai/issues/240"},
			{Words: []string{"invalid sender"}, Why: probe.CodeSenderRejected,
				Source: "https://github.com/sisimai/p5-sisimai/issues/240"},
		},
		Advice: []Advice{
			{Code: probe.CodeAuthRateLimited, Steps: []string{
				"Orange limits simultaneous connections (\"Trop de connexions\"): close other mail apps or devices sending through smtp.orange.fr, wait a few minutes, and send over a single connection.",
			}},
			{Code: probe.CodeSenderRejected, Steps: []string{
				"Orange accepts only an Orange address of this account as sender (\"Emetteur invalide\"): use the mailbox's own @orange.fr or @wanadoo.fr address in From.",
			}},
		},
	},
	{
		Key:          "libero",
		Name:         "Libero Mail (Italiaonline)",
		Kind:         KindService,
		Hosts:        []string{"smtp.libero.it", "*.libero.it", "*.iol.it"},
		EmailDomains: []string{"libero.it", "inwind.it", "iol.it", "blu.it"},
		Submission: []Endpoint{
			{Host: "smtp.libero.it", Port: 465, Security: probe.SecurityTLS},
		},
		UsernameHint:      "your full Libero address",
		UsernameIsAddress: true,
		PasswordHint:      "the Libero Mail password; free accounts must keep mail-app access enabled",
		DocsURL:           "https://aiuto.libero.it/",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Steps: []string{
				"Libero: use smtp.libero.it port 465 with SSL/TLS and the full address as username; check in the Libero Mail settings that access from mail programs (POP/IMAP/SMTP) is allowed for the account (https://aiuto.libero.it/).",
			}},
		},
	},
	{
		Key:          "tiscali",
		Name:         "Tiscali Mail",
		Kind:         KindService,
		Hosts:        []string{"smtp.tiscali.it", "*.tiscali.it"},
		EmailDomains: []string{"tiscali.it"},
		Submission: []Endpoint{
			{Host: "smtp.tiscali.it", Port: 465, Security: probe.SecurityTLS},
		},
		UsernameHint:      "your full Tiscali address",
		UsernameIsAddress: true,
		DocsURL:           "https://assistenza.tiscali.it/",
		Replies: []ReplyPattern{
			{Step: probe.StepAuth, Words: []string{"password is too simple"}, Why: probe.CodeAuthBlockedByPolicy,
				Source: "https://github.com/MailCore/mailcore2/pull/1517"},
		},
		Advice: []Advice{
			{Code: probe.CodeAuthBlockedByPolicy, Steps: []string{
				"Tiscali refuses logins with a password it considers too simple, even when it is right: change the mailbox password to a stronger one in the Tiscali web mail, then use the new one here.",
			}},
		},
	},
	{
		Key:          "tonline",
		Name:         "Telekom Mail (t-online.de)",
		Kind:         KindService,
		Hosts:        []string{"securesmtp.t-online.de", "smtpmail.t-online.de", "*.t-online.de"},
		EmailDomains: []string{"t-online.de", "magenta.de"},
		Submission: []Endpoint{
			{Host: "securesmtp.t-online.de", Port: 465, Security: probe.SecurityTLS},
			{Host: "securesmtp.t-online.de", Port: 587, Security: probe.SecurityStartTLS},
		},
		UsernameHint:      "your full t-online.de address",
		UsernameIsAddress: true,
		PasswordHint:      "the separate e-mail password (\"E-Mail-Passwort\") set in the Telekom Kundencenter, not the Telekom login password",
		DocsURL:           "https://www.telekom.de/hilfe/festnetz-internet-tv/e-mail/e-mail-server-e-mail-protokolle-und-e-mail-einrichtung/posteingangsserver-und-postausgangsserver",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"Telekom Mail: mail apps need the separate e-mail password (\"E-Mail-Passwort\"), set in the E-Mail Center under Einstellungen → Passwörter; the Telekom login password is refused.",
				"Use securesmtp.t-online.de port 465 (SSL/TLS) or 587 (STARTTLS) and the full address as username (https://www.telekom.de/hilfe/festnetz-internet-tv/e-mail/e-mail-server-e-mail-protokolle-und-e-mail-einrichtung/posteingangsserver-und-postausgangsserver).",
			}},
		},
	},
	{
		Key:          "naver",
		Name:         "Naver Mail",
		Kind:         KindService,
		Hosts:        []string{"smtp.naver.com", "*.naver.com"},
		EmailDomains: []string{"naver.com"},
		Submission: []Endpoint{
			{Host: "smtp.naver.com", Port: 465, Security: probe.SecurityTLS},
			{Host: "smtp.naver.com", Port: 587, Security: probe.SecurityStartTLS},
		},
		UsernameHint: "your Naver ID (the part before @naver.com)",
		PasswordHint: "your Naver password, or an application password when two-step verification is on; IMAP/SMTP must be enabled in Naver Mail settings",
		DocsURL:      "https://help.naver.com/",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"Naver: enable \"POP3/SMTP\" or \"IMAP/SMTP\" use in Naver Mail → Environment settings, then log in with your Naver ID (without @naver.com).",
				"If two-step verification is on, create an application password in Naver ID → Security settings and use it as the password.",
			}},
		},
	},
	{
		Key:           "protonmail",
		Name:          "Proton Mail",
		Kind:          KindService,
		Hosts:         []string{"smtp.protonmail.ch", "*.protonmail.ch", "*.proton.me"},
		BannerMarkers: []string{"protonmail.ch"},
		EmailDomains:  []string{"proton.me", "protonmail.com", "protonmail.ch", "pm.me"},
		Submission: []Endpoint{
			{Host: "smtp.protonmail.ch", Port: 587, Security: probe.SecurityStartTLS},
			{Host: "smtp.protonmail.ch", Port: 465, Security: probe.SecurityTLS},
		},
		UsernameHint:      "the custom-domain address the SMTP token was made for",
		UsernameIsAddress: true,
		PasswordHint:      "an SMTP token created in Proton Mail settings (paid plans, custom domains); the Proton password is refused",
		DocsURL:           "https://proton.me/support/smtp-submission",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"Proton Mail: SMTP submission needs an SMTP token (Settings → IMAP/SMTP → SMTP tokens, https://proton.me/support/smtp-submission) for an address on your own custom domain; the account password and Bridge passwords do not work on smtp.protonmail.ch.",
			}},
			{Code: probe.CodeAuthRequired, Steps: []string{
				"Proton Mail: authenticate with the address and its SMTP token before sending (smtp.protonmail.ch port 587 with STARTTLS).",
			}},
		},
	},
}
