package snippet_test

// How the framework snippets (Django settings, a Symfony DSN, Rails'
// smtp_settings, Jakarta Mail statements) run: each is a fragment of a
// larger program, so a small host program does what the framework does
// with it (settings.configure, Transport::fromDsn, the railtie's
// ActionMailer::Base setters, a main method) and sends one message. The
// libraries are Debian's: python3-django, php-symfony-mailer,
// ruby-actionmailer and libjakarta-mail-java.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/smtpdoctor/smtpdoctor/probe/sandbox"
)

// The recipient of the framework runs: the snippets name only a sender.
var frameworkRecipient = "friend@" + sandbox.Domain

// caFileIn is the CA file a snippet tells its user to trust, read from
// the snippet's own instruction (said is the pattern of that sentence, its
// group the path), or "" when the snippet has none.
func caFileIn(text string, said *regexp.Regexp) string {
	if m := said.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return ""
}

var djangoCA = regexp.MustCompile(`To trust the CA in (.+), start Django with SSL_CERT_FILE pointing at it\.`)

// djangoSend is what an application does with the settings: configure
// them, set Django up and send with django.core.mail.
const djangoSend = `import sys
import django
from django.conf import settings

snippet = {}
exec(open(sys.argv[1]).read(), snippet)
settings.configure(**{k: v for k, v in snippet.items() if k.isupper()})
django.setup()

from django.core.mail import send_mail
send_mail("smtpdoctor test", "Sent with the Django snippet.", None, [sys.argv[2]])
print("sent")
`

// djangoPython is a python3 that imports Django: the one on PATH, or
// Debian's (python3-django installs into /usr/lib/python3/dist-packages,
// which a python3 of pyenv or a virtualenv does not see).
func djangoPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		bin, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		if exec.Command(bin, "-c", "import django").Run() == nil {
			return bin
		}
	}
	missing(t, "no python3 here imports Django (Debian's python3-django)")
	return ""
}

// djangoModule is where the OAuth form's second file begins: the backend
// class that settings.py names, in myproject/mail.py.
const djangoModule = "# myproject/mail.py\n"

func runDjango(t *testing.T, dir, text string, env []string) (string, error) {
	py := djangoPython(t)
	if settings, module, ok := strings.Cut(text, djangoModule); ok {
		// send.py's directory is on Python's path, so myproject.mail
		// is found beside it.
		writeFile(t, filepath.Join(dir, "myproject", "__init__.py"), "")
		writeFile(t, filepath.Join(dir, "myproject", "mail.py"), module)
		text = settings
	}
	writeFile(t, filepath.Join(dir, "settings_snippet.py"), text)
	writeFile(t, filepath.Join(dir, "send.py"), djangoSend)
	if ca := caFileIn(text, djangoCA); ca != "" {
		env = append(env, "SSL_CERT_FILE="+ca)
	}
	return command(t, dir, env, py, filepath.Join(dir, "send.py"), filepath.Join(dir, "settings_snippet.py"), frameworkRecipient)
}

// symfonyAutoload is Debian's autoloader for php-symfony-mailer (it loads
// the Mime, EventDispatcher and other components it needs too).
const symfonyAutoload = "/usr/share/php/Symfony/Component/Mailer/autoload.php"

var symfonyCA = regexp.MustCompile(`To trust the CA in (.+), set openssl\.cafile in php\.ini\.`)

// symfonySend reads mailer.yaml's dsn and envelope sender the way the
// framework does and sends with Transport::fromDsn. The parameter string
// is resolved here as Symfony 7.1's container resolves it (%env(urlencode:
// NAME)% is rawurlencode of the variable, %% a literal %): Debian's
// Symfony 5.4 has the Mailer but no urlencode env processor.
const symfonySend = `<?php
require '` + symfonyAutoload + `';

use Symfony\Component\Mailer\Envelope;
use Symfony\Component\Mailer\Transport;
use Symfony\Component\Mime\Address;
use Symfony\Component\Mime\Email;

$yaml = file_get_contents($argv[1]);
preg_match("/^\\s*dsn: '((?:[^']|'')*)'\\s*$/m", $yaml, $dsn) or exit("no dsn in mailer.yaml\n");
preg_match("/^\\s*sender: '((?:[^']|'')*)'\\s*$/m", $yaml, $sender) or exit("no envelope sender in mailer.yaml\n");
$unquote = fn ($s) => str_replace("''", "'", $s);
$dsn = preg_replace_callback('/%env\(urlencode:(\w+)\)%|%%/', function ($m) {
    if ($m[0] === '%%') {
        return '%';
    }
    $v = getenv($m[1]);
    if ($v === false) {
        throw new RuntimeException("environment variable not found: \"{$m[1]}\"");
    }
    return rawurlencode($v);
}, $unquote($dsn[1]));
$from = $unquote($sender[1]);

$email = (new Email())->from($from)->to($argv[2])->subject('smtpdoctor test')->text('Sent with the Symfony snippet.');
try {
    Transport::fromDsn($dsn)->send($email, new Envelope(new Address($from), [new Address($argv[2])]));
} catch (Exception $e) {
    fwrite(STDERR, get_class($e) . ': ' . $e->getMessage() . "\n");
    exit(1);
}
echo "sent\n";
`

