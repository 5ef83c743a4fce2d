package org.zfssync.host;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A stream over a direct TCP connection between the two hosts, encrypted and mutually
 * authenticated with TLS by socat and openssl: the source runs
 * {@code sender | socat STDIN OPENSSL-LISTEN:PORT}, bound to the address the user named,
 * for one connection; once it listens, the target runs {@code socat OPENSSL:ADDRESS:PORT STDOUT | receiver}.
 * Both halves are started and watched over this machine's ssh connections, which carry only the
 * control traffic: the port, certificates, each stage's status and stderr, and zfs send's progress.
 *
 * <p>The listener's messages go to a log in the run's directory on the source (socat's
 * {@code -lf}): the port it was given is read there while it waits, and its errors after the end.
 */
public final class TlsStream {
    /** What the handshake check sends through the link. */
    static final String PROBE_TEXT = "zfs-sync-tls-probe";
    static final String SOURCE_NAME = "zfs-sync-source";
    static final String TARGET_NAME = "zfs-sync-target";
    /** How long the listener waits for the target's connection; after that the port is closed. */
    static final int ACCEPT_SECONDS = 120;
    /** How long the target tries to connect before it reports the listener unreachable. */
    static final int CONNECT_SECONDS = 15;
    private static final Pattern DIRECTORY = Pattern.compile("/tmp/zfs-sync-tls\\.[A-Za-z0-9]{8,32}");
    private static final Pattern CERT_BODY = Pattern.compile("[A-Za-z0-9+/=]{64,16384}");
    private static final Duration SOURCE_GRACE = Duration.ofSeconds(3);

    private final Session session;
    private final RunningPipeline sending;
    private final RunningPipeline receiving;
    private final String log;
    /** The target's stages, for its results when it was never started. */
    private final List<Command> receiverStages;
    private final Thread meterReader;
    private final StringBuilder meterSaid = new StringBuilder();
    private final Thread drain;

    /**
     * How the ends authenticate: certificates made for the run (the default), the user's CA
     * ({@code files}), or none at all ({@code insecure}: plain TCP, for isolated networks only).
     */
    public record Security(boolean insecure, Optional<TlsFiles> files) {
        String mode() {
            return insecure ? "plain" : files.isPresent() ? "files" : "generate";
        }
    }

    /** Each stage's result on the side where it ran; {@code receiverFirst}: the target's half ended first in failure. */
    public record Results(List<CommandResult> sent, List<CommandResult> received, boolean receiverFirst) {
    }

    /**
     * The run's two ends, prepared once: a private directory on each host (mode 0700) holding its
     * key, its certificate and the peer's certificate, which pins the peer: each end trusts
     * exactly the certificate the other made for this run. {@link #close} removes both.
     */
    public static final class Session implements AutoCloseable {
        private final SshHost source;
        private final SshHost target;
        private final TlsListen listen;
        private final Security security;
        private final String sourceDir;
        private final String targetDir;

        private Session(SshHost source, SshHost target, TlsListen listen, Security security, String sourceDir,
                        String targetDir) {
            this.source = source;
            this.target = target;
            this.listen = listen;
            this.security = security;
            this.sourceDir = sourceDir;
            this.targetDir = targetDir;
        }

        /**
         * Makes the directories and (per-run) the key pairs, and gives each end the other's
         * certificate: three control commands. Fails with {@link HostUnreachableException} naming
         * the host and what it said.
         */
        public static Session open(SshHost source, SshHost target, TlsListen listen, Security security) {
            Prepared src = prepare(source, SOURCE_NAME, "", security);
            Prepared dst;
            try {
                dst = prepare(target, TARGET_NAME, src.certificate(), security);
            } catch (RuntimeException e) {
                source.run(remove(src.dir()));
                throw e;
            }
            Session s = new Session(source, target, listen, security, src.dir(), dst.dir());
            if (!dst.certificate().isEmpty()) {
                CommandResult r = source.run(storePeer(src.dir(), dst.certificate()));
                if (!r.ok()) {
                    s.close();
                    throw new HostUnreachableException("cannot store " + target.name() + "'s certificate on "
                            + source.name() + ": " + r.errorLine());
                }
            }
            return s;
        }

