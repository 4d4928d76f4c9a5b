package snippet

import (
	"github.com/smtpdoctor/smtpdoctor/probe"
)

// jakartaAddOpens lets Jakarta Mail reach the JDK's HostnameChecker.
const jakartaAddOpens = "--add-opens java.base/sun.security.util=ALL-UNNAMED"

// javaMechanism is the value of mail.smtp.auth.mechanisms. Jakarta Mail
// has XOAUTH2 built in (the token goes where the password would) but no
// OAUTHBEARER.
func javaMechanism(in Input) string {
	if in.OAuth() {
		return "XOAUTH2"
	}
	return in.mechUpper()
}

// jakartaMail writes Jakarta Mail properties and the send call:
// mail.smtp.ssl.enable is implicit TLS; mail.smtp.starttls.enable plus
// mail.smtp.starttls.required is STARTTLS that must happen.
func jakartaMail(in Input) string {
	var t text
	t.line("// Jakarta Mail 2 (org.eclipse.angus:angus-mail).")
	t.line("// The secret comes from the environment (%s), never from the source.", in.secretEnv())
	if in.CAFile != "" {
		t.line("// To trust the CA in %s: keytool -importcert -file it into a truststore", in.CAFile)
		t.line("// and start the JVM with -Djavax.net.ssl.trustStore=that file.")
	}
	if in.hostIsIP() && in.Security != probe.SecurityNone {
		// Jakarta Mail 2.0 checks the name with the JDK's internal
		// HostnameChecker, reached by reflection, which Java 16 and later
		// deny; its fallback reads only DNS names in the certificate.
		t.line("// The server is named by its IP address: on Java 16 and later Jakarta Mail 2.0 can check")
		t.line("// that against the certificate only if the JVM starts with %s", jakartaAddOpens)
		t.line("// (or name the server by its DNS name).")
	}
	t.line("import jakarta.mail.Message;")
	t.line("import jakarta.mail.Session;")
	t.line("import jakarta.mail.Transport;")
	t.line("import jakarta.mail.internet.InternetAddress;")
	t.line("import jakarta.mail.internet.MimeMessage;")
	t.line("import java.util.Properties;")
	t.line("")
	t.line("Properties props = new Properties();")
	t.line("props.put(\"mail.smtp.host\", %s);", jsString(in.Host))
	t.line("props.put(\"mail.smtp.port\", \"%d\");", in.Port)
	switch in.Security {
	case probe.SecurityTLS:
		t.line("props.put(\"mail.smtp.ssl.enable\", \"true\"); // TLS from the first byte (the 465 way)")
		t.line("props.put(\"mail.smtp.ssl.checkserveridentity\", \"true\");")
	case probe.SecurityStartTLS:
		t.line("props.put(\"mail.smtp.starttls.enable\", \"true\"); // STARTTLS (the 587 way)")
		t.line("props.put(\"mail.smtp.starttls.required\", \"true\"); // and fail without it")
		t.line("props.put(\"mail.smtp.ssl.checkserveridentity\", \"true\");")
	default:
		t.line("props.put(\"mail.smtp.starttls.enable\", \"false\"); // this server was used without TLS")
	}
	if in.Auth() {
		t.line("props.put(\"mail.smtp.auth\", \"true\");")
		if m := javaMechanism(in); m != "" {
			t.line("props.put(\"mail.smtp.auth.mechanisms\", %s);", jsString(m))
		}
	}
	t.line("props.put(\"mail.smtp.connectiontimeout\", \"30000\");")
	t.line("props.put(\"mail.smtp.timeout\", \"30000\");")
	t.line("props.put(\"mail.smtp.writetimeout\", \"30000\");")
	t.line("")
	t.line("Session session = Session.getInstance(props);")
	t.line("MimeMessage msg = new MimeMessage(session);")
	t.line("msg.setFrom(new InternetAddress(%s));", jsString(in.sender()))
	t.line("msg.setRecipient(Message.RecipientType.TO, new InternetAddress(%s));", jsString(in.recipient()))
	t.line("msg.setSubject(%s);", jsString(testSubject))
	t.line("msg.setText(%s);", jsString(testBody))
	if in.Auth() {
		t.line("Transport.send(msg, %s, System.getenv(%s));", jsString(in.User), jsString(in.secretEnv()))
	} else {
		t.line("Transport.send(msg);")
	}
	return t.String()
}

