package org.zfssync.host;

import java.util.List;

/**
 * Optional programs a transfer pipeline may use. Each is probed end to end (data through it and
 * back), so an installed but broken helper is caught, not only a missing one.
 */
public enum Helper {
    MBUFFER("mbuffer", "printf zfs-sync-probe | mbuffer -q -m 1M",
            "mbuffer (Debian/Ubuntu; RHEL from EPEL), misc/mbuffer (FreeBSD)", "--no-mbuffer"),
    ZSTD("zstd", "printf zfs-sync-probe | zstd -q -c | zstd -q -d -c",
            "zstd (Debian/Ubuntu, RHEL), archivers/zstd (FreeBSD)", "--compress=none"),
    LZ4("lz4", "printf zfs-sync-probe | lz4 -q -c | lz4 -q -d -c",
            "lz4 (Debian/Ubuntu, RHEL), archivers/lz4 (FreeBSD)", "--compress=none"),
    /** The byte counter on the source of a direct stream (--transport ssh-direct). */
    PV("pv", "printf zfs-sync-probe | pv -q", "pv (Debian/Ubuntu; RHEL from EPEL), sysutils/pv (FreeBSD)",
            "--transport relay"),
    /** Both ends of a direct TCP stream (--transport tls): the listener on the source, the connector on the target. */
    SOCAT("socat", "printf zfs-sync-probe | socat -u STDIN STDOUT", "socat (Debian/Ubuntu, RHEL), net/socat (FreeBSD)",
            "--transport relay"),
    /** Makes each run's key pairs for --transport tls (not needed with --tls-ca or --insecure-direct). */
    OPENSSL("openssl", "printf zfs-sync-probe | openssl base64 | openssl base64 -d",
            "openssl (Debian/Ubuntu, RHEL; FreeBSD has it in base)", "--tls-ca/--tls-cert/--tls-key, or --transport relay");

    static final String PROBE_TEXT = "zfs-sync-probe";
    private static final int NOT_FOUND = 127;
    private final String program;
    private final String probeScript;
    private final String packages;
    private final String bypass;

    Helper(String program, String probeScript, String packages, String bypass) {
        this.program = program;
        this.probeScript = probeScript;
        this.packages = packages;
        this.bypass = bypass;
    }

    public String program() {
        return program;
    }

    public String packages() {
        return packages;
    }

    /** The option that runs without this helper. */
    public String bypass() {
        return bypass;
    }

    /**
     * Sends a known text through the helper and back. The script is a constant of this class (no
     * user input reaches it), so running it with {@code sh -c} is safe on every host.
     */
    public Command probe() {
        return Command.reading(List.of("sh", "-c", probeScript));
    }

    /** Reads the probe's result: the helper works, is missing, or is installed but broken. */
    public HelperState judge(CommandResult r) {
        String said = (r.stdout() + r.stderr()).strip();
        if (r.ok() && said.contains(PROBE_TEXT)) {
            return new HelperState(this, HelperState.Status.OK, "");
        }
        if (r.exitCode() == NOT_FOUND || said.endsWith(program + ": not found")
                || said.contains(program + ": command not found")) {
            return new HelperState(this, HelperState.Status.MISSING, "not installed");
        }
        String detail = said.replace(PROBE_TEXT, "").strip();
        return new HelperState(this, HelperState.Status.BROKEN, "exit " + r.exitCode() + (detail.isEmpty()
                ? ", and it did not pass the data through" : ": " + detail.replace('\n', ' ')));
    }
}