        public SshHost source() {
            return source;
        }

        public SshHost target() {
            return target;
        }

        public TlsListen listen() {
            return listen;
        }

        /** The transport's name as the log says it: {@code tls}, or {@code tcp} with --insecure-direct. */
        public String kind() {
            return security.insecure() ? "plain tcp (--insecure-direct)" : "tls";
        }

        /** Removes both ends' directories (keys, certificates, logs). */
        @Override
        public void close() {
            source.run(remove(sourceDir));
            target.run(remove(targetDir));
        }

        Command listener(String log, int port) {
            List<String> argv = new ArrayList<>(List.of("socat", "-lf", log, "-d", "-d", "-u", "STDIN"));
            String common = "bind=" + listen.address() + ",reuseaddr,pf=ip4,accept-timeout=" + ACCEPT_SECONDS;
            argv.add(security.insecure() ? "TCP-LISTEN:" + port + "," + common
                    : "OPENSSL-LISTEN:" + port + "," + common + "," + credentials(sourceDir) + ",verify=1");
            return Command.reading(argv);
        }

        Command connector(String port) {
            String address = listen.address() + ":" + port + ",pf=ip4,connect-timeout=" + CONNECT_SECONDS;
            String link = security.insecure() ? "TCP:" + address
                    : "OPENSSL:" + address + "," + credentials(targetDir) + ",verify=1"
                    + (security.files().isPresent() ? "" : ",commonname=" + SOURCE_NAME);
            return Command.reading("socat", "-u", link, "STDOUT");
        }

        private String credentials(String dir) {
            String tls = ",openssl-min-proto-version=TLS1.2";
            return security.files().map(f -> "cert=" + f.cert() + ",key=" + f.key() + ",cafile=" + f.ca() + tls)
                    .orElse("cert=" + dir + "/cert.pem,key=" + dir + "/key.pem,cafile=" + dir + "/peer.pem" + tls);
        }

        String newLog() {
            return sourceDir + "/listen-" + SshHost.newTag() + ".log";
        }
    }

    private record Prepared(String dir, String certificate) {
    }

    private TlsStream(Session session, RunningPipeline sending, RunningPipeline receiving, String log,
                      List<Command> receiverStages, ProgressLines progress) {
        this.session = session;
        this.receiverStages = List.copyOf(receiverStages);
        this.sending = sending;
        this.receiving = receiving;
        this.log = log;
        this.meterReader = thread(() -> DirectStream.readProgress(sending.stdout(), progress, meterSaid),
                "progress of " + sending.host());
        this.drain = receiving == null ? null : thread(() -> drain(receiving.stdout()), "drain " + receiving.host());
    }

    /** What runs on each host, for the plan and the log (the port as the listener asks for it). */
    public static String display(Session s, Pipeline sender, Pipeline receiver, RateCap cap) {
        String port = s.listen().lowPort() == 0 ? "PORT" : Integer.toString(s.listen().lowPort());
        return s.source().display(cap.sending(sender).then(s.listener(s.sourceDir + "/listen.log",
                s.listen().lowPort()))) + "  &  " + s.target().display(cap.receiving(receiver).after(s.connector(port)));
    }

    /**
     * Starts the stream: the source's half, then (once its listener has a port) the target's;
     * {@code progress} reads what the sender's first stage reports, as it reports it.
     */
    public static TlsStream start(Session s, Pipeline sender, Pipeline receiver, RateCap cap, ProgressLines progress) {
        String log = s.newLog();
        Pipeline sourceHalf = cap.sending(sender).then(s.listener(log, s.listen().pickPort()));
        RunningPipeline sending = s.source().startOnControl(sourceHalf, 0, display(s, sender, receiver, cap));
        closeQuietly(sending);
        CommandResult port = s.source().run(waitListening(log));
        if (!port.ok()) {
            // No listener: nothing is started on the target; the source's half ends with the listener.
            sending.kill();
            return new TlsStream(s, sending, null, log, cap.receiving(receiver).after(s.connector("PORT")).stages(),
                    progress);
        }
        Pipeline targetHalf = cap.receiving(receiver).after(s.connector(port.stdout().strip()));
        RunningPipeline receiving = s.target().startOnControl(targetHalf, -1, s.target().display(targetHalf));
        closeQuietly(receiving);
        return new TlsStream(s, sending, receiving, log, targetHalf.stages(), progress);
    }

