package org.zfssync.cli;

import picocli.CommandLine;

/** The version from the jar's manifest (or "dev" when run from classes). */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = ZfsSyncCommand.class.getPackage().getImplementationVersion();
        return new String[] {"zfs-sync " + (v == null ? "dev" : v)};
    }
}