func runSymfony(t *testing.T, dir, text string, env []string) (string, error) {
	php := needTool(t, "php")
	if _, err := os.Stat(symfonyAutoload); err != nil {
		missing(t, "Debian's php-symfony-mailer is not installed")
	}
	writeFile(t, filepath.Join(dir, "mailer.yaml"), text)
	writeFile(t, filepath.Join(dir, "send.php"), symfonySend)
	args := []string{}
	if ca := caFileIn(text, symfonyCA); ca != "" {
		args = append(args, "-d", "openssl.cafile="+ca) // what php.ini would say
	}
	args = append(args, filepath.Join(dir, "send.php"), filepath.Join(dir, "mailer.yaml"), frameworkRecipient)
	return command(t, dir, env, php, args...)
}

// railsSend evaluates the snippet with config.action_mailer standing for
// ActionMailer::Base, which is what Rails' railtie does with those lines
// (each config.action_mailer.x = v becomes ActionMailer::Base.x = v).
const railsSend = `require "ostruct"
require "action_mailer"

config = OpenStruct.new(action_mailer: ActionMailer::Base)
eval(File.read(ARGV[0]), binding, ARGV[0])

class TestMailer < ActionMailer::Base
  def test(to)
    mail(to: to, subject: "smtpdoctor test", body: "Sent with the Rails snippet.")
  end
end
TestMailer.test(ARGV[1]).deliver_now
puts "sent"
`

// actionMailerLoads says whether ruby loads Action Mailer, asked once:
// loading Rails takes about a second.
var actionMailerLoads = sync.OnceValues(func() (bool, error) {
	ruby, err := exec.LookPath("ruby")
	if err != nil {
		return false, err
	}
	return exec.Command(ruby, "-e", `require "action_mailer"`).Run() == nil, nil
})

func runRails(t *testing.T, dir, text string, env []string) (string, error) {
	ruby := needTool(t, "ruby")
	if ok, _ := actionMailerLoads(); !ok {
		missing(t, "Ruby cannot load Action Mailer (Debian's ruby-actionmailer)")
	}
	writeFile(t, filepath.Join(dir, "production.rb"), text)
	writeFile(t, filepath.Join(dir, "send.rb"), railsSend)
	return command(t, dir, env, ruby, filepath.Join(dir, "send.rb"), filepath.Join(dir, "production.rb"), frameworkRecipient)
}

// The jars of Debian's libjakarta-mail-java and libjakarta-activation-java.
var jakartaJars = []string{"/usr/share/java/jakarta-mail.jar", "/usr/share/java/jakarta-activation.jar"}

// jakartaJVMOption is the option the snippet says the JVM needs.
var jakartaJVMOption = regexp.MustCompile(`only if the JVM starts with (--add-opens \S+)`)

var jakartaCA = regexp.MustCompile(`// To trust the CA in (.+): keytool -importcert -file it into a truststore`)

// truststores caches one truststore per CA file: keytool is a JVM start
// of its own, and every run of a test trusts the same CA.
var truststores sync.Map // CA file → truststore path

// jakartaTruststore imports the CA into a truststore with keytool, as
// the snippet tells its user to.
func jakartaTruststore(t *testing.T, ca string) string {
	t.Helper()
	if p, ok := truststores.Load(ca); ok {
		return p.(string)
	}
	store := filepath.Join(filepath.Dir(ca), "truststore.p12")
	out, err := command(t, filepath.Dir(ca), os.Environ(), needTool(t, "keytool"), "-importcert", "-noprompt",
		"-alias", "smtpdoctor-ca", "-file", ca, "-keystore", store, "-storetype", "PKCS12", "-storepass", "changeit")
	if err != nil {
		t.Fatalf("keytool -importcert: %v\n%s", err, out)
	}
	truststores.Store(ca, store)
	return store
}

func runJakartaMail(t *testing.T, dir, text string, env []string) (string, error) {
	java := needTool(t, "java")
	needTool(t, "javac") // the source launcher compiles with the JDK's compiler
	for _, jar := range jakartaJars {
		if _, err := os.Stat(jar); err != nil {
			missing(t, jar+" is not installed (Debian's libjakarta-mail-java and libjakarta-activation-java)")
		}
	}
	// The snippet is imports and statements: the imports go first, the
	// statements into a main method.
	var imports, body []string
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if strings.HasPrefix(l, "import ") {
			imports = append(imports, l)
		} else {
			body = append(body, "        "+l)
		}
	}
	src := strings.Join(imports, "\n") + "\n\npublic class Send {\n    public static void main(String[] args) throws Exception {\n" +
		strings.Join(body, "\n") + "\n        System.out.println(\"sent\");\n    }\n}\n"
	path := filepath.Join(dir, "Send.java")
	writeFile(t, path, src)
	args := []string{"-cp", strings.Join(jakartaJars, ":")}
	if m := jakartaJVMOption.FindStringSubmatch(text); m != nil {
		args = append(args, strings.Fields(m[1])...)
	}
	if ca := caFileIn(text, jakartaCA); ca != "" {
		args = append(args, "-Djavax.net.ssl.trustStore="+jakartaTruststore(t, ca), "-Djavax.net.ssl.trustStorePassword=changeit")
	}
	return command(t, dir, env, java, append(args, path)...)
}
