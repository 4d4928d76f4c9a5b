package provider

import "github.com/smtpdoctor/smtpdoctor/probe"

// sendingServices are transactional sending services. Their usernames
// and passwords are API keys or per-service SMTP credentials, and most
// refuse mail from a sender domain that is not set up with them.
var sendingServices = []Provider{
	{
		Key:           "sparkpost",
		Name:          "SparkPost (Bird)",
		Kind:          KindService,
		Hosts:         []string{"smtp.sparkpostmail.com", "smtp.eu.sparkpostmail.com", "*.sparkpostmail.com"},
		BannerMarkers: []string{"sparkpostmail"},
		// "Unconfigured Sending Domain" and the SMTP_Injection user are
		// SparkPost's own words.
		ReplyMarkers: []string{"unconfigured sending domain", "smtp_injection"},
		Submission: []Endpoint{
			{Host: "smtp.sparkpostmail.com", Port: 587, Security: probe.SecurityStartTLS},
			{Host: "smtp.sparkpostmail.com", Port: 2525, Security: probe.SecurityStartTLS},
			{Host: "smtp.eu.sparkpostmail.com", Port: 587, Security: probe.SecurityStartTLS},
		},
		UsernameHint:   "the literal word SMTP_Injection",
		PasswordHint:   "an API key with the \"Send via SMTP\" permission",
		AppPasswordURL: "https://app.sparkpost.com/account/api-keys",
		DocsURL:        "https://developers.sparkpost.com/api/smtp-api.html",
		AuthDocsURL:    "https://github.com/SparkPost/support-docs/blob/master/articles/faq/error-messages-smtp.md",
		SenderDocsURL:  "https://www.sparkpost.com/docs/getting-started/getting-started-sparkpost/#preparing-your-from-address",
		Replies: []ReplyPattern{
			{Words: []string{"unconfigured sending domain"}, Why: probe.CodeSenderRejected,
				Source: "https://github.com/SparkPost/support-docs/blob/master/articles/faq/error-messages-smtp.md"},
			{Step: probe.StepAuth, Words: []string{"no authentication type succeeded"}, Why: probe.CodeAuthCredentialsRejected,
				Source: "https://github.com/SparkPost/support-docs/blob/master/articles/faq/error-messages-smtp.md"},
		},
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"SparkPost: the username is always SMTP_Injection, and the password an API key with the \"Send via SMTP\" permission (https://app.sparkpost.com/account/api-keys).",
				"EU accounts use smtp.eu.sparkpostmail.com; a key from one region is refused in the other.",
			}},
			{Code: probe.CodeSenderRejected, Replace: true, Steps: []string{
				"SparkPost: \"Unconfigured Sending Domain\" means the From domain is not a verified sending domain of this account. Add it under Configuration → Domains and verify it (https://www.sparkpost.com/docs/getting-started/getting-started-sparkpost/#preparing-your-from-address), or send from a domain that is already verified.",
			}},
			{Code: probe.CodeAuthRequired, Steps: []string{
				"SparkPost accepts mail only after AUTH LOGIN on STARTTLS (port 587 or 2525) with SMTP_Injection and an API key.",
			}},
		},
	},
	{
		Key:           "smtp2go",
		Name:          "SMTP2GO",
		Kind:          KindService,
		Hosts:         []string{"mail.smtp2go.com", "*.smtp2go.com"},
		BannerMarkers: []string{"smtp2go"},
		Submission: []Endpoint{
			{Host: "mail.smtp2go.com", Port: 2525, Security: probe.SecurityStartTLS},
			{Host: "mail.smtp2go.com", Port: 587, Security: probe.SecurityStartTLS},
			{Host: "mail.smtp2go.com", Port: 465, Security: probe.SecurityTLS},
		},
		UsernameHint:   "the SMTP username created under Sending → SMTP Users",
		PasswordHint:   "that SMTP user's password (not the account login)",
		AppPasswordURL: "https://app.smtp2go.com/sending/smtp/",
		DocsURL:        "https://support.smtp2go.com/hc/en-gb/articles/13990494697369-Common-Sending-Errors",
		AuthDocsURL:    "https://support.smtp2go.com/hc/en-gb/articles/360015283053-550-that-SMTP-username-s-account-is-not-allowed-to-send",
		Replies: []ReplyPattern{
			// A closed account, or a blocked SMTP user or IP address, in
			// SMTP2GO's own words: the account's settings, not the sender.
			{Words: []string{"account is not allowed to send"}, Why: probe.CodeAuthBlockedByPolicy,
				Source: "https://support.smtp2go.com/hc/en-gb/articles/360015283053-550-that-SMTP-username-s-account-is-not-allowed-to-send"},
			{Words: []string{"ip address is not allowed to send"}, Why: probe.CodeAuthBlockedByPolicy,
				Source: "https://support.smtp2go.com/hc/en-gb/articles/360015283053-550-that-SMTP-username-s-account-is-not-allowed-to-send"},
		},
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"SMTP2GO: use an SMTP user's username and password from Sending → SMTP Users (https://app.smtp2go.com/sending/smtp/), not your SMTP2GO login.",
			}},
			{Code: probe.CodeSenderRejected, Steps: []string{
				"SMTP2GO sends only from verified senders: verify the sender domain or address under Sending → Verified Senders.",
			}},
			{Code: probe.CodeAuthBlockedByPolicy, Replace: true, Steps: []string{
				"SMTP2GO refuses this SMTP user, API key or IP address: the account may be closed (reopen it from the dashboard) or the user or IP blocked. Set its status back to \"Allowed\" under Sending → SMTP Users (or API Keys, or IP Authentication) → Tracking & Status.",
				"If SMTP2GO's review team blocked it after suspicious sending, answer their support ticket first.",
			}},
		},
	},
	{
		Key:           "mailjet",
		Name:          "Mailjet",
		Kind:          KindService,
		Hosts:         []string{"in-v3.mailjet.com", "in.mailjet.com", "*.mailjet.com"},
		BannerMarkers: []string{"mailjet"},
		Submission: []Endpoint{
			{Host: "in-v3.mailjet.com", Port: 587, Security: probe.SecurityStartTLS},
			{Host: "in-v3.mailjet.com", Port: 465, Security: probe.SecurityTLS},
		},
		UsernameHint:   "the API key",
		PasswordHint:   "the secret key paired with that API key",
		AppPasswordURL: "https://app.mailjet.com/account/api_keys",
		DocsURL:        "https://dev.mailjet.com/",
		Replies: []ReplyPattern{
			// Mailjet answers a wrong key pair with a 4xx that reads like
			// a back-end failure; it is not one.
			{Step: probe.StepAuth, Code: 435, Words: []string{"authentication failed"}, Why: probe.CodeAuthCredentialsRejected,
				Source: "https://github.com/mailjet/mailjet-gem/issues/17"},
		},
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"Mailjet: the username is the API key and the password its secret key, both from https://app.mailjet.com/account/api_keys; the account email and password do not work.",
				"Mailjet answers a wrong key pair with 435 4.7.8: retrying will not help, fix the keys.",
			}},
			{Code: probe.CodeSenderRejected, Steps: []string{
				"Mailjet sends only from validated sender addresses or domains: add and validate the From address or its domain in the Mailjet account's sender settings.",
			}},
			{Code: probe.CodeAuthRequired, Steps: []string{
				"Mailjet: authenticate with the API key and secret key on in-v3.mailjet.com port 587 with STARTTLS before sending.",
			}},
		},
	},
	{
		Key:           "elasticemail",
		Name:          "Elastic Email",
		Kind:          KindService,
		Hosts:         []string{"smtp.elasticemail.com", "*.elasticemail.com"},
		BannerMarkers: []string{"elasticemail"},
		Submission: []Endpoint{
			{Host: "smtp.elasticemail.com", Port: 2525, Security: probe.SecurityStartTLS},
			{Host: "smtp.elasticemail.com", Port: 587, Security: probe.SecurityStartTLS},
			{Host: "smtp.elasticemail.com", Port: 465, Security: probe.SecurityTLS},
		},
		UsernameHint:      "the address of the SMTP credential you created",
		UsernameIsAddress: true,
		PasswordHint:      "the SMTP credential's password (it is generated; the account password does not work)",
		DocsURL:           "https://help.elasticemail.com/",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"Elastic Email: create SMTP credentials in the account's Settings (SMTP) and use that username and generated password; the account password does not work.",
			}},
			{Code: probe.CodeSenderRejected, Steps: []string{
				"Elastic Email sends only from a verified domain: add and verify the From domain under Settings → Domains.",
			}},
		},
	},
	{
		Key:   "resend",
		Name:  "Resend",
		Kind:  KindService,
		Hosts: []string{"smtp.resend.com", "*.resend.com"},
		Submission: []Endpoint{
			{Host: "smtp.resend.com", Port: 465, Security: probe.SecurityTLS},
			{Host: "smtp.resend.com", Port: 587, Security: probe.SecurityStartTLS},
			{Host: "smtp.resend.com", Port: 2465, Security: probe.SecurityTLS},
			{Host: "smtp.resend.com", Port: 2587, Security: probe.SecurityStartTLS},
		},
		UsernameHint:  "the literal word resend",
		PasswordHint:  "an API key (it starts with re_)",
		DocsURL:       "https://resend.com/docs/send-with-smtp",
		SenderDocsURL: "https://resend.com/domains",
		Replies: []ReplyPattern{
			{Step: probe.StepAuth, Words: []string{"invalid username"}, Why: probe.CodeAuthCredentialsRejected,
				Source: "https://github.com/donetick/donetick/issues/680"},
		},
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"Resend: the SMTP username is always the word resend, and the password an API key starting with re_ (https://resend.com/docs/send-with-smtp); an email address as username is refused with \"Invalid username\".",
			}},
			{Code: probe.CodeSenderRejected, Steps: []string{
				"Resend sends only from domains verified at https://resend.com/domains (onboarding@resend.dev only to your own address).",
			}},
		},
	},
	{
		Key:           "mandrill",
		Name:          "Mandrill (Mailchimp Transactional)",
		Kind:          KindService,
		Hosts:         []string{"smtp.mandrillapp.com", "*.mandrillapp.com"},
		BannerMarkers: []string{"mandrillapp"},
		Submission: []Endpoint{
			{Host: "smtp.mandrillapp.com", Port: 587, Security: probe.SecurityStartTLS},
			{Host: "smtp.mandrillapp.com", Port: 465, Security: probe.SecurityTLS},
			{Host: "smtp.mandrillapp.com", Port: 2525, Security: probe.SecurityStartTLS},
		},
		UsernameHint:   "any name (Mandrill ignores it; the account name or email is customary)",
		PasswordHint:   "a Mandrill API key (not the Mailchimp API key, not the password)",
		AppPasswordURL: "https://mandrillapp.com/settings",
		DocsURL:        "https://mailchimp.com/developer/transactional/api/",
		Replies: []ReplyPattern{
			{Step: probe.StepAuth, Code: 435, Words: []string{"authentication failed"}, Why: probe.CodeAuthCredentialsRejected,
				Source: "https://github.com/nodemailer/nodemailer/issues/280"},
		},
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"Mandrill: the password must be a Mandrill API key from Settings → SMTP & API Info (https://mandrillapp.com/settings); a Mailchimp API key or the account password is refused, and Mandrill answers that with 435 4.7.8.",
				"The account must have Transactional Email enabled in Mailchimp.",
			}},
			{Code: probe.CodeSenderRejected, Steps: []string{
				"Mandrill sends only from sending domains verified and authenticated (DKIM/SPF) under Settings → Domains.",
			}},
		},
	},
	{
		Key:           "zeptomail",
		Name:          "Zoho ZeptoMail",
		Kind:          KindService,
		Hosts:         []string{"smtp.zeptomail.com", "smtp.zeptomail.eu", "smtp.zeptomail.in", "*.zeptomail.com", "*.zeptomail.eu", "*.zeptomail.in"},
		BannerMarkers: []string{"zeptomail"},
		Submission: []Endpoint{
			{Host: "smtp.zeptomail.{region}", Port: 587, Security: probe.SecurityStartTLS},
			{Host: "smtp.zeptomail.{region}", Port: 465, Security: probe.SecurityTLS},
		},
		Regions:        []string{"com", "eu", "in", "com.au", "jp", "ca", "sa", "com.cn"},
		UsernameHint:   "the literal word emailapikey",
		PasswordHint:   "a Mail Agent's SMTP password (its send mail token)",
		AppPasswordURL: "https://zeptomail.zoho.com/",
		DocsURL:        "https://www.zoho.com/zeptomail/help/smtp-home.html",
		SenderDocsURL:  "https://www.zoho.com/zeptomail/help/api/smtp-error-codes.html",
		Replies: []ReplyPattern{
			{Words: []string{"relaying disallowed"}, Why: probe.CodeSenderRejected,
				Source: "https://www.zoho.com/zeptomail/help/api/smtp-error-codes.html"},
		},
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"ZeptoMail: the username is emailapikey and the password the Mail Agent's SMTP password (Mail Agents → the agent → SMTP, https://www.zoho.com/zeptomail/help/smtp-home.html); a Zoho Mail password does not work.",
				"Use the host of your data centre: smtp.zeptomail.com, .eu or .in.",
			}},
			{Code: probe.CodeSenderRejected, Steps: []string{
				"ZeptoMail sends only from domains verified in the Mail Agent (\"Relaying disallowed\" means the From domain is not one of them; https://www.zoho.com/zeptomail/help/api/smtp-error-codes.html).",
			}},
		},
	},
	{
		Key:           "socketlabs",
		Name:          "SocketLabs",
		Kind:          KindService,
		Hosts:         []string{"smtp.socketlabs.com", "*.socketlabs.com"},
		BannerMarkers: []string{"socketlabs"},
		Submission: []Endpoint{
			{Host: "smtp.socketlabs.com", Port: 587, Security: probe.SecurityStartTLS},
			{Host: "smtp.socketlabs.com", Port: 2525, Security: probe.SecurityStartTLS},
			{Host: "smtp.socketlabs.com", Port: 465, Security: probe.SecurityTLS},
		},
		UsernameHint: "the SMTP username shown in the server's SMTP credentials (the server ID)",
		PasswordHint: "the SMTP password (or API key) of that server, not the account password",
		DocsURL:      "https://www.socketlabs.com/",
		Advice: []Advice{
			{Code: probe.CodeAuthCredentialsRejected, Replace: true, Steps: []string{
				"SocketLabs: use the SMTP credentials of this server from the control panel (Configuration → SMTP Credentials), not the account login.",
			}},
			{Code: probe.CodeSenderRejected, Steps: []string{
				"SocketLabs sends only from authorized sender domains: add the From domain to the server's sender authentication settings.",
			}},
		},
	},
}
