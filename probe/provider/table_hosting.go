package provider

import "github.com/smtpdoctor/smtpdoctor/probe"

// hostingServices are web and mail hosters. Several share software
// (cPanel's Exim, 1&1's "Nemesis" MTA shared by IONOS, GMX and WEB.DE,
// Microsoft Exchange hosted by OVH), so they are told apart by host names,
// never by a product name alone.
var hostingServices = []Provider{
	{
		// GoDaddy's cPanel hosting servers answer as
		// p3plcpnl0749.prod.phx3.secureserver.net: before the broader
		// secureserver.net entry below, which is GoDaddy's mailbox
		// product with different advice.
		Key:               "godaddy-cpanel",
		Name:              "GoDaddy cPanel hosting (secureserver.net)",
		Kind:              KindService,
		Hosts:             []string{"*cpnl*.secureserver.net", "*plcpnl*.secureserver.net", "relay-hosting.secureserver.net"},
		UsernameHint:      "the full address of a mailbox created in this hosting account's cPanel",
		UsernameIsAddress: true,
		PasswordHint:      "that cPanel mailbox's password",
		DocsURL:           "https://www.godaddy.com/help",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"GoDaddy cPanel hosting: log in with a mailbox created in cPanel → Email Accounts, its full address and its password; reset the password there if unsure.",
				"Mailboxes bought as Microsoft 365 from GoDaddy or Professional Email are not on this server: they use smtp.office365.com or smtpout.secureserver.net.",
			}},
		},
	},
	{
		Key:               "godaddy",
		Name:              "GoDaddy Professional Email (Workspace)",
		Kind:              KindService,
		Hosts:             []string{"smtpout.secureserver.net", "smtp.secureserver.net", "*.secureserver.net"},
		UsernameHint:      "your full GoDaddy email address",
		UsernameIsAddress: true,
		PasswordHint:      "the mailbox password set in GoDaddy's Email & Office dashboard",
		Submission: []Endpoint{
			{Host: "smtpout.secureserver.net", Port: 465, Security: probe.SecurityTLS},
			{Host: "smtpout.secureserver.net", Port: 587, Security: probe.SecurityStartTLS},
		},
		DocsURL: "https://www.godaddy.com/help/server-and-port-settings-for-workspace-email-6949",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"GoDaddy Professional Email: use the full address and the mailbox password; reset it in the Email & Office dashboard if unsure.",
				"Use smtpout.secureserver.net port 465 (SSL) or 587 (https://www.godaddy.com/help/server-and-port-settings-for-workspace-email-6949). If your GoDaddy mailbox is Microsoft 365, use smtp.office365.com instead.",
			}},
		},
	},
	{
		Key:  "ionos",
		Name: "IONOS (1&1)",
		Kind: KindService,
		Hosts: []string{
			"smtp.ionos.com", "smtp.ionos.de", "smtp.ionos.co.uk", "smtp.ionos.es", "smtp.ionos.fr", "smtp.ionos.it",
			"smtp.1and1.com", "smtp.1und1.de", "auth.smtp.1and1.co.uk",
			"*.kundenserver.de", "*.perfora.net", "*.ionos.com", "*.ionos.de",
		},
		// The 1&1 MTA calls itself "Nemesis" for IONOS, GMX and WEB.DE
		// alike: only the host names tell them apart.
		BannerMarkers: []string{"kundenserver.de (mreue", "perfora.net (mreue"},
		Submission: []Endpoint{
			{Host: "smtp.ionos.{region}", Port: 587, Security: probe.SecurityStartTLS},
			{Host: "smtp.ionos.{region}", Port: 465, Security: probe.SecurityTLS},
		},
		Regions:           []string{"com", "de", "co.uk", "es", "fr", "it"},
		UsernameHint:      "the full email address",
		UsernameIsAddress: true,
		PasswordHint:      "the mailbox password set in the IONOS control panel",
		DocsURL:           "https://www.ionos.co.uk/help/email/glossary-email-terms-explained/outgoing-mail-server/",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"IONOS: use the full address and the mailbox password (reset it under Email in the IONOS control panel), on smtp.ionos.com (or the smtp.ionos host of your country: .de, .co.uk, .es, .fr, .it) port 587 with STARTTLS (https://www.ionos.co.uk/help/email/glossary-email-terms-explained/outgoing-mail-server/).",
			}},
			{Code: probe.CodeSenderRejected, Steps: []string{
				"IONOS sends only from the mailbox's own address or its aliases; add other addresses as aliases of the mailbox in the control panel.",
			}},
		},
	},
	{
		Key:   "ovh",
		Name:  "OVHcloud mail",
		Kind:  KindService,
		Hosts: []string{"ssl0.ovh.net", "pro1.mail.ovh.net", "*.mail.ovh.net", "*.ovh.net"},
		Submission: []Endpoint{
			{Host: "ssl0.ovh.net", Port: 465, Security: probe.SecurityTLS},
			{Host: "ssl0.ovh.net", Port: 587, Security: probe.SecurityStartTLS},
		},
		UsernameHint:      "the full email address",
		UsernameIsAddress: true,
		PasswordHint:      "the mailbox password set in the OVHcloud Control Panel",
		DocsURL:           "https://help.ovhcloud.com/csm/fr-mx-plan-outlook-windows-configuration?id=kb_article_view&sysparm_article=KB0052099",
		AuthDocsURL:       "https://help.ovhcloud.com/csm/en-gb-email-security-policy?id=kb_article_view&sysparm_article=KB0053250",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"OVHcloud: use the full address and the mailbox password (change it in the OVHcloud Control Panel → Web Cloud → Emails). MX Plan mailboxes send through ssl0.ovh.net port 465 (SSL) or 587; Hosted Exchange mailboxes through their own exN.mail.ovh.net host on 587.",
			}},
		},
	},
	{
		Key:               "hostinger",
		Name:              "Hostinger Email",
		Kind:              KindService,
		Hosts:             []string{"smtp.hostinger.com", "*.hostinger.com"},
		UsernameHint:      "the full email address",
		UsernameIsAddress: true,
		PasswordHint:      "the mailbox password set in hPanel",
		Submission: []Endpoint{
			{Host: "smtp.hostinger.com", Port: 465, Security: probe.SecurityTLS},
			{Host: "smtp.hostinger.com", Port: 587, Security: probe.SecurityStartTLS},
		},
		DocsURL: "https://support.hostinger.com/",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"Hostinger: use the full address and the mailbox password; change it in hPanel → Emails → Email Accounts if unsure, then wait a few minutes.",
				"Use smtp.hostinger.com port 465 with SSL/TLS.",
			}},
		},
	},
	{
		Key:               "namecheap",
		Name:              "Namecheap Private Email",
		Kind:              KindService,
		Hosts:             []string{"mail.privateemail.com", "*.privateemail.com"},
		UsernameHint:      "the full Private Email address",
		UsernameIsAddress: true,
		PasswordHint:      "the mailbox password",
		Submission: []Endpoint{
			{Host: "mail.privateemail.com", Port: 465, Security: probe.SecurityTLS},
			{Host: "mail.privateemail.com", Port: 587, Security: probe.SecurityStartTLS},
		},
		DocsURL: "https://www.namecheap.com/support/knowledgebase/article.aspx/1179/2175/general-private-email-configuration-for-mail-clients-and-mobile-devices/",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"Namecheap Private Email: use mail.privateemail.com port 465 (SSL) with the full address and the mailbox password; reset it in the Private Email dashboard if unsure (https://www.namecheap.com/support/knowledgebase/article.aspx/1179/2175/general-private-email-configuration-for-mail-clients-and-mobile-devices/).",
			}},
		},
	},
	{
		Key:               "strato",
		Name:              "STRATO Mail",
		Kind:              KindService,
		Hosts:             []string{"smtp.strato.de", "smtp.strato.com", "*.strato.de", "*.strato.com"},
		UsernameHint:      "the full email address",
		UsernameIsAddress: true,
		PasswordHint:      "the mailbox password set in the STRATO customer login",
		Submission: []Endpoint{
			{Host: "smtp.strato.de", Port: 465, Security: probe.SecurityTLS},
			{Host: "smtp.strato.de", Port: 587, Security: probe.SecurityStartTLS},
		},
		DocsURL: "https://www.strato.de/faq/",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"STRATO: use smtp.strato.de port 465 (SSL) with the full address and the mailbox password; set a new one in the STRATO customer login under E-Mail → Verwaltung if unsure.",
			}},
		},
	},
	{
		Key:               "rackspace",
		Name:              "Rackspace Email",
		Kind:              KindService,
		Hosts:             []string{"secure.emailsrvr.com", "smtp.emailsrvr.com", "*.emailsrvr.com"},
		BannerMarkers:     []string{"emailsrvr.com"},
		UsernameHint:      "the full email address",
		UsernameIsAddress: true,
		PasswordHint:      "the mailbox password",
		Submission: []Endpoint{
			{Host: "secure.emailsrvr.com", Port: 465, Security: probe.SecurityTLS},
			{Host: "secure.emailsrvr.com", Port: 587, Security: probe.SecurityStartTLS},
		},
		DocsURL: "https://docs.rackspace.com/",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"Rackspace Email: use secure.emailsrvr.com port 465 (SSL) or 587 with the full address and the mailbox password; an administrator resets it in the Cloud Office Control Panel.",
			}},
		},
	},
	{
		Key:               "titan",
		Name:              "Titan Email",
		Kind:              KindService,
		Hosts:             []string{"smtp.titan.email", "*.titan.email"},
		BannerMarkers:     []string{"titan.email"},
		UsernameHint:      "the full Titan email address",
		UsernameIsAddress: true,
		PasswordHint:      "the mailbox password",
		Submission: []Endpoint{
			{Host: "smtp.titan.email", Port: 465, Security: probe.SecurityTLS},
			{Host: "smtp.titan.email", Port: 587, Security: probe.SecurityStartTLS},
		},
		DocsURL: "https://support.titan.email/hc/en-us/articles/900000215446-Configure-Titan-on-other-apps-using-IMAP-POP",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"Titan: use smtp.titan.email port 465 (SSL/TLS) with the full address and the mailbox password (https://support.titan.email/hc/en-us/articles/900000215446-Configure-Titan-on-other-apps-using-IMAP-POP); mailboxes bought through a reseller (Hostinger, Namecheap, Bluehost) use the same servers.",
			}},
		},
	},
	{
		// cPanel's Exim greets with its own anti-spam notice: software
		// that many hosters run, recognised by it before plain Exim, and
		// a hoster is named only when its host names say who it is.
		Key:               "cpanel",
		Name:              "cPanel hosting (Exim)",
		Kind:              KindSoftware,
		BannerMarkers:     []string{"We do not authorize the use of this system to transport unsolicited"},
		UsernameHint:      "the full address of a mailbox created in cPanel → Email Accounts",
		UsernameIsAddress: true,
		PasswordHint:      "that mailbox's password",
		DocsURL:           "https://docs.cpanel.net/cpanel/email/email-accounts/",
		Replies: []ReplyPattern{
			{Step: probe.StepAuth, Words: []string{"incorrect authentication data"}, Why: probe.CodeAuthCredentialsRejected,
				Source: "https://github.com/PHPMailer/PHPMailer/issues/1375"},
		},
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"cPanel hosting: log in with the full address of a mailbox from cPanel → Email Accounts and its password (reset it there if unsure, https://docs.cpanel.net/cpanel/email/email-accounts/); the cPanel account login is not a mailbox.",
				"cPanel's Exim blocks an IP address for a while after repeated failures (cPHulk): wait before retrying many times.",
			}},
		},
	},
}