// springBoot writes application.properties. spring.mail.properties.* are
// handed to Jakarta Mail as they are; spring.mail.ssl.bundle (Spring Boot
// 3.1) trusts a CA for both implicit TLS and STARTTLS.
func springBoot(in Input) string {
	var t text
	t.line("# application.properties; %s comes from the environment, never from this file.", in.secretEnv())
	t.line("spring.mail.host=%s", propValue(in.Host))
	t.line("spring.mail.port=%d", in.Port)
	if in.Auth() {
		t.line("spring.mail.username=%s", propValue(in.User))
		t.line("spring.mail.password=${%s}", in.secretEnv())
		t.line("spring.mail.properties.mail.smtp.auth=true")
		if m := javaMechanism(in); m != "" {
			t.line("spring.mail.properties.mail.smtp.auth.mechanisms=%s", m)
		}
	}
	switch in.Security {
	case probe.SecurityTLS:
		t.line("# TLS from the first byte (the 465 way)")
		t.line("spring.mail.properties.mail.smtp.ssl.enable=true")
		t.line("spring.mail.properties.mail.smtp.ssl.checkserveridentity=true")
	case probe.SecurityStartTLS:
		t.line("# STARTTLS (the 587 way), and fail without it")
		t.line("spring.mail.properties.mail.smtp.starttls.enable=true")
		t.line("spring.mail.properties.mail.smtp.starttls.required=true")
		t.line("spring.mail.properties.mail.smtp.ssl.checkserveridentity=true")
	default:
		t.line("# this server was used without TLS")
		t.line("spring.mail.properties.mail.smtp.starttls.enable=false")
	}
	if in.CAFile != "" && in.Security != probe.SecurityNone {
		t.line("# trust this CA")
		t.line("spring.ssl.bundle.pem.smtp.truststore.certificate=file:%s", propValue(in.CAFile))
		t.line("spring.mail.ssl.bundle=smtp")
	}
	t.line("spring.mail.properties.mail.smtp.connectiontimeout=30000")
	t.line("spring.mail.properties.mail.smtp.timeout=30000")
	t.line("spring.mail.properties.mail.smtp.writetimeout=30000")
	return t.String()
}