    /**
     * Checks, before any data moves, that the target reaches the source's listener and that both
     * ends accept each other's certificate: a few bytes through a link made as a stream's is.
     * Empty if they went through; else what failed, naming both hosts and what socat said.
     */
    public static Optional<String> check(Session s) {
        String log = s.newLog();
        RunningPipeline sending = s.source().start(Pipeline.of(Command.reading("echo", PROBE_TEXT))
                .then(s.listener(log, s.listen().pickPort())));
        closeQuietly(sending);
        CommandResult port = s.source().run(waitListening(log));
        if (!port.ok()) {
            sending.kill();
            sending.await();
            String said = stopListener(s, log);
            return Optional.of(s.source().name() + " cannot listen at " + s.listen() + ": "
                    + (said.isEmpty() ? port.errorLine() : said) + " (--tls-listen must name an address of the source "
                    + "itself, and a port no other program uses)");
        }
        String where = s.listen().address() + ":" + port.stdout().strip();
        CommandResult got = s.target().run(s.connector(port.stdout().strip()));
        if (!sending.waitFor(SOURCE_GRACE)) {
            sending.kill();
        }
        sending.await();
        String listenerSaid = listenerErrors(s, log);
        if (got.ok() && got.stdout().strip().equals(PROBE_TEXT) && listenerSaid.isEmpty()) {
            return Optional.empty();
        }
        String targetSaid = got.ok() ? "" : socatError(got.stderr());
        return Optional.of(s.target().name() + " cannot open the " + s.kind() + " link to " + s.source().name()
                + " at " + where + ": " + (targetSaid.isEmpty() ? "nothing came through" : targetSaid)
                + (listenerSaid.isEmpty() ? "" : "; " + listenerSaid.substring(2)) + advice(targetSaid + listenerSaid));
    }

    private static String advice(String said) {
        String s = said.toLowerCase(java.util.Locale.ROOT);
        if (s.contains("certificate") || s.contains("unknown ca") || s.contains("commonname") || s.contains("alert")) {
            return " (the certificates do not match: --tls-ca, --tls-cert and --tls-key must name, on both hosts, "
                    + "a key and a certificate signed by that CA; the source's must name the --tls-listen address)";
        }
        if (s.contains("refused")) {
            return " (nothing listens there for the target: --tls-listen must name an address of the source that "
                    + "the target reaches, and no firewall may reject the port)";
        }
        if (s.contains("timed out") || s.contains("unreachable") || s.contains("no route")) {
            return " (the target has no way to that address, or a firewall drops the port: name an address of the "
                    + "source that the target reaches with --tls-listen, or open the port)";
        }
        return "";
    }

    /** Kills both halves; the receive sees its stream cut. */
    public void kill() {
        sending.kill();
        if (receiving != null) {
            receiving.kill();
        }
    }

    /**
     * Waits for the end. When the target's half fails first, the source's is given a moment and
     * then stopped: a listener left waiting would keep its port open until its own timeout.
     */
    public Results await() {
        boolean receiverFirst = false;
        List<CommandResult> received;
        if (receiving == null) {
            received = null;
        } else {
            received = receiving.await();
            if (!RunningPipeline.allOk(received) && !sending.waitFor(SOURCE_GRACE)) {
                sending.kill();
                receiverFirst = true;
            }
        }
        List<CommandResult> done = sending.await();
        join(meterReader);
        List<CommandResult> sent = new ArrayList<>(DirectStream.withMeterSaid(done, meterSaid));
        if (drain != null) {
            join(drain);
        }
        if (received == null || !RunningPipeline.allOk(received) || !RunningPipeline.allOk(sent)) {
            // Only a failed stream needs the listener's own words (and a listener that may still wait
            // stopped). A stream that both halves completed had its connection; its log goes with the
            // run's directory (Session#close), which spares every stream a control round trip.
            String said = session.source().run(readAndRemove(log)).stdout();
            int listener = sent.size() - 1;
            sent.set(listener, listenerResult(sent.get(listener), said));
        }
        if (received == null) {
            received = new ArrayList<>();
            for (Command c : receiverStages) {
                received.add(new CommandResult(c, session.target().name(), SshHost.SSH_FAILURE, "",
                        "not started: the listener on " + session.source().name() + " did not start"));
            }
        }
        return new Results(sent, received, receiverFirst);
    }

