package snippet

import (
	"net/url"
	"strings"

	"github.com/smtpdoctor/smtpdoctor/probe"
)

// phpmailer writes a PHPMailer 6 script. PHPMailer::ENCRYPTION_SMTPS is
// implicit TLS, ENCRYPTION_STARTTLS is STARTTLS; with neither, PHPMailer
// still upgrades when STARTTLS is offered unless SMTPAutoTLS is false.
// XOAUTH2 takes an OAuthTokenProvider (PHPMailer 6.6 and later).
func phpmailer(in Input) string {
	var t text
	t.line("<?php")
	t.line("// composer require phpmailer/phpmailer   (Debian: apt install libphp-phpmailer)")
	t.line("// Run: %s=… php send.php   (the secret comes from the environment, never from this file)", in.secretEnv())
	t.line(`use PHPMailer\PHPMailer\PHPMailer;`)
	t.line(`use PHPMailer\PHPMailer\SMTP;`)
	t.line(`use PHPMailer\PHPMailer\Exception;`)
	if in.OAuth() {
		t.line(`use PHPMailer\PHPMailer\OAuthTokenProvider;`)
	}
	t.line("")
	t.line("require 'vendor/autoload.php';")
	t.line("")
	t.line("$mail = new PHPMailer(true);")
	t.line("$mail->isSMTP();")
	t.line("// Show the server's own reply when something fails (\"SMTP ERROR: ... 535 5.7.8 ...\");")
	t.line("// PHPMailer hides credentials in this output.")
	t.line("$mail->SMTPDebug = SMTP::DEBUG_CLIENT;")
	t.line("$mail->Debugoutput = function ($str) {")
	t.line("    if (str_starts_with($str, 'SMTP ERROR')) {")
	t.line("        fwrite(STDERR, $str);")
	t.line("    }")
	t.line("};")
	t.line("$mail->Host = %s;", singleQuoted(in.Host))
	t.line("$mail->Port = %d;", in.Port)
	switch in.Security {
	case probe.SecurityTLS:
		t.line("$mail->SMTPSecure = PHPMailer::ENCRYPTION_SMTPS; // implicit TLS from the first byte (the 465 way)")
	case probe.SecurityStartTLS:
		t.line("$mail->SMTPSecure = PHPMailer::ENCRYPTION_STARTTLS; // plaintext first, then STARTTLS (the 587 way)")
	default:
		t.line("$mail->SMTPSecure = '';")
		t.line("$mail->SMTPAutoTLS = false; // this server was used without TLS")
	}
	if in.CAFile != "" {
		t.line("$mail->SMTPOptions = ['ssl' => ['cafile' => %s]]; // trust this CA", singleQuoted(in.CAFile))
	}
	if in.Auth() {
		t.line("$mail->SMTPAuth = true;")
		t.line("$mail->Username = %s;", singleQuoted(in.User))
		if in.OAuth() {
			if in.Mech == probe.MechOAUTHBEARER {
				t.line("// PHPMailer speaks XOAUTH2 (not OAUTHBEARER); providers that offer one offer both.")
			}
			t.line("$mail->AuthType = 'XOAUTH2';")
			t.line("$mail->setOAuth(new class(getenv('%s')) implements OAuthTokenProvider {", TokenEnv)
			t.line("    public function __construct(private string $token) {}")
			t.line("    public function getOauth64(): string")
			t.line("    {")
			t.line(`        return base64_encode("user=" . %s . "\001auth=Bearer " . $this->token . "\001\001");`, singleQuoted(in.User))
			t.line("    }")
			t.line("});")
		} else {
			if m := in.mechUpper(); m != "" {
				t.line("$mail->AuthType = %s; // the mechanism that worked", singleQuoted(m))
			}
			t.line("$mail->Password = getenv('%s');", PasswordEnv)
		}
	}
	t.line("")
	t.line("$mail->setFrom(%s);", singleQuoted(in.sender()))
	t.line("$mail->addAddress(%s);", singleQuoted(in.recipient()))
	t.line("$mail->Subject = %s;", singleQuoted(testSubject))
	t.line("$mail->Body = %s;", singleQuoted(testBody))
	t.line("")
	t.line("try {")
	t.line("    $mail->send();")
	t.line("    echo \"sent\\n\";")
	t.line("} catch (Exception $e) {")
	t.line(`    fwrite(STDERR, "PHPMailer: {$mail->ErrorInfo}\n");`)
	t.line("    exit(1);")
	t.line("}")
	return t.String()
}

// dsnUser is the user as a URL's userinfo, percent-encoded ("@" → "%40").
func dsnUser(user string) string {
	return strings.TrimSuffix(url.User(user).String(), "@")
}