// mailkit writes C# for MailKit: SecureSocketOptions.SslOnConnect is
// implicit TLS, StartTls insists on STARTTLS, None stays in plaintext.
func mailkit(in Input) string {
	var t text
	t.line("// dotnet add package MailKit")
	t.line("// The secret comes from the environment (%s), never from the source.", in.secretEnv())
	if in.CAFile != "" {
		t.line("// To trust the CA in %s, add it to the system's trust store (MailKit validates with it).", in.CAFile)
	}
	t.line("using MailKit.Net.Smtp;")
	t.line("using MailKit.Security;")
	t.line("using MimeKit;")
	t.line("")
	t.line("var message = new MimeMessage();")
	t.line("message.From.Add(MailboxAddress.Parse(%s));", jsString(in.sender()))
	t.line("message.To.Add(MailboxAddress.Parse(%s));", jsString(in.recipient()))
	t.line("message.Subject = %s;", jsString(testSubject))
	t.line("message.Body = new TextPart(\"plain\") { Text = %s };", jsString(testBody))
	t.line("")
	t.line("using var client = new SmtpClient();")
	t.line("client.Timeout = 30000;")
	switch in.Security {
	case probe.SecurityTLS:
		t.line("// SslOnConnect: TLS from the first byte (the 465 way).")
		t.line("await client.ConnectAsync(%s, %d, SecureSocketOptions.SslOnConnect);", jsString(in.Host), in.Port)
	case probe.SecurityStartTLS:
		t.line("// StartTls: plaintext first, then STARTTLS, or fail (the 587 way).")
		t.line("await client.ConnectAsync(%s, %d, SecureSocketOptions.StartTls);", jsString(in.Host), in.Port)
	default:
		t.line("// None: this server was used without TLS.")
		t.line("await client.ConnectAsync(%s, %d, SecureSocketOptions.None);", jsString(in.Host), in.Port)
	}
	if in.Auth() {
		secret := "Environment.GetEnvironmentVariable(" + jsString(in.secretEnv()) + ")"
		switch in.Mech {
		case probe.MechXOAUTH2:
			t.line("await client.AuthenticateAsync(new SaslMechanismOAuth2(%s, %s));", jsString(in.User), secret)
		case probe.MechOAUTHBEARER:
			t.line("await client.AuthenticateAsync(new SaslMechanismOAuthBearer(%s, %s));", jsString(in.User), secret)
		case probe.MechPlain:
			t.line("await client.AuthenticateAsync(new SaslMechanismPlain(%s, %s));", jsString(in.User), secret)
		case probe.MechLogin:
			t.line("await client.AuthenticateAsync(new SaslMechanismLogin(%s, %s));", jsString(in.User), secret)
		case probe.MechCRAMMD5:
			t.line("await client.AuthenticateAsync(new SaslMechanismCramMd5(%s, %s));", jsString(in.User), secret)
		default:
			t.line("await client.AuthenticateAsync(%s, %s);", jsString(in.User), secret)
		}
	}
	t.line("await client.SendAsync(message);")
	t.line("await client.DisconnectAsync(true);")
	return t.String()
}

// actionMailer writes Rails' smtp_settings (the mail gem's options): tls:
// true is implicit TLS; enable_starttls: true (Rails 7) insists on
// STARTTLS; enable_starttls_auto: false never upgrades.
func actionMailer(in Input) string {
	var t text
	t.line("# config/environments/production.rb; the secret comes from the environment (%s)", in.secretEnv())
	t.line("# or Rails credentials, never from this file.")
	t.line("config.action_mailer.delivery_method = :smtp")
	t.line("config.action_mailer.smtp_settings = {")
	t.line("  address: %s,", singleQuoted(in.Host))
	t.line("  port: %d,", in.Port)
	if in.Auth() {
		t.line("  user_name: %s,", singleQuoted(in.User))
		t.line("  password: ENV.fetch(%s),", singleQuoted(in.secretEnv()))
		switch in.Mech {
		case probe.MechXOAUTH2, probe.MechOAUTHBEARER:
			t.line("  authentication: :xoauth2, # built into net-smtp 0.5 and later; the password is the access token")
		case probe.MechLogin:
			t.line("  authentication: :login,")
		case probe.MechCRAMMD5:
			t.line("  authentication: :cram_md5,")
		default:
			t.line("  authentication: :plain,")
		}
	}
	switch in.Security {
	case probe.SecurityTLS:
		t.line("  tls: true, # TLS from the first byte (the 465 way)")
	case probe.SecurityStartTLS:
		t.line("  enable_starttls: true, # STARTTLS or fail (the 587 way); before Rails 7: enable_starttls_auto: true")
	default:
		t.line("  enable_starttls_auto: false, # this server was used without TLS")
		t.line("  # (the mail gem 2.8 and later; with Ruby 3's net-smtp, mail 2.7 ignores false and upgrades when offered)")
	}
	if in.CAFile != "" && in.Security != probe.SecurityNone {
		t.line("  ca_file: %s, # trust this CA", singleQuoted(in.CAFile))
	}
	t.line("  open_timeout: 30,")
	t.line("  read_timeout: 30,")
	t.line("}")
	t.line("config.action_mailer.default_options = { from: %s }", singleQuoted(in.sender()))
	return t.String()
}