    /**
     * The listener's result with its own messages (they went to the log, not to stderr). socat
     * ends 0 when its accept timed out; that is a failure here: nothing was sent.
     */
    static CommandResult listenerResult(CommandResult ran, String log) {
        String errors = errorLines(log);
        boolean connected = log.contains("starting data transfer loop");
        if (ran.ok() && !connected) {
            String why = errors.isEmpty() ? "no connection from the target" : errors;
            return new CommandResult(ran.command(), ran.host(), 1, ran.stdout(), ran.stderr() + why);
        }
        return new CommandResult(ran.command(), ran.host(), ran.exitCode(), ran.stdout(), ran.stderr() + errors);
    }

    /** socat's error lines of a log ({@code E}, {@code F}, and the warning of a timed-out accept), without their time stamps. */
    static String errorLines(String log) {
        StringBuilder out = new StringBuilder();
        for (String line : log.split("\n")) {
            String l = line.replaceFirst("^\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d socat\\[\\d+\\] ", "");
            if (l.startsWith("E ") || l.startsWith("F ") || l.startsWith("W accept")) {
                out.append("socat: ").append(l.substring(2)).append('\n');
            }
        }
        return out.toString();
    }

    private static String socatError(String stderr) {
        return errorLines(stderr).strip().replace("\n", "; ");
    }

    private static String listenerErrors(Session s, String log) {
        String errors = stopListener(s, log);
        return errors.isEmpty() ? "" : "; the listener on " + s.source().name() + " said: " + errors;
    }

    /** Stops the listener of {@code log} if it still runs; its error lines, joined by "; ". */
    private static String stopListener(Session s, String log) {
        return errorLines(s.source().run(readAndRemove(log)).stdout()).strip().replace("\n", "; ");
    }

    private static Prepared prepare(SshHost host, String name, String peer, Security security) {
        List<String> argv = new ArrayList<>(List.of("sh", "-c", PREPARE, "sh", name, peer, security.mode()));
        security.files().ifPresent(f -> argv.addAll(List.of(f.ca(), f.cert(), f.key())));
        CommandResult r = host.run(Command.changing(argv));
        String[] lines = r.stdout().strip().split("\n");
        if (!r.ok() || lines.length == 0 || !DIRECTORY.matcher(lines[0].strip()).matches()) {
            throw new HostUnreachableException("cannot prepare the " + (security.insecure() ? "direct TCP" : "TLS")
                    + " stream on " + host.name() + ": " + (r.ok() ? "unexpected answer '"
                    + SshHost.printable(r.stdout().strip()) + "'" : r.errorLine())
                    + (security.mode().equals("generate") ? " (it needs openssl and mktemp)" : ""));
        }
        String certificate = "";
        if (security.mode().equals("generate")) {
            certificate = lines.length > 1 ? lines[1].strip() : "";
            if (!CERT_BODY.matcher(certificate).matches()) {
                host.run(remove(lines[0].strip()));
                throw new HostUnreachableException("cannot make a certificate on " + host.name()
                        + ": openssl gave no certificate");
            }
        }
        return new Prepared(lines[0].strip(), certificate);
    }