// symfony writes the Mailer DSN. In Symfony Mailer smtps:// is implicit
// TLS; smtp:// upgrades with STARTTLS whenever the server offers it, and
// auto_tls=false (Symfony 7.1) turns that off. The password goes through
// the urlencode env processor (Symfony 7.1), so any character in it is safe
// in the DSN.
// XOAUTH2 uses the password slot for the access token.
func symfony(in Input) string {
	var t text
	scheme := "smtp"
	query := ""
	switch in.Security {
	case probe.SecurityTLS:
		scheme = "smtps"
	case probe.SecurityNone:
		query = "?auto_tls=false"
	}
	if in.CAFile != "" {
		t.line("# To trust the CA in %s, set openssl.cafile in php.ini.", in.CAFile)
	}
	t.line("# config/packages/mailer.yaml; %s comes from the environment or `php bin/console secrets:set %s`.", in.secretEnv(), in.secretEnv())
	if in.Auth() {
		t.line("# urlencode: (Symfony 7.1 and later) keeps any character of it safe inside the DSN.")
	}
	switch in.Security {
	case probe.SecurityTLS:
		t.line("# smtps:// is TLS from the first byte (the 465 way).")
	case probe.SecurityStartTLS:
		t.line("# smtp:// starts in plaintext and upgrades with STARTTLS, which this server offers (the 587 way).")
	default:
		t.line("# auto_tls=false: this server was used without TLS (Symfony 7.1 and later; older releases")
		t.line("# upgrade with STARTTLS whenever the server offers it).")
	}
	if in.OAuth() {
		t.line("# The access token goes where the password would; Symfony sends it with XOAUTH2.")
	}
	t.line("framework:")
	t.line("    mailer:")
	userinfo := ""
	if in.Auth() {
		// In a Symfony parameter string a literal % is written %%.
		userinfo = strings.ReplaceAll(dsnUser(in.User), "%", "%%") + ":%env(urlencode:" + in.secretEnv() + ")%@"
	}
	t.line("        dsn: '%s://%s%s:%d%s'", scheme, userinfo, in.Host, in.Port, query)
	t.line("        envelope:")
	t.line("            sender: %s", singleQuoted(in.sender()))
	return t.String()
}

// laravel writes the .env lines. Laravel 11 and later read MAIL_SCHEME
// (smtp or smtps); older releases used MAIL_ENCRYPTION, which Symfony's
// transport ignores except for choosing smtps.
func laravel(in Input) string {
	var t text
	t.line("# .env; MAIL_PASSWORD is not in this file: set it in the server's environment")
	t.line("# (real environment variables win over .env) or your secret manager.")
	t.line("MAIL_MAILER=smtp")
	switch in.Security {
	case probe.SecurityTLS:
		t.line("MAIL_SCHEME=smtps # TLS from the first byte (the 465 way); Laravel 10 and older: MAIL_ENCRYPTION=ssl")
	case probe.SecurityStartTLS:
		t.line("MAIL_SCHEME=smtp # STARTTLS follows because the server offers it (the 587 way); Laravel 10 and older: MAIL_ENCRYPTION=tls")
	default:
		t.line("# Without TLS: the transport would still upgrade when STARTTLS is offered; MAIL_URL turns that off.")
		t.line("MAIL_URL=smtp://%s:%d?auto_tls=false", in.Host, in.Port)
	}
	t.line("MAIL_HOST=%s", in.Host)
	t.line("MAIL_PORT=%d", in.Port)
	if in.Auth() {
		t.line("MAIL_USERNAME=%s", dqConfig(in.User))
		if in.OAuth() {
			t.line("# OAuth: put the access token in MAIL_PASSWORD; Symfony's transport sends it with XOAUTH2.")
		}
	}
	t.line("MAIL_FROM_ADDRESS=%s", dqConfig(in.sender()))
	if in.CAFile != "" {
		t.line("# To trust the CA in %s, set openssl.cafile in php.ini.", in.CAFile)
	}
	return t.String()
}

// wordpress writes WP Mail SMTP's wp-config.php constants (its "secure
// SMTP settings by using constants" page): WPMS_SSL is ” (none), 'ssl'
// (implicit TLS) or 'tls' (STARTTLS).
func wordpress(in Input) string {
	var t text
	t.line("// wp-config.php, above \"That's all, stop editing!\" (WP Mail SMTP plugin).")
	if in.OAuth() {
		t.line("// OAuth: WP Mail SMTP does not take a token here. Its Gmail and Outlook mailers")
		t.line("// (WPMS_MAILER 'gmail' or 'outlook') sign in with OAuth from the plugin's settings page;")
		t.line("// the server settings below are the ones that worked.")
	}
	t.line("define( 'WPMS_ON', true );")
	t.line("define( 'WPMS_MAILER', 'smtp' );")
	t.line("define( 'WPMS_SMTP_HOST', %s );", singleQuoted(in.Host))
	t.line("define( 'WPMS_SMTP_PORT', %d );", in.Port)
	switch in.Security {
	case probe.SecurityTLS:
		t.line("define( 'WPMS_SSL', 'ssl' ); // TLS from the first byte (the 465 way)")
	case probe.SecurityStartTLS:
		t.line("define( 'WPMS_SSL', 'tls' ); // STARTTLS (the 587 way)")
	default:
		t.line("define( 'WPMS_SSL', '' );")
		t.line("define( 'WPMS_SMTP_AUTOTLS', false ); // this server was used without TLS")
	}
	if in.Auth() && !in.OAuth() {
		t.line("define( 'WPMS_SMTP_AUTH', true );")
		t.line("define( 'WPMS_SMTP_USER', %s );", singleQuoted(in.User))
		t.line("define( 'WPMS_SMTP_PASS', getenv( '%s' ) ); // from the server's environment, not the database", PasswordEnv)
	} else if !in.Auth() {
		t.line("define( 'WPMS_SMTP_AUTH', false );")
	}
	t.line("define( 'WPMS_MAIL_FROM', %s );", singleQuoted(in.sender()))
	t.line("define( 'WPMS_MAIL_FROM_FORCE', true );")
	if in.CAFile != "" {
		t.line("// To trust the CA in %s, set openssl.cafile in php.ini.", in.CAFile)
	}
	return t.String()
}
