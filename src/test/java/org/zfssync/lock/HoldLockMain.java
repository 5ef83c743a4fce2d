package org.zfssync.lock;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.zfssync.replication.Endpoint;

/**
 * Another process for the lock tests: {@code DIR JOB|- TARGET} takes a run lock for job JOB (or none)
 * and the recursive target TARGET, prints "locked" and holds it until its stdin closes; when
 * another run holds it, prints "conflict PID" and exits 5.
 */
public final class HoldLockMain {
    private HoldLockMain() {
    }

    public static void main(String[] args) throws IOException {
        Optional<String> job = args[1].equals("-") ? Optional.empty() : Optional.of(args[1]);
        RunClaim claim = new RunClaim(job, "hold-lock-main " + String.join(" ", args),
                List.of(LockTarget.of(Endpoint.parse(args[2]), true)));
        try {
            RunLock.acquire(Path.of(args[0]), claim, Wait.NONE, line -> { });
        } catch (LockConflictException e) {
            System.out.println("conflict " + e.holder().pid());
            System.out.flush();
            System.exit(5);
        }
        System.out.println("locked");
        System.out.flush();
        while (System.in.read() >= 0) {
            // Holds the lock until the test closes our stdin; the OS releases it when we exit.
        }
        System.exit(0);
    }
}