    /**
     * One host's preparation ($1 its certificate's name, $2 the peer's certificate body or
     * nothing, $3 generate|files|plain, then with files the CA, certificate and key to check):
     * sweeps directories of runs that died more than a week ago (a live run touches its own at every
     * stream), makes this run's, prints it and
     * (generate) the new certificate's body on one line. One line: csh login shells run it too.
     */
    private static final String PREPARE = "umask 077; "
            + "find /tmp -maxdepth 1 -type d -name 'zfs-sync-tls.*' -mmin +10080 -exec rm -rf {} + 2>/dev/null; "
            + "d=$(mktemp -d /tmp/zfs-sync-tls.XXXXXXXXXX) || exit 1; "
            + "case $3 in generate) openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
            + "-days 2 -subj \"/CN=$1\" -keyout \"$d/key.pem\" -out \"$d/cert.pem\" 2>\"$d/err\" "
            + "|| { cat \"$d/err\" >&2; rm -rf \"$d\"; exit 1; } ;; "
            + "files) for f in \"$4\" \"$5\" \"$6\"; do [ -r \"$f\" ] "
            + "|| { echo \"cannot read $f\" >&2; rm -rf \"$d\"; exit 1; }; done ;; esac; "
            + "if [ -n \"$2\" ]; then { echo '-----BEGIN CERTIFICATE-----'; printf '%s\\n' \"$2\" | fold -w 64; "
            + "echo '-----END CERTIFICATE-----'; } > \"$d/peer.pem\"; fi; "
            + "echo \"$d\"; if [ \"$3\" = generate ]; then sed '/^-----/d' \"$d/cert.pem\" | tr -d '\\n'; echo; fi";

    private static Command storePeer(String dir, String body) {
        return Command.changing("sh", "-c", "{ echo '-----BEGIN CERTIFICATE-----'; printf '%s\\n' \"$2\" | fold -w 64; "
                + "echo '-----END CERTIFICATE-----'; } > \"$1/peer.pem\"", "sh", dir, body);
    }

    private static Command remove(String dir) {
        if (!DIRECTORY.matcher(dir).matches()) {
            throw new IllegalArgumentException("not a directory of zfs-sync's TLS streams: " + dir);
        }
        return Command.changing("rm", "-rf", "--", dir);
    }

    /** Waits on the source (up to 30 s) for the listener's log to name its port, or an error. */
    static Command waitListening(String log) {
        return Command.reading("sh", "-c", "i=0; while [ $i -lt 300 ]; do if [ -f \"$1\" ]; then "
                + "p=$(sed -n 's/.* listening on .*:\\([0-9][0-9]*\\)$/\\1/p' \"$1\"); "
                + "if [ -n \"$p\" ]; then echo \"$p\"; exit 0; fi; "
                + "if grep -q ' [EF] ' \"$1\"; then grep ' [EF] ' \"$1\" >&2; exit 1; fi; fi; "
                + "sleep 0.1; i=$((i+1)); done; echo 'the listener did not start within 30 s' >&2; exit 2", "sh", log);
    }

    /**
     * Ends the listener of {@code log} if it still runs (killing this machine's ssh does not end
     * it: it would keep its port open until its accept timeout), then prints its log and removes
     * it. The listener is the process whose id it wrote in its own log and whose command line
     * names that log, never one found by a pattern.
     */
    private static Command readAndRemove(String log) {
        return Command.changing("sh", "-c", "p=$(sed -n 's/.* socat\\[\\([0-9][0-9]*\\)\\] N listening on .*/\\1/p' "
                + "\"$1\" 2>/dev/null | head -1); if [ -n \"$p\" ] && tr '\\000' ' ' 2>/dev/null < /proc/$p/cmdline "
                + "| grep -qF -- \"$1\"; then kill \"$p\"; fi; cat \"$1\" 2>/dev/null; rm -f \"$1\"", "sh", log);
    }

    private static Thread thread(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void drain(InputStream in) {
        try (in) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            // The half ended; its statuses say how.
        }
    }

    private static void closeQuietly(RunningPipeline p) {
        try {
            p.stdin().close();
        } catch (IOException e) {
            // Nothing reads this half's stdin; a close that fails changes nothing.
        }
    }
}
