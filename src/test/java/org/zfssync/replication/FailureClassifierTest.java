package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;

class FailureClassifierTest {
    @ParameterizedTest(name = "{0} exit {1}: {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
        "nas   | 255 | ssh: connect to host nas port 22: Connection timed out                | TRANSIENT",
        "nas   | 255 | Timeout, server nas not responding.                                   | TRANSIENT",
        "nas   | 255 | client_loop: send disconnect: Broken pipe                             | TRANSIENT",
        "nas   | 255 | root@nas: Permission denied (publickey).                              | PERMANENT",
        "nas   | 255 | Host key verification failed.                                         | PERMANENT",
        "nas   | 1   | cannot receive incremental stream: destination tank/a has been modified since most recent snapshot | DIVERGED",
        "nas   | 1   | cannot receive new filesystem stream: destination has snapshots (eg. tank/a@x) | DIVERGED",
        "nas   | 1   | cannot open 'tank/x': dataset does not exist                          | PERMANENT",
        "nas   | 1   | cannot receive incremental stream: out of space                       | PERMANENT",
        "local | 1   | write failed: Connection reset by peer                                | TRANSIENT",
        "local | 137 | ''                                                                    | TRANSIENT",
        "nas   | 137 | Killed                                                                | TRANSIENT",
        "nas   | 143 | Terminated                                                            | TRANSIENT",
        "nas   | 137 | cannot receive: out of memory                                         | PERMANENT",
        "local | 1   | cannot send: something new and odd                                    | PERMANENT",
        "local | 255 | ''                                                                    | TRANSIENT",
        "nas   | 1   | cannot receive incremental stream: destination tank/a contains partially-complete state from \"zfs receive -s\". | BUSY",
        "nas   | 1   | cannot receive resume stream: dataset is busy                        | BUSY"
    })
    void classifies(String host, int exit, String stderr, FailureClassifier.Kind expected) {
        CommandResult r = new CommandResult(Command.reading("zfs", "receive"), host, exit, "", stderr);
        assertThat(FailureClassifier.classify(r)).isEqualTo(expected);
    }
}
